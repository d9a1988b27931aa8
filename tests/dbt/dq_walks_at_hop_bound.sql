{{ config(severity='warn') }}
-- docs/semantics.md sections 2 and 8: a walk that reaches var graphlets_max_hops with edges onward was
-- ended by the bound, not by the graph (a corrupt or cyclic store, or a chain longer than
-- the bound). One row per (graphlet, walk direction, execution at the bound).
select
    graphlet_id,
    'upstream' as direction,
    execution_id,
    hops
from {{ ref('int_graphlet_upstream') }}
where is_at_hop_bound
union all
select
    graphlet_id,
    'downstream' as direction,
    execution_id,
    hops
from {{ ref('int_graphlet_downstream_candidates') }}
where is_at_hop_bound
