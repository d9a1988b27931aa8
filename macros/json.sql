{#-
    JSON, as DuckDB and Spark SQL read it (docs/spark.md). On DuckDB a JSON value is of type
    `json` (DuckDB's operators `->`, `->>`, json_type, casts to `json[]`); on Spark it is text
    (the raw export writes JSON columns as text, docs/spark.md "The raw tables"), read with
    get_json_object for text and through a variant (`try_parse_json`) where the JSON type or a
    JSON `null` matters. `keys` is a path of object keys from the value, e.g.
    ['run', 'facets'] for DuckDB's `event -> 'run' -> 'facets'`.
-#}

{#- The JSONPath `$.k1.k2` of `keys` (plain keys only: letters, digits, `_`). -#}
{% macro graphlets_json_path(keys) -%}
    {%- for key in keys -%}
        {%- if not modules.re.match('^[A-Za-z0-9_]+$', key) -%}
            {{ exceptions.raise_compiler_error('graphlets_json_path: key ' ~ key ~ ' is not a plain key') }}
        {%- endif -%}
    {%- endfor -%}
    {{ return("'$." ~ (keys | join('.')) ~ "'") }}
{%- endmacro %}

{#- The JSON value at `keys` of `json`, as JSON (a JSON `null` is the JSON `null`, not SQL
    NULL; a missing key is NULL). Spark writes it back as text with the object keys sorted
    (a variant's order): the same value, another spelling. -#}
{% macro graphlets_json_at(json, keys) -%}
    {{ return(adapter.dispatch('graphlets_json_at', 'graphlets')(json, keys)) }}
{%- endmacro %}

{% macro default__graphlets_json_at(json, keys) -%}
    {{ json }}{% for key in keys %} -> '{{ key }}'{% endfor %}
{%- endmacro %}

{% macro spark__graphlets_json_at(json, keys) -%}
    to_json(variant_get(try_parse_json({{ json }}), {{ graphlets_json_path(keys) }}, 'variant'))
{%- endmacro %}

{#- The value at `keys` of `json` as text (DuckDB's `->>`): a string unquoted, an object or
    array as JSON text, a JSON `null` or a missing key NULL. -#}
{% macro graphlets_json_text_at(json, keys) -%}
    {{ return(adapter.dispatch('graphlets_json_text_at', 'graphlets')(json, keys)) }}
{%- endmacro %}

{% macro default__graphlets_json_text_at(json, keys) -%}
    {{ json }}{% for key in keys[:-1] %} -> '{{ key }}'{% endfor %} ->> '{{ keys[-1] }}'
{%- endmacro %}

{% macro spark__graphlets_json_text_at(json, keys) -%}
    get_json_object({{ json }}, {{ graphlets_json_path(keys) }})
{%- endmacro %}

{#- The same, for text that may not be JSON at all: NULL unless `text` is valid JSON. -#}
{% macro graphlets_json_text_if_valid(text, keys) -%}
    {{ return(adapter.dispatch('graphlets_json_text_if_valid', 'graphlets')(text, keys)) }}
{%- endmacro %}

{% macro default__graphlets_json_text_if_valid(text, keys) -%}
    case
        when json_valid({{ text }})
            then json_extract_string({{ text }}, {{ graphlets_json_path(keys) }})
    end
{%- endmacro %}

{% macro spark__graphlets_json_text_if_valid(text, keys) -%}
    case
        when try_parse_json({{ text }}) is not null
            then get_json_object({{ text }}, {{ graphlets_json_path(keys) }})
    end
{%- endmacro %}

{#- True when the value at `keys` of `json` is a JSON array (false when it is another JSON
    type, NULL when it is missing). -#}
{% macro graphlets_json_is_array_at(json, keys) -%}
    {{ return(adapter.dispatch('graphlets_json_is_array_at', 'graphlets')(json, keys)) }}
{%- endmacro %}

{% macro default__graphlets_json_is_array_at(json, keys) -%}
    json_type({{ graphlets_json_at(json, keys) }}) = 'ARRAY'
{%- endmacro %}

{% macro spark__graphlets_json_is_array_at(json, keys) -%}
    startswith(
        schema_of_variant(variant_get(try_parse_json({{ json }}), {{ graphlets_json_path(keys) }}, 'variant')),
        'ARRAY'
    )
{%- endmacro %}

{#- True when the JSON value `json` is a number. DuckDB types JSON numbers as UBIGINT,
    BIGINT or DOUBLE; a Spark variant as an integer type, a DECIMAL or a DOUBLE. -#}
{% macro graphlets_json_is_number(json) -%}
    {{ return(adapter.dispatch('graphlets_json_is_number', 'graphlets')(json)) }}
{%- endmacro %}

{% macro default__graphlets_json_is_number(json) -%}
    json_type({{ json }}) in ('UBIGINT', 'BIGINT', 'DOUBLE')
{%- endmacro %}

{% macro spark__graphlets_json_is_number(json) -%}
    regexp_like(
        schema_of_variant(try_parse_json({{ json }})),
        '^(TINYINT|SMALLINT|INT|BIGINT|FLOAT|DOUBLE|DECIMAL)'
    )
{%- endmacro %}

{#- One row per element of the JSON array `json` (a set-returning select item), each element
    as JSON (on Spark: text, a string element unquoted). -#}
{% macro graphlets_json_unnest(json) -%}
    {{ return(adapter.dispatch('graphlets_json_unnest', 'graphlets')(json)) }}
{%- endmacro %}

{% macro default__graphlets_json_unnest(json) -%}
    unnest(cast({{ json }} as json[]))
{%- endmacro %}

{% macro spark__graphlets_json_unnest(json) -%}
    explode(from_json({{ json }}, 'array<string>'))
{%- endmacro %}

{#- Whether `predicate` (SQL over the lambda variable `var`, one element of the JSON array
    `json`) holds for some element: true when it is true for one; else false or NULL (DuckDB
    skips NULL predicates, Spark's `exists` answers NULL when one is NULL and none true):
    wrap it in coalesce(..., false) where a NULL must not matter. -#}
{% macro graphlets_json_any(json, var, predicate) -%}
    {{ return(adapter.dispatch('graphlets_json_any', 'graphlets')(json, var, predicate)) }}
{%- endmacro %}

{% macro default__graphlets_json_any(json, var, predicate) -%}
    list_bool_or(
        list_transform(
            cast({{ json }} as json[]),
            {{ var }} -> {{ predicate }}
        )
    )
{%- endmacro %}

{% macro spark__graphlets_json_any(json, var, predicate) -%}
    exists(from_json({{ json }}, 'array<string>'), {{ var }} -> {{ predicate }})
{%- endmacro %}
