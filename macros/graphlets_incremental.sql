{#-
    Incremental builds (issue 6). The loader stamps every raw row it writes with its
    `_load_id`; an incremental model remembers the last load it saw in a
    `built_through_load_id` column, and recomputes what changed since.
-#}

{#- The previous build of an incremental graphlet model, or none when there is none
    (first build) or it predates `built_through_load_id` (built by an older version). -#}
{% macro graphlets_previous_build(identifier) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=identifier) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {{ return(relation if 'built_through_load_id' in columns else none) }}
{%- endmacro %}

{#- Warehouse keys of the rows of raw table `table` written after the load in CTE
    `watermark` (column `load_id`); `id_column` is the MLMD id the key is built from. -#}
{% macro graphlets_changed_keys(table, id_column) -%}
    select {{ warehouse_key('changed_sources.source_key', 'changed.' ~ id_column) }} as key
    from {{ source('raw', table) }} as changed
    inner join {{ ref('stg_mlmd__sources') }} as changed_sources
        on changed.source_id = changed_sources.source_id
    where changed._load_id > (select load_id from watermark)
{%- endmacro %}

{#- The last load in the warehouse, stored in every row an incremental model writes. -#}
{% macro graphlets_current_load_id() -%}
    (select coalesce(max(load_id), 0) from {{ source('raw', '_loads') }})
{%- endmacro %}

{#- Pre-hook of an incremental model keyed by graphlet_id: on an incremental run, delete
    the rows of the graphlets in model `refresh_set` before they are recomputed. Returns
    the hook as a template: dbt renders hooks when the model runs. -#}
{% macro graphlets_refresh_delete(refresh_set) -%}
    {{ return(
        "{% if is_incremental() %}delete from {{ this }} where graphlet_id in "
        ~ "(select graphlet_id from {{ ref('" ~ refresh_set ~ "') }}){% endif %}"
    ) }}
{%- endmacro %}
