{#- An order-free digest of a set of text keys, as an aggregate: the XOR of the keys' md5s,
    written as 32 hex digits (docs/semantics.md section 9.1). Equal sets give equal digests
    whatever the order of the rows; the rows must be distinct (a key seen twice cancels
    out), and two different sets collide with probability ~2^-128. Unlike an ordered
    `string_agg`, it streams: memory grows with the groups, not with the keys. -#}
{% macro set_digest(key) -%}
    {{ return(adapter.dispatch('set_digest', 'graphlets')(key)) }}
{%- endmacro %}

{% macro default__set_digest(key) -%}
    printf('%016x%016x', bit_xor(md5_number_upper({{ key }})), bit_xor(md5_number_lower({{ key }})))
{%- endmacro %}

{#- Spark: the same 32 hex digits. DuckDB's md5_number_upper / _lower read the digest's
    bytes 0-7 / 8-15 as little-endian integers; XOR works byte by byte, so each row's md5
    is cut into four 32-bit chunks already in that byte order, XORed, and printed. -#}
{% macro spark__set_digest(key) -%}
    {%- set chunks = [[15, 13, 11, 9], [7, 5, 3, 1], [31, 29, 27, 25], [23, 21, 19, 17]] -%}
    concat(
    {%- for positions in chunks %}
        lpad(lower(hex(bit_xor(cast(conv(concat(
            {%- for position in positions -%}
                substr(md5({{ key }}), {{ position }}, 2){{ ', ' if not loop.last }}
            {%- endfor -%}
        ), 16, 10) as bigint)))), 8, '0'){{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}
