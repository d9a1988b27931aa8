{#- The train/evaluation split of every source (docs/semantics.md section 7: learned policies are trained
    on an earlier time range and evaluated on a later one). One row per source.

    A source's time range runs from its first execution start to its as-of time (int_sources).
    `split_at` is `pruning_train_fraction` of the way through it, unless `pruning_split_at`
    (a UTC timestamp) is set, which then holds for every source. Graphlets whose anchor
    starts before `split_at` are the training range; the rest are the evaluation range. -#}
with

sources as (
    select * from {{ ref('int_sources') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

first_starts as (
    select
        source_id,
        min(started_at) as range_start_at
    from executions
    group by source_id
),

final as (
    select
        sources.source_id,
        first_starts.range_start_at,
        sources.as_of_at as range_end_at,
        {% if var('pruning_split_at', none) %}
        cast('{{ var("pruning_split_at") }}' as timestamp) as split_at,
        {% else %}
        {{ graphlets_timestamp_at_fraction(
            'first_starts.range_start_at',
            'sources.as_of_at',
            var('pruning_train_fraction', 0.5),
        ) }} as split_at,
        {% endif %}
        {{ var('pruning_train_fraction', 0.5) }} as train_fraction
    from sources
    inner join first_starts
        on sources.source_id = first_starts.source_id
)

select * from final
