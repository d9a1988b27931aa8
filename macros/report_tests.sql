{#- Generic test: `column_name` equals the sum of `parts` on every row, within
    `tolerance` (relative to the column's size): a cost split that loses nothing. -#}
{% test report_sum_of_parts(model, column_name, parts, tolerance=1e-6) %}
    select *
    from {{ model }}
    where abs(
        coalesce({{ column_name }}, 0)
        - ({% for part in parts %}coalesce({{ part }}, 0){{ ' + ' if not loop.last }}{% endfor %})
    ) > {{ tolerance }} * greatest(1.0, abs(coalesce({{ column_name }}, 0)))
{% endtest %}

{#- Generic test: within each group of `group_by`, the shares in `column_name` add up to 1
    (groups whose shares are all NULL, i.e. nothing to share, are skipped). -#}
{% test report_shares_sum_to_one(model, column_name, group_by, tolerance=1e-6) %}
    select {{ group_by | join(', ') }}, sum({{ column_name }}) as total_share
    from {{ model }}
    group by {{ group_by | join(', ') }}
    having count({{ column_name }}) > 0
        and abs(sum({{ column_name }}) - 1.0) > {{ tolerance }}
{% endtest %}
