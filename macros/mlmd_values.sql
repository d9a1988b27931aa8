{#- docs/semantics.md section 1: a property is read from whichever typed column is set; a flag such as
    `pushed` or `blessed` is true for int/double 1, bool true or the strings 1/true (any
    case, surrounding whitespace removed), false for 0/false; anything else is no flag. -#}
{% macro mlmd_flag(prefix='') -%}
    case
        when {{ prefix }}bool_value is not null then {{ prefix }}bool_value
        when {{ prefix }}int_value is not null then
            case {{ prefix }}int_value when 1 then true when 0 then false end
        when {{ prefix }}double_value is not null then
            case {{ prefix }}double_value when 1 then true when 0 then false end
        when {{ prefix }}string_value is not null then
            case lower({{ graphlets_trim(prefix ~ 'string_value', "' ' || chr(9) || chr(10) || chr(13)") }})
                when '1' then true
                when 'true' then true
                when '0' then false
                when 'false' then false
            end
    end
{%- endmacro %}

{#- A finite number held in the int or double column (strings do not count). -#}
{% macro mlmd_number(prefix='') -%}
    case
        when {{ prefix }}int_value is not null then cast({{ prefix }}int_value as double)
        when {{ prefix }}double_value is not null and {{ graphlets_isfinite(prefix ~ 'double_value') }}
            then {{ prefix }}double_value
    end
{%- endmacro %}

{#- True for a double that is neither NaN nor infinite. -#}
{% macro graphlets_isfinite(expression) -%}
    {{ return(adapter.dispatch('graphlets_isfinite', 'graphlets')(expression)) }}
{%- endmacro %}

{% macro default__graphlets_isfinite(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}

{% macro spark__graphlets_isfinite(expression) -%}
    (not isnan({{ expression }}) and abs({{ expression }}) != double('infinity'))
{%- endmacro %}

{#- MLMD timestamps are ms since the epoch; 0 or NULL means unknown. -#}
{% macro mlmd_timestamp(column) -%}
    case when {{ column }} > 0 then {{ graphlets_epoch_ms_timestamp(column) }} end
{%- endmacro %}

{#- The UTC timestamp (without a zone) `ms` milliseconds after the epoch. -#}
{% macro graphlets_epoch_ms_timestamp(ms) -%}
    {{ return(adapter.dispatch('graphlets_epoch_ms_timestamp', 'graphlets')(ms)) }}
{%- endmacro %}

{% macro default__graphlets_epoch_ms_timestamp(ms) -%}
    make_timestamp({{ ms }} * 1000)
{%- endmacro %}

{% macro spark__graphlets_epoch_ms_timestamp(ms) -%}
    cast(timestamp_millis({{ ms }}) as timestamp_ntz)
{%- endmacro %}

{#- The warehouse key of a source row: unique across sources, readable
    (source 2, execution 123 -> 2000000000123). -#}
{% macro warehouse_key(source_key, id) -%}
    (cast({{ source_key }} as bigint) * 1000000000000 + {{ id }})
{%- endmacro %}
