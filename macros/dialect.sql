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
    epoch({{ end }} - {{ start }})
{%- endmacro %}

{% macro spark__graphlets_seconds_between(start, end) -%}
    (cast(
        unix_micros(cast({{ end }} as timestamp_ltz))
        - unix_micros(cast({{ start }} as timestamp_ltz))
        as double
    ) / 1000000)
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

{#- A composite sort key from the expressions `items`, compared field by field (e.g. the
    key of graphlets_arg_min): DuckDB's row `(a, b)`, Spark's struct. -#}
{% macro graphlets_row(items) -%}
    {{ return(adapter.dispatch('graphlets_row', 'graphlets')(items)) }}
{%- endmacro %}

{% macro default__graphlets_row(items) -%}
    ({{ items | join(', ') }})
{%- endmacro %}

{% macro spark__graphlets_row(items) -%}
    struct({{ items | join(', ') }})
{%- endmacro %}

{#- A list of the expressions `items` (one type), compared element by element, a NULL
    element after every value as in DuckDB (Spark orders NULL elements first, so its
    elements are (is NULL, value) pairs). -#}
{% macro graphlets_list(items) -%}
    {{ return(adapter.dispatch('graphlets_list', 'graphlets')(items)) }}
{%- endmacro %}

{% macro default__graphlets_list(items) -%}
    [{{ items | join(', ') }}]
{%- endmacro %}

{% macro spark__graphlets_list(items) -%}
    array(
    {%- for item in items %}
        named_struct('is_null', ({{ item }}) is null, 'value', {{ item }}){% if not loop.last %},{% endif %}
    {%- endfor %}
    )
{%- endmacro %}

{#- `text` without the characters of `chars` at its end (rtrim) or at both ends (trim).
    Spark's two-argument trim functions take the characters first: the SQL-standard
    `trim(... from ...)` form says which is which. -#}
{% macro graphlets_rtrim(text, chars) -%}
    {{ return(adapter.dispatch('graphlets_rtrim', 'graphlets')(text, chars)) }}
{%- endmacro %}

{% macro default__graphlets_rtrim(text, chars) -%}
    rtrim({{ text }}, {{ chars }})
{%- endmacro %}

{% macro spark__graphlets_rtrim(text, chars) -%}
    trim(trailing {{ chars }} from {{ text }})
{%- endmacro %}

{% macro graphlets_trim(text, chars) -%}
    {{ return(adapter.dispatch('graphlets_trim', 'graphlets')(text, chars)) }}
{%- endmacro %}

{% macro default__graphlets_trim(text, chars) -%}
    trim({{ text }}, {{ chars }})
{%- endmacro %}

{% macro spark__graphlets_trim(text, chars) -%}
    trim(both {{ chars }} from {{ text }})
{%- endmacro %}

{#- first_value / last_value over a window, NULLs skipped (`ignore nulls`). -#}
{% macro graphlets_first_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('graphlets_first_value_ignore_nulls', 'graphlets')(expression)) }}
{%- endmacro %}

{% macro default__graphlets_first_value_ignore_nulls(expression) -%}
    first_value({{ expression }} ignore nulls)
{%- endmacro %}

{% macro spark__graphlets_first_value_ignore_nulls(expression) -%}
    first_value({{ expression }}, true)
{%- endmacro %}

{% macro graphlets_last_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('graphlets_last_value_ignore_nulls', 'graphlets')(expression)) }}
{%- endmacro %}

{% macro default__graphlets_last_value_ignore_nulls(expression) -%}
    last_value({{ expression }} ignore nulls)
{%- endmacro %}

{% macro spark__graphlets_last_value_ignore_nulls(expression) -%}
    last_value({{ expression }}, true)
{%- endmacro %}

{#- The interpolated quantile `q` (0..1) of `expression` over the group. -#}
{% macro graphlets_quantile_cont(expression, q) -%}
    {{ return(adapter.dispatch('graphlets_quantile_cont', 'graphlets')(expression, q)) }}
{%- endmacro %}

{% macro default__graphlets_quantile_cont(expression, q) -%}
    quantile_cont({{ expression }}, {{ q }})
{%- endmacro %}

{% macro spark__graphlets_quantile_cont(expression, q) -%}
    percentile({{ expression }}, {{ q }})
{%- endmacro %}

{#- A JSON array of the expressions `items` (text), as text: `["a","b",null]`. -#}
{% macro graphlets_json_list(items) -%}
    {{ return(adapter.dispatch('graphlets_json_list', 'graphlets')(items)) }}
{%- endmacro %}

{% macro default__graphlets_json_list(items) -%}
    to_json([
        {{ items | join(', ') }}
    ])
{%- endmacro %}

{% macro spark__graphlets_json_list(items) -%}
    to_json(array({{ items | join(', ') }}))
{%- endmacro %}

{#- Millisecond boundaries from timestamp `start` to timestamp `end` (DuckDB's
    `date_diff('millisecond', ...)`: whole milliseconds of each, subtracted). -#}
{% macro graphlets_milliseconds_between(start, end) -%}
    {{ return(adapter.dispatch('graphlets_milliseconds_between', 'graphlets')(start, end)) }}
{%- endmacro %}

{% macro default__graphlets_milliseconds_between(start, end) -%}
    date_diff('millisecond', {{ start }}, {{ end }})
{%- endmacro %}

{% macro spark__graphlets_milliseconds_between(start, end) -%}
    (unix_millis(cast({{ end }} as timestamp_ltz)) - unix_millis(cast({{ start }} as timestamp_ltz)))
{%- endmacro %}

{#- The first match of the regular expression `pattern` in `text` (the whole match): DuckDB's
    `regexp_extract` takes group 0 by default, Spark's group 1. -#}
{% macro graphlets_regexp_extract(text, pattern) -%}
    {{ return(adapter.dispatch('graphlets_regexp_extract', 'graphlets')(text, pattern)) }}
{%- endmacro %}

{% macro default__graphlets_regexp_extract(text, pattern) -%}
    regexp_extract({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__graphlets_regexp_extract(text, pattern) -%}
    regexp_extract({{ text }}, {{ pattern }}, 0)
{%- endmacro %}

{#- A 64-bit hash of the expressions `items` (an opaque key: DuckDB's `hash`, Spark's
    `xxhash64`; the two engines give different values, equal inputs equal keys on each). -#}
{% macro graphlets_hash(items) -%}
    {{ return(adapter.dispatch('graphlets_hash', 'graphlets')(items)) }}
{%- endmacro %}

{% macro default__graphlets_hash(items) -%}
    hash({{ items | join(', ') }})
{%- endmacro %}

{% macro spark__graphlets_hash(items) -%}
    xxhash64({{ items | join(', ') }})
{%- endmacro %}

{#- Microseconds since 1970-01-01 of timestamp `ts` (a bigint). -#}
{% macro graphlets_epoch_us(ts) -%}
    {{ return(adapter.dispatch('graphlets_epoch_us', 'graphlets')(ts)) }}
{%- endmacro %}

{% macro default__graphlets_epoch_us(ts) -%}
    epoch_us({{ ts }})
{%- endmacro %}

{% macro spark__graphlets_epoch_us(ts) -%}
    unix_micros(cast({{ ts }} as timestamp_ltz))
{%- endmacro %}

{#- The timestamp `fraction` (a decimal literal) of the way from timestamp `start` to
    timestamp `end`, to the microsecond (half a microsecond rounds away from zero, as
    DuckDB's cast of a decimal to bigint does). -#}
{% macro graphlets_timestamp_at_fraction(start, end, fraction) -%}
    {{ return(adapter.dispatch('graphlets_timestamp_at_fraction', 'graphlets')(start, end, fraction)) }}
{%- endmacro %}

{% macro default__graphlets_timestamp_at_fraction(start, end, fraction) -%}
    make_timestamp(
            epoch_us({{ start }})
            + cast(
                {{ fraction }}
                * (epoch_us({{ end }}) - epoch_us({{ start }}))
                as bigint
            )
        )
{%- endmacro %}

{% macro spark__graphlets_timestamp_at_fraction(start, end, fraction) -%}
    cast(timestamp_micros(
        {{ graphlets_epoch_us(start) }}
        + cast(round(
            {{ fraction }}
            * ({{ graphlets_epoch_us(end) }} - {{ graphlets_epoch_us(start) }})
        ) as bigint)
    ) as timestamp_ntz)
{%- endmacro %}

{#- An interval of `days` days (an integer), to add to or subtract from a timestamp. -#}
{% macro graphlets_days(days) -%}
    {{ return(adapter.dispatch('graphlets_days', 'graphlets')(days)) }}
{%- endmacro %}

{% macro default__graphlets_days(days) -%}
    to_days({{ days }})
{%- endmacro %}

{% macro spark__graphlets_days(days) -%}
    make_dt_interval({{ days }})
{%- endmacro %}

{#- Second boundaries from timestamp `start` to timestamp `end` (DuckDB's
    `date_diff('second', ...)`: whole seconds of each, subtracted); on Spark as a double,
    so that a division by a decimal literal stays a double division as on DuckDB. -#}
{% macro graphlets_seconds_diff(start, end) -%}
    {{ return(adapter.dispatch('graphlets_seconds_diff', 'graphlets')(start, end)) }}
{%- endmacro %}

{% macro default__graphlets_seconds_diff(start, end) -%}
    date_diff('second', {{ start }}, {{ end }})
{%- endmacro %}

{% macro spark__graphlets_seconds_diff(start, end) -%}
    cast(unix_seconds(cast({{ end }} as timestamp_ltz)) - unix_seconds(cast({{ start }} as timestamp_ltz)) as double)
{%- endmacro %}

{#- `expression` as a double where Spark would compute a decimal: a division by a decimal
    literal (`x / 3600.0`), or the average of decimal literals, is a decimal rounded to a
    few places on Spark and a double on DuckDB, where the expression stays as it is. -#}
{% macro graphlets_as_double(expression) -%}
    {{ return(adapter.dispatch('graphlets_as_double', 'graphlets')(expression)) }}
{%- endmacro %}

{% macro default__graphlets_as_double(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro spark__graphlets_as_double(expression) -%}
    cast({{ expression }} as double)
{%- endmacro %}

{#- The number of rows where `condition` holds, as a window aggregate (`... over (...)`
    follows the call): Spark has no `filter` clause on window functions. -#}
{% macro graphlets_count_where(condition) -%}
    {{ return(adapter.dispatch('graphlets_count_where', 'graphlets')(condition)) }}
{%- endmacro %}

{% macro default__graphlets_count_where(condition) -%}
    count(*) filter (where {{ condition }})
{%- endmacro %}

{% macro spark__graphlets_count_where(condition) -%}
    count(case when {{ condition }} then 1 end)
{%- endmacro %}

{#- A struct of the named expressions `fields` (a dict, in its order), compared field by
    field: DuckDB's `{'a': x, 'b': y}`, Spark's named_struct. -#}
{% macro graphlets_struct(fields) -%}
    {{ return(adapter.dispatch('graphlets_struct', 'graphlets')(fields)) }}
{%- endmacro %}

{% macro default__graphlets_struct(fields) -%}
    { {%- for name, expression in fields.items() %}'{{ name }}': {{ expression }}{{ ', ' if not loop.last }}{% endfor -%} }
{%- endmacro %}

{% macro spark__graphlets_struct(fields) -%}
    named_struct({%- for name, expression in fields.items() %}'{{ name }}', {{ expression }}{{ ', ' if not loop.last }}{% endfor -%})
{%- endmacro %}

{#- The UTC wall-clock time (a timestamp without a zone) of the zoned timestamp `at`. On
    Spark a zoned timestamp is `timestamp_ltz`, its wall-clock time that of the session's
    zone, UTC (the profile). -#}
{% macro graphlets_utc_wall_clock(at) -%}
    {{ return(adapter.dispatch('graphlets_utc_wall_clock', 'graphlets')(at)) }}
{%- endmacro %}

{% macro default__graphlets_utc_wall_clock(at) -%}
    timezone('UTC', {{ at }})
{%- endmacro %}

{% macro spark__graphlets_utc_wall_clock(at) -%}
    cast({{ at }} as timestamp_ntz)
{%- endmacro %}

{#- Seconds since 1970-01-01 of timestamp `at`, a double (fractions kept). -#}
{% macro graphlets_epoch(at) -%}
    {{ return(adapter.dispatch('graphlets_epoch', 'graphlets')(at)) }}
{%- endmacro %}

{% macro default__graphlets_epoch(at) -%}
    epoch({{ at }})
{%- endmacro %}

{% macro spark__graphlets_epoch(at) -%}
    (cast(unix_micros(cast({{ at }} as timestamp_ltz)) as double) / 1000000)
{%- endmacro %}

{#- An interval of `hours` (an integer expression) hours. -#}
{% macro graphlets_hours(hours) -%}
    {{ return(adapter.dispatch('graphlets_hours', 'graphlets')(hours)) }}
{%- endmacro %}

{% macro default__graphlets_hours(hours) -%}
    to_hours(cast({{ hours }} as bigint))
{%- endmacro %}

{% macro spark__graphlets_hours(hours) -%}
    make_dt_interval(0, cast({{ hours }} as int))
{%- endmacro %}

{#- Milliseconds `ms` (an integer expression) as seconds, a double. -#}
{% macro graphlets_ms_as_seconds(ms) -%}
    {{ return(adapter.dispatch('graphlets_ms_as_seconds', 'graphlets')(ms)) }}
{%- endmacro %}

{% macro default__graphlets_ms_as_seconds(ms) -%}
    (({{ ms }}) / 1000.0)
{%- endmacro %}

{% macro spark__graphlets_ms_as_seconds(ms) -%}
    (cast(({{ ms }}) as double) / 1000)
{%- endmacro %}

{#- The distinct non-NULL values of text `expression` over the group, sorted, joined by
    `separator`; NULL when there are none. -#}
{% macro graphlets_string_agg_distinct(expression, separator) -%}
    {{ return(adapter.dispatch('graphlets_string_agg_distinct', 'graphlets')(expression, separator)) }}
{%- endmacro %}

{% macro default__graphlets_string_agg_distinct(expression, separator) -%}
    string_agg(
        distinct {{ expression }}, {{ separator }}
        order by {{ expression }} nulls first
    )
{%- endmacro %}

{% macro spark__graphlets_string_agg_distinct(expression, separator) -%}
    case
        when count({{ expression }}) > 0
            then array_join(array_sort(collect_set({{ expression }})), {{ separator }})
    end
{%- endmacro %}

{#- The list aggregate of `value` over the group, ordered by the expressions `order_by`
    (each ascending, NULLs first); NULL values are kept. Spark sorts the collected
    (keys..., value) structs, whose fields compare in order with NULLs first. -#}
{% macro graphlets_list_agg(value, order_by) -%}
    {{ return(adapter.dispatch('graphlets_list_agg', 'graphlets')(value, order_by)) }}
{%- endmacro %}

{% macro default__graphlets_list_agg(value, order_by) -%}
    list(
            {{ value }}
            order by
                {% for key in order_by %}{{ key }} nulls first{% if not loop.last %}, {% endif %}{% endfor %}
        )
{%- endmacro %}

{% macro spark__graphlets_list_agg(value, order_by) -%}
    transform(
        sort_array(collect_list(named_struct(
            {%- for key in order_by %}
            'k{{ loop.index }}', {{ key }},
            {%- endfor %}
            'v', {{ value }}
        )), true),
        graphlets_sorted -> graphlets_sorted.v
    )
{%- endmacro %}

{#- An empty list of element type `element_type` (DuckDB's type name). -#}
{% macro graphlets_empty_list(element_type) -%}
    {{ return(adapter.dispatch('graphlets_empty_list', 'graphlets')(element_type)) }}
{%- endmacro %}

{% macro default__graphlets_empty_list(element_type) -%}
    []::{{ element_type }}[]
{%- endmacro %}

{#- Spark's untyped empty array: `coalesce` and comparisons widen it to the other side. -#}
{% macro spark__graphlets_empty_list(element_type) -%}
    array()
{%- endmacro %}

{#- The elements of `list` as text, separated by `separator` (NULLs skipped). -#}
{% macro graphlets_list_join(list, separator) -%}
    {{ return(adapter.dispatch('graphlets_list_join', 'graphlets')(list, separator)) }}
{%- endmacro %}

{% macro default__graphlets_list_join(list, separator) -%}
    array_to_string({{ list }}, {{ separator }})
{%- endmacro %}

{% macro spark__graphlets_list_join(list, separator) -%}
    array_join({{ list }}, {{ separator }})
{%- endmacro %}

{#- The number of elements of `list`. -#}
{% macro graphlets_list_length(list) -%}
    {{ return(adapter.dispatch('graphlets_list_length', 'graphlets')(list)) }}
{%- endmacro %}

{% macro default__graphlets_list_length(list) -%}
    len({{ list }})
{%- endmacro %}

{% macro spark__graphlets_list_length(list) -%}
    size({{ list }})
{%- endmacro %}

{#- `expression` (a list or struct) as JSON text, NULL fields written as `null` (Spark's
    to_json leaves them out unless told). -#}
{% macro graphlets_to_json(expression) -%}
    {{ return(adapter.dispatch('graphlets_to_json', 'graphlets')(expression)) }}
{%- endmacro %}

{% macro default__graphlets_to_json(expression) -%}
    to_json({{ expression }})
{%- endmacro %}

{% macro spark__graphlets_to_json(expression) -%}
    to_json({{ expression }}, map('ignoreNullFields', 'false'))
{%- endmacro %}
