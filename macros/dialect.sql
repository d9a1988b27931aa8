{#-
    SQL that DuckDB and Spark spell differently (docs/spark.md): each is a macro dispatched
    on the adapter (adapter.dispatch(name, 'graphlets')), the `default__` form DuckDB's, the
    `spark__` form Spark SQL's. A model calls the macro, never branches on the target.
-#}

{#- The value of `value` on the row with the smallest (largest) `key` of the group. -#}
{% macro graphlets_arg_min(value, key) -%}
    {{ return(adapter.dispatch('graphlets_arg_min', 'graphlets')(value, key)) }}
{%- endmacro %}

{% macro default__graphlets_arg_min(value, key) -%}
    arg_min({{ value }}, {{ key }})
{%- endmacro %}

{% macro spark__graphlets_arg_min(value, key) -%}
    min_by({{ value }}, {{ key }})
{%- endmacro %}

{% macro graphlets_arg_max(value, key) -%}
    {{ return(adapter.dispatch('graphlets_arg_max', 'graphlets')(value, key)) }}
{%- endmacro %}

{% macro default__graphlets_arg_max(value, key) -%}
    arg_max({{ value }}, {{ key }})
{%- endmacro %}

{% macro spark__graphlets_arg_max(value, key) -%}
    max_by({{ value }}, {{ key }})
{%- endmacro %}

{#- True when string `text` begins with `prefix`. -#}
{% macro graphlets_starts_with(text, prefix) -%}
    {{ return(adapter.dispatch('graphlets_starts_with', 'graphlets')(text, prefix)) }}
{%- endmacro %}

{% macro default__graphlets_starts_with(text, prefix) -%}
    starts_with({{ text }}, {{ prefix }})
{%- endmacro %}

{% macro spark__graphlets_starts_with(text, prefix) -%}
    startswith({{ text }}, {{ prefix }})
{%- endmacro %}

{#- `text` from its `start`-th character (1-based) to its end. -#}
{% macro graphlets_substring_from(text, start) -%}
    {{ return(adapter.dispatch('graphlets_substring_from', 'graphlets')(text, start)) }}
{%- endmacro %}

{% macro default__graphlets_substring_from(text, start) -%}
    {{ text }}[{{ start }}:]
{%- endmacro %}

{% macro spark__graphlets_substring_from(text, start) -%}
    substring({{ text }}, {{ start }})
{%- endmacro %}

{#- Seconds from timestamp `start` to timestamp `end` (a double, fractions kept). -#}
{% macro graphlets_seconds_between(start, end) -%}
    {{ return(adapter.dispatch('graphlets_seconds_between', 'graphlets')(start, end)) }}
{%- endmacro %}

{% macro default__graphlets_seconds_between(start, end) -%}
    (epoch({{ end }}) - epoch({{ start }}))
{%- endmacro %}

{% macro spark__graphlets_seconds_between(start, end) -%}
    ((unix_micros(cast({{ end }} as timestamp_ltz)) - unix_micros(cast({{ start }} as timestamp_ltz))) / 1000000.0)
{%- endmacro %}

{#-
    A select filtered by a window function, DuckDB's `qualify`: the call block is the
    select (one top-level `from`), `window` the window expression, `keep` its condition
    (e.g. '= 1'; it may name any column the select outputs). Spark has no `qualify`: the window becomes a column of the select, the
    condition a filter around it, and the column is dropped again. The select must not be
    `select distinct` (a window column would change what is distinct).
-#}
{% macro graphlets_qualify(window, keep) -%}
    {{ return(adapter.dispatch('graphlets_qualify', 'graphlets')(caller(), window, keep)) }}
{%- endmacro %}

{% macro default__graphlets_qualify(select_sql, window, keep) -%}
    {{ select_sql }}
    qualify {{ window }} {{ keep }}
{%- endmacro %}

{% macro spark__graphlets_qualify(select_sql, window, keep) -%}
    {%- set found = namespace(at=none) -%}
    {%- for match in modules.re.finditer('(?i)\\bfrom\\b', select_sql) -%}
        {%- set before = select_sql[:match.start()] -%}
        {%- if found.at is none and before.count('(') == before.count(')') -%}
            {%- set found.at = match.start() -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found.at is none -%}
        {{ exceptions.raise_compiler_error('graphlets_qualify: no top-level from in the select') }}
    {%- endif -%}
    {%- set head = modules.re.sub(',\\s*$', '', select_sql[:found.at].rstrip()) -%}
    select * except (graphlets_qualify_window)
    from (
        {{ head }},
        {{ window }} as graphlets_qualify_window
        {{ select_sql[found.at:] }}
    ) as graphlets_qualified
    where graphlets_qualify_window {{ keep }}
{%- endmacro %}

{#- True when `text` contains a match of the regular expression `pattern`. -#}
{% macro graphlets_regexp_matches(text, pattern) -%}
    {{ return(adapter.dispatch('graphlets_regexp_matches', 'graphlets')(text, pattern)) }}
{%- endmacro %}

{% macro default__graphlets_regexp_matches(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__graphlets_regexp_matches(text, pattern) -%}
    regexp_like({{ text }}, {{ pattern }})
{%- endmacro %}

{#- `text` without leading and trailing spaces, tabs, carriage returns and line feeds. -#}
{% macro graphlets_trim_whitespace(text) -%}
    {{ return(adapter.dispatch('graphlets_trim_whitespace', 'graphlets')(text)) }}
{%- endmacro %}

{% macro default__graphlets_trim_whitespace(text) -%}
    trim({{ text }}, E' \t\r\n')
{%- endmacro %}

{#- Spark's string literals read the backslash escapes themselves. -#}
{% macro spark__graphlets_trim_whitespace(text) -%}
    btrim({{ text }}, ' \t\r\n')
{%- endmacro %}

{#- The 1-based position of the first `needle` in `text`; 0 when there is none. -#}
{% macro graphlets_strpos(text, needle) -%}
    {{ return(adapter.dispatch('graphlets_strpos', 'graphlets')(text, needle)) }}
{%- endmacro %}

{% macro default__graphlets_strpos(text, needle) -%}
    strpos({{ text }}, {{ needle }})
{%- endmacro %}

{% macro spark__graphlets_strpos(text, needle) -%}
    instr({{ text }}, {{ needle }})
{%- endmacro %}
