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
