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
            case lower(trim({{ prefix }}string_value, ' ' || chr(9) || chr(10) || chr(13)))
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
        when {{ prefix }}double_value is not null and isfinite({{ prefix }}double_value)
            then {{ prefix }}double_value
    end
{%- endmacro %}

{#- MLMD timestamps are ms since the epoch; 0 or NULL means unknown. -#}
{% macro mlmd_timestamp(column) -%}
    case when {{ column }} > 0 then make_timestamp({{ column }} * 1000) end
{%- endmacro %}

{#- The warehouse key of a source row: unique across sources, readable
    (source 2, execution 123 -> 2000000000123). -#}
{% macro warehouse_key(source_key, id) -%}
    (cast({{ source_key }} as bigint) * 1000000000000 + {{ id }})
{%- endmacro %}
