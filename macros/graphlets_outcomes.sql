{#-
    The outcome rules of docs/semantics.md section 3, written once. int_graphlet_outcomes applies them to
    the store as it is (as of the source's as-of time); int_pruning_outcome_transitions
    applies them to the store as it was at each moment a fact appeared. The callers say
    how each fact is known at their time; this macro says what the facts decide, in the
    order of docs/semantics.md section 3, the first that holds winning.
-#}

{#- The outcome of a graphlet, a SQL expression. Every argument is a SQL expression:
      trainer_state             the anchor's state (COMPLETE, CACHED, FAILED, ...);
      has_output                the anchor output at least one artifact;
      has_push                  a COMPLETE or CACHED push member output a true `pushed`
                                flag or no `pushed` flag at all;
      has_infra_rejection       an infra_validate member output `blessed` false;
      has_evaluation_rejection  an evaluate member output `blessed` false;
      has_push_declined         a COMPLETE or CACHED push member output `pushed` flags,
                                none of them true;
      is_past_grace             the anchor ended more than graphlets_pending_grace()
                                before the time judged at.
    A NULL fact counts as false. -#}
{% macro graphlets_outcome(
    trainer_state,
    has_output,
    has_push,
    has_infra_rejection,
    has_evaluation_rejection,
    has_push_declined,
    is_past_grace
) -%}
    case
        when {{ trainer_state }} in ('FAILED', 'CANCELED')
            then 'training_failed'
        when {{ trainer_state }} in ('COMPLETE', 'CACHED')
            and not ({{ has_output }})
            then 'training_failed'
        when {{ has_push }}
            then 'pushed'
        when {{ has_infra_rejection }}
            then 'infra_rejected'
        when {{ has_evaluation_rejection }}
            then 'not_blessed'
        when {{ has_push_declined }}
            then 'not_pushed'
        when {{ trainer_state }} in ('COMPLETE', 'CACHED')
            and {{ is_past_grace }}
            then 'not_pushed'
        else 'pending'
    end
{%- endmacro %}

{#- How long a COMPLETE trainer without a push decision stays `pending`: var
    graphlets_pending_grace_hours, as an interval. -#}
{% macro graphlets_pending_grace() -%}
    {{ return(adapter.dispatch('graphlets_pending_grace', 'graphlets')()) }}
{%- endmacro %}

{% macro default__graphlets_pending_grace() -%}
    to_microseconds(cast({{ var('graphlets_pending_grace_hours') }} * 3600000000 as bigint))
{%- endmacro %}

{% macro spark__graphlets_pending_grace() -%}
    make_dt_interval(0, 0, 0, cast({{ var('graphlets_pending_grace_hours') }} * 3600 as decimal(18, 6)))
{%- endmacro %}
