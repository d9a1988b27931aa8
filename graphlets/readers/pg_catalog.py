"""A Postgres catalog compatibility layer for ``graphlets serve`` (what psql's ``\\d`` needs).

DuckDB emulates a part of Postgres' ``pg_catalog``; psql's describe queries (``\\d TABLE``,
``\\d+``, ``\\l``, ``\\df``) reference columns, relations and functions it lacks. Each session
gets, before its configuration is locked:

- an in-memory catalog ``pg_compat`` (attached next to the read-only snapshot) holding views
  that extend DuckDB's ``pg_catalog`` relations with the missing columns, and empty relations
  for what a read-only DuckDB snapshot does not have. Every constant is true of such a
  snapshot: no row security, no OIDs, no TOAST, no policies, inheritance, publications or
  extended statistics, one database (the snapshot's catalog);
- temporary macros for the catalog functions psql calls, among them ``col_description`` and
  ``obj_description`` returning the DuckDB comments (the model and column descriptions dbt's
  ``persist_docs`` writes).

:func:`rewrite` then points a client's ``pg_catalog.<relation>`` at ``pg_compat.<relation>``
and ``pg_catalog.<function>(`` at the session macro, token by token (string literals and
comments are left alone, the rest of the text byte for byte). The rewritten text is what
the read-only gate checks and DuckDB runs: the layer only adds names, never a way around the
gate, which refuses any statement that would touch ``pg_compat``'s definitions.
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

COMPAT_CATALOG = "pg_compat"

SERVER_VERSION = "15.0"
# The Postgres session settings clients read (``SHOW x``, ``current_setting('x')``,
# ``pg_settings``), by lowercase name: (Postgres' name, value). Constants of a read-only
# snapshot; DuckDB's own settings are never shown.
PG_SETTINGS: dict[str, tuple[str, str]] = {
    "transaction isolation level": ("transaction_isolation", "read committed"),
    "transaction_isolation": ("transaction_isolation", "read committed"),
    "transaction_read_only": ("transaction_read_only", "on"),
    "default_transaction_read_only": ("default_transaction_read_only", "on"),
    "standard_conforming_strings": ("standard_conforming_strings", "on"),
    "server_version": ("server_version", SERVER_VERSION),
    "server_version_num": ("server_version_num", "150000"),
    "server_encoding": ("server_encoding", "UTF8"),
    "client_encoding": ("client_encoding", "UTF8"),
    "datestyle": ("DateStyle", "ISO, MDY"),
    "timezone": ("TimeZone", "UTC"),
    "time zone": ("TimeZone", "UTC"),
    "intervalstyle": ("IntervalStyle", "postgres"),
    "integer_datetimes": ("integer_datetimes", "on"),
    "max_identifier_length": ("max_identifier_length", "63"),
    "max_index_keys": ("max_index_keys", "32"),
    "lc_collate": ("lc_collate", "C"),
    "lc_ctype": ("lc_ctype", "C"),
    "is_superuser": ("is_superuser", "off"),
    "search_path": ("search_path", "marts, main"),
    "application_name": ("application_name", ""),
}

_SNAPSHOT_SCHEMAS = "(select oid from pg_catalog.pg_namespace)"

# Column types as Postgres clients see them: the type each column's values arrive as on the
# wire (graphlets/readers/serve.py), with numeric's precision and scale as Postgres' typmod.
# (Postgres oid, format_type's name, the type's own name: information_schema's udt_name.)
PG_TYPES: dict[int, tuple[str, str]] = {
    20: ("bigint", "int8"),
    23: ("integer", "int4"),
    1700: ("numeric", "numeric"),
    701: ("double precision", "float8"),
    16: ("boolean", "bool"),
    25: ("text", "text"),
    1082: ("date", "date"),
    1083: ("time without time zone", "time"),
    1114: ("timestamp without time zone", "timestamp"),
    17: ("bytea", "bytea"),
}
# DuckDB's type names (duckdb_columns().data_type) and the Postgres oid they go out as;
# DECIMAL(p,s) is numeric, anything else (lists, structs, maps, enums, UUID...) text.
_DUCKDB_TYPES: dict[int, tuple[str, ...]] = {
    20: ("BIGINT", "UINTEGER"),
    23: ("INTEGER", "SMALLINT", "TINYINT", "UTINYINT", "USMALLINT"),
    1700: ("UBIGINT", "HUGEINT", "UHUGEINT", "BIGNUM", "VARINT"),
    701: ("DOUBLE", "FLOAT"),
    16: ("BOOLEAN",),
    1082: ("DATE",),
    1083: ("TIME",),
    1114: (
        "TIMESTAMP",
        "TIMESTAMP_S",
        "TIMESTAMP_MS",
        "TIMESTAMP_NS",
        "TIMESTAMP WITH TIME ZONE",  # sent as UTC timestamps
    ),
    17: ("BLOB",),
}


def _type_oid(data_type: str) -> str:
    """SQL: the Postgres type oid of a DuckDB column whose type name is ``data_type``."""
    arms = " ".join(
        f"when {data_type} in ({', '.join(repr(n) for n in names)}) then {oid}"
        for oid, names in _DUCKDB_TYPES.items()
    )
    return f"case {arms} when {data_type} like 'DECIMAL(%' then 1700 else 25 end"


def _typmod(data_type: str, precision: str, scale: str) -> str:
    """SQL: Postgres' typmod of the column: ``((precision << 16) | scale) + 4`` for numeric."""
    numeric = f"(({precision} << 16) | {scale}) + 4"
    return f"case when {data_type} like 'DECIMAL(%' then {numeric} else -1 end"


def _format_type(oid: str, typmod: str) -> str:
    """SQL: Postgres' ``format_type(oid, typmod)`` of the types above (else pg_type's name)."""
    names = " ".join(f"when {n} then '{name}'" for n, (name, _) in PG_TYPES.items())
    return f"""case
        when {oid} = 1700 and {typmod} >= 4
            then 'numeric(' || (({typmod} - 4) >> 16) || ',' || (({typmod} - 4) & 65535) || ')'
        else coalesce(case {oid} {names} end,
                      (select first(t.typname) from pg_catalog.pg_type t where t.oid = {oid}))
        end"""


def _udt_name(oid: str) -> str:
    names = " ".join(f"when {n} then '{udt}'" for n, (_, udt) in PG_TYPES.items())
    return f"case {oid} {names} else 'text' end"


# Well-known Postgres catalog relations by oid, so that ``'pg_catalog.pg_class'::regclass``
# finds the oid that pg_description's classoid holds.
_CATALOG_OIDS = {
    "pg_class": 1259,
    "pg_namespace": 2615,
    "pg_proc": 1255,
    "pg_type": 1247,
    "pg_attribute": 1249,
    "pg_constraint": 2606,
    "pg_index": 2610,
    "pg_database": 1262,
    "pg_description": 2609,
}
_CATALOG_ROWS = ", ".join(f"({o}, 'pg_catalog', '{n}')" for n, o in _CATALOG_OIDS.items())
_PG_CATALOG_NSP = 11
_REL, _NSP, _TYP, _PRO = (
    _CATALOG_OIDS[k] for k in ("pg_class", "pg_namespace", "pg_type", "pg_proc")
)

# Relations psql reads, as views over DuckDB's: the missing columns with their (constant)
# values, and typed NULLs where psql applies array operators to a column DuckDB leaves untyped.
_RELATIONS: dict[str, str] = {
    "pg_class": f"""
        select * replace (
                   cast(null as varchar[]) as reloptions,
                   cast(null as varchar[]) as relacl,
                   'd' as relreplident,
                   case when relkind = 'i' then relam end as relam),
               false as relforcerowsecurity
        from pg_catalog.pg_class
        where relnamespace in {_SNAPSHOT_SCHEMAS}""",
    "pg_attribute": f"""
        select a.* replace (
                   {_type_oid("c.data_type")} as atttypid,
                   {_typmod("c.data_type", "c.numeric_precision", "c.numeric_scale")}
                       as atttypmod,
                   'p' as attstorage,
                   -1 as attstattarget,
                   cast(null as varchar) as attcompression,
                   cast(null as varchar[]) as attacl,
                   cast(null as varchar[]) as attoptions,
                   cast(null as varchar[]) as attfdwoptions)
        from pg_catalog.pg_attribute a
        left join duckdb_columns() c
            on c.table_oid = a.attrelid and c.column_index = a.attnum""",
    # The snapshot's schemas and pg_catalog (oid 11, as in Postgres), where the types are
    # (pg_type's typnamespace).
    "pg_namespace": f"""
        select * replace (cast(null as varchar[]) as nspacl) from pg_catalog.pg_namespace
        union all
        select {_PG_CATALOG_NSP}, 'pg_catalog', 10, cast(null as varchar[])""",
    "pg_database": """
        select *, 0 as datdba, 6 as encoding, 'C' as datcollate, 'C' as datctype,
               cast(null as varchar) as daticulocale, 'c' as datlocprovider,
               cast(null as varchar[]) as datacl, -1 as datconnlimit, 0 as dattablespace
        from pg_catalog.pg_database
        where datname = current_database()""",
    "pg_proc": f"""
        select * from pg_catalog.pg_proc where pronamespace in {_SNAPSHOT_SCHEMAS}""",
    # The comments (dbt's persist_docs), with classoid the catalog each object is in.
    "pg_description": f"""
        select table_oid as objoid, {_REL} as classoid, 0 as objsubid, comment as description
        from duckdb_tables() where not internal and comment is not null
        union all
        select table_oid, {_REL}, column_index, comment from duckdb_columns()
        where not internal and comment is not null
        union all
        select view_oid, {_REL}, 0, comment from duckdb_views()
        where not internal and comment is not null
        union all
        select index_oid, {_REL}, 0, comment from duckdb_indexes() where comment is not null
        union all
        select sequence_oid, {_REL}, 0, comment from duckdb_sequences()
        where comment is not null
        union all
        select type_oid, {_TYP}, 0, comment from duckdb_types()
        where not internal and comment is not null
        union all
        select function_oid, {_PRO}, 0, comment from duckdb_functions()
        where not internal and comment is not null
        union all
        select oid, {_NSP}, 0, comment from duckdb_schemas()
        where database_name = current_database() and comment is not null""",
    # What ``to_regclass`` looks names up in: the snapshot's relations, then the catalog's.
    "regclass_names": f"""
        select c.oid, n.nspname, c.relname
        from pg_compat.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        union all
        select * from (values {_CATALOG_ROWS}) v(oid, nspname, relname)""",
    # DuckDB lists a pseudo type "enum" without an oid (SQLAlchemy would reflect it as an enum).
    # It has no "text" (oid 25, what VARCHAR columns go out as): a copy of "varchar".
    # Every type is in pg_catalog, with Postgres' 0 for "no relation" and "no element".
    "pg_type": f"""
        select * replace ({_PG_CATALOG_NSP} as typnamespace, coalesce(typrelid, 0) as typrelid,
                          coalesce(typelem, 0) as typelem)
        from (select * from pg_catalog.pg_type where oid is not null
              union all
              select * replace (25 as oid, 'text' as typname) from pg_catalog.pg_type
              where oid = 1043)""",
    "pg_index": """
        select *, false as indnullsnotdistinct from pg_catalog.pg_index""",
    # Table statistics (Metabase reads the row estimate): DuckDB's estimated row counts, no
    # scan or vacuum counters.
    "pg_stat_user_tables": """
        select t.table_oid as relid, t.schema_name as schemaname, t.table_name as relname,
               cast(null as bigint) as seq_scan, cast(null as bigint) as idx_scan,
               t.estimated_size as n_live_tup, 0 as n_dead_tup,
               cast(null as timestamp) as last_vacuum, cast(null as timestamp) as last_analyze
        from duckdb_tables() t
        where not t.internal and t.database_name = current_database()""",
    # The Postgres session settings (DuckDB's own pg_settings lists DuckDB's settings, which
    # the gate does not let a client read).
    "pg_settings": """
        select name, setting, cast(null as varchar) as unit, 'Client Connection Defaults'
                   as category, '' as short_desc, '' as extra_desc, 'user' as context,
               'string' as vartype, 'default' as source, cast(null as varchar) as min_val,
               cast(null as varchar) as max_val, cast(null as varchar[]) as enumvals,
               setting as boot_val, setting as reset_val, false as pending_restart
        from (values """
    + ", ".join(f"('{name}', '{value}')" for name, value in dict(PG_SETTINGS.values()).items())
    + """) v(name, setting)""",
    # What a read-only DuckDB snapshot does not have: the relations, empty.
    "pg_opclass": """
        select 0 as oid, 0 as opcmethod, '' as opcname, 0 as opcnamespace, 0 as opcowner,
               0 as opcfamily, 0 as opcintype, false as opcdefault, 0 as opckeytype
        where false""",
    "pg_policy": """
        select 0 as oid, '' as polname, 0 as polrelid, '' as polcmd, true as polpermissive,
               cast([] as bigint[]) as polroles, '' as polqual, '' as polwithcheck
        where false""",
    "pg_statistic_ext": """
        select 0 as oid, 0 as stxrelid, '' as stxname, 0 as stxnamespace, 0 as stxowner,
               -1 as stxstattarget, cast([] as integer[]) as stxkeys,
               cast([] as varchar[]) as stxkind, '' as stxexprs
        where false""",
    "pg_statistic_ext_data": """
        select 0 as stxoid, false as stxdinherit, '' as stxdndistinct
        where false""",
    "pg_publication": """
        select 0 as oid, '' as pubname, 0 as pubowner, false as puballtables,
               false as pubinsert, false as pubupdate, false as pubdelete,
               false as pubtruncate, false as pubviaroot
        where false""",
    "pg_publication_rel": """
        select 0 as oid, 0 as prpubid, 0 as prrelid, '' as prqual,
               cast([] as integer[]) as prattrs
        where false""",
    "pg_publication_namespace": """
        select 0 as oid, 0 as pnpubid, 0 as pnnspid where false""",
    "pg_inherits": """
        select 0 as inhrelid, 0 as inhparent, 0 as inhseqno, false as inhdetachpending
        where false""",
    "pg_partitioned_table": """
        select 0 as partrelid, '' as partstrat, 0 as partnatts, 0 as partdefid
        where false""",
    "pg_trigger": """
        select 0 as oid, 0 as tgrelid, 0 as tgparentid, '' as tgname, '' as tgenabled,
               false as tgisinternal
        where false""",
    "pg_rewrite": """
        select 0 as oid, '' as rulename, 0 as ev_class, '' as ev_type, '' as ev_enabled,
               false as is_instead
        where false""",
    "pg_roles": """
        select 0 as oid, 'graphlets' as rolname, false as rolsuper, true as rolinherit,
               false as rolcreaterole, false as rolcreatedb, true as rolcanlogin,
               false as rolreplication, false as rolbypassrls, -1 as rolconnlimit,
               cast(null as timestamp) as rolvaliduntil""",
    "pg_auth_members": """
        select 0 as oid, 0 as roleid, 0 as member, 0 as grantor, false as admin_option
        where false""",
    # The snapshot's tables and views (DuckDB's list every attached catalog's, this layer's
    # too, owned by "duckdb").
    "pg_tables": """
        select schema_name as schemaname, table_name as tablename, 'graphlets' as tableowner,
               cast(null as varchar) as tablespace, index_count > 0 as hasindexes,
               false as hasrules, false as hastriggers, false as rowsecurity
        from duckdb_tables() where not internal and database_name = current_database()""",
    "pg_views": """
        select schema_name as schemaname, view_name as viewname, 'graphlets' as viewowner,
               sql as definition
        from duckdb_views() where not internal and database_name = current_database()""",
    "pg_shdescription": """
        select 0 as objoid, 0 as classoid, '' as description where false""",
    "pg_aggregate": """
        select 0 as aggfnoid, 'n' as aggkind, 0 as aggnumdirectargs, 0 as aggtransfn,
               0 as aggfinalfn, 0 as aggsortop, 0 as aggtranstype,
               cast(null as varchar) as agginitval
        where false""",
    "pg_matviews": """
        select '' as schemaname, '' as matviewname, '' as matviewowner,
               cast(null as varchar) as tablespace, false as hasindexes, true as ispopulated,
               '' as definition
        where false""",
    "pg_extension": """
        select 0 as oid, '' as extname, 0 as extowner, 0 as extnamespace,
               false as extrelocatable, '' as extversion
        where false""",
    # A session's cursors are not listed (psycopg looks a cursor up here only to close one
    # it did not declare itself; a cursor goes at the end of its transaction anyway).
    "pg_cursors": """
        select '' as name, '' as statement, false as is_holdable, false as is_binary,
               false as is_scrollable, cast(null as timestamp) as creation_time
        where false""",
    "pg_foreign_table": """
        select 0 as ftrelid, 0 as ftserver, cast([] as varchar[]) as ftoptions where false""",
}

# information_schema relations BI tools read, in Postgres' terms (``information_schema.<name>``
# is pointed at ``pg_compat.information_schema_<name>``): DuckDB's columns view gives DuckDB's
# type names (``BIGINT``, ``DECIMAL(22,2)``) and no udt_name.
_PG_OID = _type_oid("data_type")
_INFORMATION_SCHEMA: dict[str, str] = {
    "columns": f"""
        select * exclude (pg_oid) replace (
                   {_format_type("pg_oid", "-1")} as data_type,
                   current_database() as udt_catalog,
                   'pg_catalog' as udt_schema,
                   {_udt_name("pg_oid")} as udt_name,
                   cast(null as integer) as character_maximum_length,
                   case when pg_oid = 20 then 64 when pg_oid = 23 then 32
                        when pg_oid = 701 then 53
                        when pg_oid = 1700 and data_type like 'DECIMAL(%' then numeric_precision
                   end as numeric_precision,
                   case when pg_oid in (20, 23, 701) then 2 when pg_oid = 1700 then 10
                   end as numeric_precision_radix,
                   case when pg_oid in (20, 23) then 0
                        when pg_oid = 1700 and data_type like 'DECIMAL(%' then numeric_scale
                   end as numeric_scale,
                   case when pg_oid = 1082 then 0 when pg_oid in (1083, 1114) then 6
                   end as datetime_precision,
                   cast(ordinal_position as varchar) as dtd_identifier,
                   'NO' as is_self_referencing,
                   'NO' as is_identity,
                   'NO' as identity_cycle,
                   'NEVER' as is_generated,
                   'NO' as is_updatable)
        from (select *, {_PG_OID} as pg_oid from information_schema.columns
              where table_catalog = current_database())""",
    # The snapshot's own relations and schemas (DuckDB's views list every attached catalog,
    # this layer's pg_compat and the engine's system and temp ones too).
    "tables": """
        select * from information_schema.tables where table_catalog = current_database()""",
    "schemata": """
        select * from information_schema.schemata where catalog_name = current_database()""",
}

_OBJ_COMMENT = """(
    select first(md_.description) from pg_compat.pg_description md_
    where md_.objoid = object_oid and md_.objsubid = 0)"""
_READ_PRIVILEGE = "regexp_matches(lower(privilege), '\\bselect\\b')"
_USAGE_PRIVILEGE = "regexp_matches(lower(privilege), '\\busage\\b')"
_INDEX_SQL = "(select first(mi_.sql) from duckdb_indexes() mi_ where mi_.index_oid = idx_oid)"

# Catalog functions psql and BI tools call that DuckDB lacks or answers with NULL: temporary
# macros (a temporary macro is found before DuckDB's pg_catalog function of the same name).
# The macros' own aliases end in "_" (``mc_``...): DuckDB expands an argument inside the
# body, where a caller's ``c.x`` would otherwise bind to the macro's ``c``.
_FUNCTIONS: dict[str, str] = {
    "pg_get_userbyid": "(role_oid) as 'graphlets'",
    "pg_encoding_to_char": "(encoding) as 'UTF8'",
    "pg_client_encoding": "() as 'UTF8'",
    "to_regtype": """(wanted) as (
        select min(mt_.oid) from pg_catalog.pg_type mt_ where mt_.typname = wanted)""",
    "col_description": """(rel_oid, col_number) as (
        select first(mc_.comment) from duckdb_columns() mc_
        where mc_.table_oid = rel_oid and mc_.column_index = col_number)""",
    "obj_description": (
        f"(object_oid) as {_OBJ_COMMENT}, (object_oid, catalog_name) as {_OBJ_COMMENT}"
    ),
    "pg_get_expr": "(expr, rel_oid) as expr, (expr, rel_oid, pretty) as expr",
    "pg_get_indexdef": (
        f"(idx_oid) as {_INDEX_SQL}, (idx_oid, col_number, pretty) as {_INDEX_SQL}"
    ),
    "pg_get_function_result": """(fn_oid) as (
        select first(mf_.return_type) from duckdb_functions() mf_
        where mf_.function_oid = fn_oid)""",
    "pg_get_function_arguments": """(fn_oid) as (
        select first(array_to_string(mf_.parameters, ', ')) from duckdb_functions() mf_
        where mf_.function_oid = fn_oid)""",
    "pg_relation_is_publishable": "(rel_oid) as false",
    # The snapshot's one role (pg_roles, pg_get_userbyid), whatever name a client logged in
    # with: never DuckDB's "duckdb".
    "current_user": "() as 'graphlets'",
    "session_user": "() as 'graphlets'",
    # No backend processes to signal (pg_cancel_backend/pg_terminate_backend are refused):
    # one id for every session, as Postgres' would be for a single backend.
    "pg_backend_pid": "() as 0",
    "pg_stat_get_numscans": "(rel_oid) as cast(0 as bigint)",
    # A read-only snapshot: every relation may be read, none written (Metabase marks a table
    # writable, and offers actions on it, when UPDATE/INSERT/DELETE are granted); every
    # schema may be used, none created in. A privilege list ("SELECT, INSERT") holds if one
    # of its privileges does, as in Postgres.
    "has_table_privilege": (
        f"(rel, privilege) as {_READ_PRIVILEGE}, (role, rel, privilege) as {_READ_PRIVILEGE}"
    ),
    "has_any_column_privilege": (
        f"(rel, privilege) as {_READ_PRIVILEGE}, (role, rel, privilege) as {_READ_PRIVILEGE}"
    ),
    "has_column_privilege": (
        f"(rel, col, privilege) as {_READ_PRIVILEGE}, "
        f"(role, rel, col, privilege) as {_READ_PRIVILEGE}"
    ),
    "has_schema_privilege": (
        f"(nsp, privilege) as {_USAGE_PRIVILEGE}, (role, nsp, privilege) as {_USAGE_PRIVILEGE}"
    ),
    # Postgres' parse_ident('a."B".c'): the dotted name's parts, unquoted names lowercased,
    # quoted ones as written (inner "" as ").
    "parse_ident": """(name) as list_transform(
        regexp_extract_all(name, '"(?:[^"]|"")*"|[^."]+'),
        mp_ -> case when starts_with(mp_, '"')
                    then replace(mp_[2:-2], '""', '"') else lower(trim(mp_)) end)""",
    # A snapshot has no serial columns (nor sequences): NULL, as Postgres for such a column.
    "pg_get_serial_sequence": "(table_name, column_name) as cast(null as varchar)",
    # ``x::regclass`` and ``CAST(x AS regclass)`` (see rewrite): an oid as it is, a relation
    # name ("schema.table", "table" on the search path, quotes optional) as its oid, else NULL.
    "to_regclass": """(rel) as coalesce(
        try_cast(cast(rel as varchar) as bigint),
        (select mr_.oid from pg_compat.regclass_names mr_
         where mr_.relname = trim(string_split(cast(rel as varchar), '.')[-1], '"')
           and (len(string_split(cast(rel as varchar), '.')) = 1
                   and mr_.nspname in ('pg_catalog', 'marts', 'main')
                or mr_.nspname = trim(string_split(cast(rel as varchar), '.')[-2], '"'))
         order by list_position(['pg_catalog', 'marts', 'main'], mr_.nspname) nulls last
         limit 1))""",
    "format_type": f"(type_oid, typmod) as {_format_type('type_oid', 'typmod')}",
    # Postgres' json_build_object(k1, v1, ...) is DuckDB's json_object (up to 16 pairs).
    "json_build_object": ", ".join(
        "({}) as json_object({})".format(
            ", ".join(f"a{i}" for i in range(n)),
            ", ".join(f"cast(a{i} as varchar)" if i % 2 == 0 else f"a{i}" for i in range(n)),
        )
        for n in range(0, 33, 2)
    ),
    "array_upper": "(arr, dim) as case when dim = 1 then len(arr) end",
    "array_lower": "(arr, dim) as case when dim = 1 and len(arr) > 0 then 1 end",
    "pg_get_partkeydef": "(rel_oid) as cast(null as varchar)",
    # A name as an SQL identifier: as it is if it is a plain lowercase name and no reserved
    # keyword, else in double quotes (inner quotes doubled).
    "quote_ident": """(name) as case
        when regexp_full_match(name, '[a-z_][a-z0-9_$]*') and not exists (
                 select 1 from duckdb_keywords() mk_
                 where mk_.keyword_name = name and mk_.keyword_category <> 'unreserved')
            then name
        else '"' || replace(name, '"', '""') || '"' end""",
    # A value as an SQL literal (chr(39) is the single quote), NULL as the word NULL.
    "quote_literal": """(value) as case when value is null then 'NULL' else
        chr(39) || replace(cast(value as varchar), chr(39), chr(39) || chr(39)) || chr(39)
        end""",
    "quote_nullable": "(value) as quote_literal(value)",
    # information_schema._pg_expandarray(arr): one row (x, n) per element and its position.
    "_pg_expandarray": "(arr) as unnest(list_transform(arr, (v, i) -> {'x': v, 'n': i}))",
    # The first %s, %I or %L of fmt replaced by arg.
    "pg_format_one": """(fmt, arg) as case
        when regexp_extract(fmt, '(?s)^.*?%([sIL])', 1) = '' then fmt
        else regexp_extract(fmt, '(?s)^(.*?)%[sIL]', 1)
             || case regexp_extract(fmt, '(?s)^.*?%([sIL])', 1)
                    when 'I' then quote_ident(cast(arg as varchar))
                    when 'L' then quote_literal(arg)
                    else coalesce(cast(arg as varchar), '') end
             || regexp_extract(fmt, '(?s)^.*?%[sIL](.*)$', 1) end""",
    # Postgres' format(fmt, ...) with %s, %I (quote_ident) and %L (quote_literal), for up to
    # four arguments (see rewrite: only a call whose format string has a % comes here).
    "pg_format": ", ".join(
        "({}) as {}".format(
            ", ".join(["fmt", *(f"a{i}" for i in range(n))]),
            functools.reduce(lambda acc, i: f"pg_format_one({acc}, a{i})", range(n), "fmt"),
        )
        for n in range(1, 5)
    ),
    "pg_get_statisticsobjdef_columns": "(stat_oid) as cast(null as varchar)",
    # Sizes are unknown (DuckDB does not account storage per table): NULL, as in Postgres
    # for a relation it cannot measure.
    "pg_table_size": "(rel_oid) as cast(null as bigint)",
    "pg_relation_size": "(rel_oid) as cast(null as bigint), (rel_oid, fork) as null",
    "pg_total_relation_size": "(rel_oid) as cast(null as bigint)",
    "pg_database_size": "(db) as cast(null as bigint)",
}


# Set-returning catalog functions: temporary table macros.
_TABLE_FUNCTIONS: dict[str, str] = {
    # The parser's keywords with Postgres' category codes (DBeaver reads them on connect).
    "pg_get_keywords": """() as table
        select keyword_name as word,
               case keyword_category when 'reserved' then 'R' when 'type_function' then 'T'
                    when 'column_name' then 'C' else 'U' end as catcode,
               true as barelabel,
               case keyword_category when 'reserved' then 'reserved'
                    when 'type_function' then 'reserved (can be function or type name)'
                    when 'column_name' then 'unreserved (cannot be function or type name)'
                    else 'unreserved' end as catdesc,
               true as baredesc
        from duckdb_keywords()""",
}


def macro_names() -> tuple[str, ...]:
    """The names of the session's scalar macros (the gate allows calling them)."""
    return tuple(_FUNCTIONS)


def table_macro_names() -> tuple[str, ...]:
    """The names of the session's table macros (the gate allows them in a FROM list)."""
    return tuple(_TABLE_FUNCTIONS)


def connection_statements() -> tuple[str, ...]:
    """The statements that install the layer's macros on one more connection of a session."""
    scalars = (f"create temp macro {name}{body.strip()}" for name, body in _FUNCTIONS.items())
    tables = (f"create temp macro {n}{body.strip()}" for n, body in _TABLE_FUNCTIONS.items())
    return (*scalars, *tables)


def setup_statements() -> tuple[str, ...]:
    """The statements that install the layer in a fresh session (before the lock)."""
    views = tuple(
        f"create view {COMPAT_CATALOG}.{name} as {body.strip()}"
        for name, body in _RELATIONS.items()
    )
    views += tuple(
        f"create view {COMPAT_CATALOG}.information_schema_{name} as {body.strip()}"
        for name, body in _INFORMATION_SCHEMA.items()
    )
    return (f"attach ':memory:' as {COMPAT_CATALOG}", *views, *connection_statements())


Edit = tuple[int, int, str]  # replace sql[start:end] by the text

# Set-returning functions of one column: in Postgres ``FROM f(...) s`` names the column ``s``
# too (psql relies on it: ``unnest(reloptions) x``, ``generate_series(...) s``); in DuckDB
# the alias alone names a row. ``s`` becomes ``s(s)`` (in a FROM list only: in a select list
# ``f(...) AS s`` already names the column).
_ONE_COLUMN_SRFS = frozenset({"unnest", "generate_series", "generate_subscripts"})
# The keywords that start a clause: the nearest one before a call says where the call is.
_CLAUSES = frozenset(
    {
        TokenType.SELECT,
        TokenType.FROM,
        TokenType.JOIN,
        TokenType.WHERE,
        TokenType.ON,
        TokenType.USING,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.ORDER_BY,
        TokenType.LIMIT,
        TokenType.QUALIFY,
        TokenType.WINDOW,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
    }
)
# Postgres' object-identifier types. ``x::regclass`` / ``CAST(x AS regclass)`` become
# ``to_regclass(x)`` (the relation's oid, from its oid or its name); the others are dropped
# (DuckDB's catalog compares their oids as plain numbers).
_REGCLASS = "regclass"
_OID_TYPES = frozenset({"regclass", "regtype", "regproc", "regprocedure", "regnamespace"})


def rewrite(sql: str) -> str:
    """``sql`` with Postgres catalog idioms rewritten for DuckDB (see above), token by token.

    String literals, quoted identifiers and comments are never edited.
    """
    try:
        tokens = sqlglot.tokenize(sql, read="postgres")
    except TokenError:
        return sql  # the gate refuses what cannot be tokenized
    edits = sorted(e for i in range(len(tokens)) for e in _edits(tokens, i))
    out, last = [], 0
    for start, end, text in edits:
        if start < last:
            return sql  # overlapping edits: leave the text to the gate as it is
        out.append(sql[last:start])
        out.append(text)
        last = end
    return "".join(out) + sql[last:]


def _edits(tokens: list[Token], i: int) -> list[Edit]:
    edits = [
        _qualifier(tokens, i),
        _information_schema(tokens, i),
        _column_alias(tokens, i),
        _bare_relation(tokens, i),
        _pg_format(tokens, i),
        _current_setting(tokens, i),
        _keyword_label(tokens, i),
        _like_escape(tokens, i),
    ]
    found = [e for e in edits if e is not None]
    found.extend(_scalar_in_from(tokens, i))
    for idiom in (_operator, _collate_default, _cast_suffix, _cast_call):
        found.extend(idiom(tokens, i))
    return found


def _qualifier(tokens: list[Token], i: int) -> Edit | None:
    """The replacement of the ``pg_catalog`` qualifier at ``tokens[i]``, if it has one."""
    if i + 2 >= len(tokens):
        return None
    qualifier, dot, name = tokens[i : i + 3]
    if not _is_pg_catalog(tokens, i) or dot.token_type != TokenType.DOT:
        return None
    if i > 0 and tokens[i - 1].token_type in (TokenType.DOT, TokenType.DCOLON, TokenType.ALIAS):
        return None  # x.pg_catalog.y (not DuckDB's pg_catalog), or a type (see _cast_*)
    if i > 1 and (tokens[i - 2].token_type, tokens[i - 1].token_type) == (
        TokenType.OPERATOR,
        TokenType.L_PAREN,
    ):
        return None  # OPERATOR(pg_catalog.~) (see _operator)
    if i > 0 and tokens[i - 1].token_type == TokenType.COLLATE:
        return None
    if name.text.lower() in _RELATIONS:
        return qualifier.start, qualifier.end + 1, COMPAT_CATALOG
    if _is(tokens, i + 3, TokenType.L_PAREN):
        # Postgres keeps every built-in function in pg_catalog, DuckDB in its default
        # schemas (and its own pg_catalog, on the search path): unqualified, a call finds
        # the session macro, DuckDB's function or DuckDB's pg_catalog one.
        return qualifier.start, dot.end + 1, ""
    return None


def _information_schema(tokens: list[Token], i: int) -> Edit | None:
    """``information_schema.columns`` -> ``pg_compat.information_schema_columns``..."""
    if i + 2 >= len(tokens) or tokens[i].text.lower() != "information_schema":
        return None
    if not _is(tokens, i + 1, TokenType.DOT) or (
        i > 0 and tokens[i - 1].token_type == TokenType.DOT
    ):
        return None
    name = tokens[i + 2].text.lower()
    if name in _FUNCTIONS and _is(tokens, i + 3, TokenType.L_PAREN):
        return tokens[i].start, tokens[i + 1].end + 1, ""  # information_schema._pg_expandarray(
    if name not in _INFORMATION_SCHEMA:
        return None
    return tokens[i].start, tokens[i + 2].end + 1, f"{COMPAT_CATALOG}.information_schema_{name}"


def _bare_relation(tokens: list[Token], i: int) -> Edit | None:
    """An unqualified catalog relation in a FROM list (``FROM pg_class c``, ``JOIN
    pg_stat_user_tables``) -> ``pg_compat.<relation>``: Postgres finds pg_catalog first."""
    token = tokens[i]
    if token.token_type == TokenType.IDENTIFIER and token.text != token.text.lower():
        return None  # "PG_Class" is not pg_class
    if token.token_type not in (TokenType.VAR, TokenType.IDENTIFIER):
        return None
    if token.text.lower() not in _RELATIONS:
        return None
    if i == 0 or tokens[i - 1].token_type not in (TokenType.FROM, TokenType.JOIN, TokenType.COMMA):
        return None
    if _is(tokens, i + 1, TokenType.DOT) or _is(tokens, i + 1, TokenType.L_PAREN):
        return None
    after_join = tokens[i - 1].token_type == TokenType.COMMA and _in_join_condition(tokens, i)
    if not (_in_from_list(tokens, i) or after_join):
        return None
    return tokens[i].start, tokens[i].start, f"{COMPAT_CATALOG}."


def _pg_format(tokens: list[Token], i: int) -> Edit | None:
    """``format('%I.%I', ...)`` -> ``pg_format(...)``: a format string with ``%`` is
    Postgres' (DuckDB's own format takes ``{}``)."""
    if tokens[i].text.lower() != "format" or not _is(tokens, i + 1, TokenType.L_PAREN):
        return None
    if i > 0 and tokens[i - 1].token_type == TokenType.DOT and not _is_pg_catalog(tokens, i - 2):
        return None
    first = tokens[i + 2] if i + 2 < len(tokens) else None
    if first is None or first.token_type != TokenType.STRING or "%" not in first.text:
        return None
    return tokens[i].start, tokens[i].end + 1, "pg_format"


# Scalar functions Postgres lets a FROM list call (one row; the alias names its column):
# DuckDB calls only table functions there.
_SCALARS_IN_FROM = frozenset({"string_to_array", "regexp_split_to_array", "current_schemas"})


def _scalar_in_from(tokens: list[Token], i: int) -> list[Edit]:
    """``FROM string_to_array(x, ',') s`` -> ``FROM (select string_to_array(x, ',') as s) s``."""
    if tokens[i].text.lower() not in _SCALARS_IN_FROM or not _is(tokens, i + 1, TokenType.L_PAREN):
        return []
    if i == 0 or tokens[i - 1].token_type not in (TokenType.FROM, TokenType.COMMA, TokenType.JOIN):
        return []
    if not _in_from_list(tokens, i):
        return []
    close = _closing_paren(tokens, i + 1)
    alias = close + 2 if _is(tokens, close + 1, TokenType.ALIAS) else close + 1
    if not _is(tokens, alias, TokenType.VAR) or _is(tokens, alias + 1, TokenType.L_PAREN):
        return []
    end = tokens[close].end + 1
    name = tokens[alias].text
    return [(tokens[i].start, tokens[i].start, "(select "), (end, end, f" as {name})")]


def _current_setting(tokens: list[Token], i: int) -> Edit | None:
    """``current_setting('search_path')`` -> the setting's value as a literal, for the
    Postgres session settings (:data:`PG_SETTINGS`); any other name is left to the gate,
    which refuses ``current_setting`` (it would read DuckDB's settings)."""
    if tokens[i].text.lower() != "current_setting" or not _is(tokens, i + 1, TokenType.L_PAREN):
        return None
    if i > 0 and tokens[i - 1].token_type == TokenType.DOT and not _is_pg_catalog(tokens, i - 2):
        return None
    if not _is(tokens, i + 2, TokenType.STRING) or not _is(tokens, i + 3, TokenType.R_PAREN):
        return None
    setting = PG_SETTINGS.get(tokens[i + 2].text.lower())
    if setting is None:
        return None
    value = setting[1].replace("'", "''")
    return tokens[i].start, tokens[i + 3].end + 1, f"'{value}'"


def _keyword_label(tokens: list[Token], i: int) -> Edit | None:
    """``x AS update,`` -> ``x AS "update",``: Postgres takes any keyword as a column label
    after AS (Metabase labels its privilege columns ``select``, ``update``...); DuckDB's
    parser and the gate's need it quoted."""
    if not _is(tokens, i, TokenType.ALIAS) or i + 2 >= len(tokens):
        return None
    label, after = tokens[i + 1], tokens[i + 2]
    if label.token_type in (TokenType.VAR, TokenType.IDENTIFIER, TokenType.STRING):
        return None
    if after.token_type not in (TokenType.COMMA, TokenType.FROM) or not _WORD.fullmatch(label.text):
        return None
    return label.start, label.end + 1, f'"{label.text.lower()}"'


def _like_escape(tokens: list[Token], i: int) -> Edit | None:
    """``LIKE 'fct\\_x'`` -> ``LIKE 'fct\\_x' ESCAPE '\\'``: Postgres' LIKE escapes with a
    backslash unless told otherwise (psqlODBC escapes ``_`` in names so), DuckDB's with
    nothing."""
    if tokens[i].token_type not in (TokenType.LIKE, TokenType.ILIKE):
        return None
    if not _is(tokens, i + 1, TokenType.STRING) or "\\" not in tokens[i + 1].text:
        return None
    if _is(tokens, i + 2, TokenType.ESCAPE):
        return None
    end = tokens[i + 1].end + 1
    return end, end, " ESCAPE '\\'"


def _operator(tokens: list[Token], i: int) -> list[Edit]:
    """``OPERATOR(pg_catalog.~)`` -> ``~`` (psql's regular-expression matches)."""
    if tokens[i].token_type != TokenType.OPERATOR or not _is(tokens, i + 1, TokenType.L_PAREN):
        return []
    close = _closing_paren(tokens, i + 1)
    inner = tokens[i + 2 : close]
    if len(inner) > 2 and _is_pg_catalog(tokens, i + 2) and _is(tokens, i + 3, TokenType.DOT):
        inner = inner[2:]
    if not inner or close >= len(tokens):
        return []
    op = "".join(t.text for t in inner)
    return [(tokens[i].start, tokens[close].end + 1, op)]


def _collate_default(tokens: list[Token], i: int) -> list[Edit]:
    """`` COLLATE pg_catalog.default`` (or ``"default"``) removed: DuckDB's is the same."""
    if tokens[i].token_type != TokenType.COLLATE or i == 0:
        return []
    j = i + 1
    if _is_pg_catalog(tokens, j) and _is(tokens, j + 1, TokenType.DOT):
        j += 2
    if j >= len(tokens) or tokens[j].text.lower() != "default":
        return []
    return [(tokens[i - 1].end + 1, tokens[j].end + 1, "")]


def _type_name(tokens: list[Token], j: int) -> tuple[str, int]:
    """The type name at ``tokens[j]`` (``pg_catalog.`` skipped) and its last token's index."""
    if _is_pg_catalog(tokens, j) and _is(tokens, j + 1, TokenType.DOT) and j + 2 < len(tokens):
        return tokens[j + 2].text.lower(), j + 2
    if j < len(tokens) and tokens[j].token_type != TokenType.IDENTIFIER:
        return tokens[j].text.lower(), j
    return "", j


def _cast_suffix(tokens: list[Token], i: int) -> list[Edit]:
    """``x::regclass`` -> ``to_regclass(x)``; ``::regtype``... dropped; ``::pg_catalog.t`` ->
    ``::t``."""
    if tokens[i].token_type != TokenType.DCOLON or i == 0:
        return []
    name, last = _type_name(tokens, i + 1)
    if name not in _OID_TYPES:
        if last == i + 3:  # ::pg_catalog.t
            return [(tokens[i + 1].start, tokens[i + 3].start, "")]
        return []
    drop = (tokens[i].start, tokens[last].end + 1, "")
    if name != _REGCLASS:
        return [drop]
    start = _operand_start(tokens, i - 1)
    if start is None:
        return []
    return [(tokens[start].start, tokens[start].start, "to_regclass("), (*drop[:2], ")")]


def _cast_call(tokens: list[Token], i: int) -> list[Edit]:
    """``CAST(x AS regclass)`` -> ``to_regclass(x)``; ``CAST(x AS regtype)``... -> ``(x)``."""
    if tokens[i].text.lower() != "cast" or not _is(tokens, i + 1, TokenType.L_PAREN):
        return []
    close = _closing_paren(tokens, i + 1)
    if close >= len(tokens):
        return []
    depth, as_at = 0, None
    for j in range(i + 2, close):
        kind = tokens[j].token_type
        depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
        if depth == 0 and kind == TokenType.ALIAS:
            as_at = j
    if as_at is None:
        return []
    name, last = _type_name(tokens, as_at + 1)
    if name not in _OID_TYPES or last != close - 1:
        return []
    call = "to_regclass" if name == _REGCLASS else ""
    return [
        (tokens[i].start, tokens[i].end + 1, call),
        (tokens[as_at - 1].end + 1, tokens[last].end + 1, ""),
    ]


_LITERALS = frozenset(
    {
        TokenType.STRING,
        TokenType.NUMBER,
        TokenType.BYTE_STRING,
        TokenType.HEREDOC_STRING,
        TokenType.NATIONAL_STRING,
        TokenType.PARAMETER,
        TokenType.PLACEHOLDER,
    }
)


# Keywords that are never a name (sqlglot gives some names, like ``oid``, a keyword's type).
_NOT_NAMES = frozenset(
    {
        TokenType.AND,
        TokenType.OR,
        TokenType.NOT,
        TokenType.IN,
        TokenType.IS,
        TokenType.WHEN,
        TokenType.THEN,
        TokenType.ELSE,
        TokenType.CASE,
        TokenType.EXISTS,
        TokenType.ANY,
        TokenType.ALL,
        TokenType.SOME,
        TokenType.BETWEEN,
        TokenType.LIKE,
        TokenType.ILIKE,
        TokenType.DISTINCT,
        TokenType.ALIAS,
        TokenType.VALUES,
        *_CLAUSES,
    }
)


def _is_name(token: Token) -> bool:
    if token.token_type == TokenType.IDENTIFIER:
        return True  # "quoted"
    return token.token_type not in _NOT_NAMES and bool(_WORD.fullmatch(token.text))


_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9$]*")


def _operand_start(tokens: list[Token], j: int) -> int | None:
    """The first token of the operand ending at ``tokens[j]`` (what ``::`` applies to)."""
    kind = tokens[j].token_type
    if kind == TokenType.R_PAREN:
        j = _opening_paren(tokens, j)
        if j > 0 and _is_name(tokens[j - 1]):
            j -= 1  # a function call f(...)
        else:
            return j
    elif kind in _LITERALS:
        if j > 0 and tokens[j - 1].token_type == TokenType.PARAMETER:
            return j - 1  # $1
        return j
    elif not _is_name(tokens[j]):
        return None
    while j > 1 and tokens[j - 1].token_type == TokenType.DOT and _is_name(tokens[j - 2]):
        j -= 2  # a qualified name a.b.c
    return j


def _column_alias(tokens: list[Token], i: int) -> Edit | None:
    """``(alias)`` after ``f(...) alias`` for a one-column set-returning function ``f``."""
    if tokens[i].text.lower() not in _ONE_COLUMN_SRFS or not _is(tokens, i + 1, TokenType.L_PAREN):
        return None
    if i > 0 and tokens[i - 1].token_type not in (TokenType.FROM, TokenType.COMMA, TokenType.DOT):
        return None  # not in a FROM list
    if not _in_from_list(tokens, i):
        return None
    close = _closing_paren(tokens, i + 1)
    alias = close + 2 if _is(tokens, close + 1, TokenType.ALIAS) else close + 1
    if not _is(tokens, alias, TokenType.VAR) or _is(tokens, alias + 1, TokenType.L_PAREN):
        return None
    end = tokens[alias].end + 1
    return end, end, f"({tokens[alias].text})"


def _in_from_list(tokens: list[Token], i: int) -> bool:
    """Whether the nearest clause keyword before ``tokens[i]``, at its depth, is FROM/JOIN."""
    return _clause_before(tokens, i) in (TokenType.FROM, TokenType.JOIN)


def _in_join_condition(tokens: list[Token], i: int) -> bool:
    """Whether the nearest clause keyword before ``tokens[i]``, at its depth, is ON/USING
    (``JOIN b ON ..., c``: ``c`` is the FROM list's next item)."""
    return _clause_before(tokens, i) in (TokenType.ON, TokenType.USING)


def _clause_before(tokens: list[Token], i: int) -> TokenType | None:
    """The nearest clause keyword before ``tokens[i]`` at its depth (None: none, or an
    opening parenthesis first)."""
    depth = 0
    for j in range(i - 1, -1, -1):
        kind = tokens[j].token_type
        if kind == TokenType.R_PAREN:
            depth += 1
        elif kind == TokenType.L_PAREN:
            if depth == 0:
                return None
            depth -= 1
        elif depth == 0 and kind in _CLAUSES:
            return kind
    return None


def _closing_paren(tokens: list[Token], opening: int) -> int:
    depth = 0
    for j in range(opening, len(tokens)):
        if tokens[j].token_type == TokenType.L_PAREN:
            depth += 1
        elif tokens[j].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)


def _opening_paren(tokens: list[Token], closing: int) -> int:
    depth = 0
    for j in range(closing, -1, -1):
        if tokens[j].token_type == TokenType.R_PAREN:
            depth += 1
        elif tokens[j].token_type == TokenType.L_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return 0


def _is_pg_catalog(tokens: list[Token], i: int) -> bool:
    return 0 <= i < len(tokens) and tokens[i].text.lower() == "pg_catalog"


def _is(tokens: list[Token], i: int, kind: TokenType) -> bool:
    return 0 <= i < len(tokens) and tokens[i].token_type == kind
