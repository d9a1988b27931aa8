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

import sqlglot
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

COMPAT_CATALOG = "pg_compat"

_SNAPSHOT_SCHEMAS = "(select oid from pg_catalog.pg_namespace)"

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
    "pg_attribute": """
        select * replace (
                   'p' as attstorage,
                   -1 as attstattarget,
                   cast(null as varchar) as attcompression,
                   cast(null as varchar[]) as attacl,
                   cast(null as varchar[]) as attoptions,
                   cast(null as varchar[]) as attfdwoptions)
        from pg_catalog.pg_attribute""",
    "pg_namespace": """
        select * replace (cast(null as varchar[]) as nspacl) from pg_catalog.pg_namespace""",
    "pg_database": """
        select *, 0 as datdba, 6 as encoding, 'C' as datcollate, 'C' as datctype,
               cast(null as varchar) as daticulocale, 'c' as datlocprovider,
               cast(null as varchar[]) as datacl, -1 as datconnlimit, 0 as dattablespace
        from pg_catalog.pg_database
        where datname = current_database()""",
    "pg_proc": f"""
        select * from pg_catalog.pg_proc where pronamespace in {_SNAPSHOT_SCHEMAS}""",
    "pg_description": """
        select * from pg_catalog.pg_description
        union all
        select oid, 0, 0, comment from duckdb_schemas()
        where database_name = current_database() and comment is not null""",
    # What a read-only DuckDB snapshot does not have: the relations, empty.
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
    "pg_extension": """
        select 0 as oid, '' as extname, 0 as extowner, 0 as extnamespace,
               false as extrelocatable, '' as extversion
        where false""",
    "pg_foreign_table": """
        select 0 as ftrelid, 0 as ftserver, cast([] as varchar[]) as ftoptions where false""",
}

_OBJ_COMMENT = """(
    select first(d.description) from pg_compat.pg_description d
    where d.objoid = object_oid and d.objsubid = 0)"""
_INDEX_SQL = "(select first(i.sql) from duckdb_indexes() i where i.index_oid = idx_oid)"

# Catalog functions psql calls that DuckDB lacks or answers with NULL: temporary macros
# (a temporary macro is found before DuckDB's pg_catalog function of the same name).
_FUNCTIONS: dict[str, str] = {
    "pg_get_userbyid": "(role_oid) as 'graphlets'",
    "pg_encoding_to_char": "(encoding) as 'UTF8'",
    "to_regtype": "(wanted) as (select min(oid) from pg_catalog.pg_type where typname = wanted)",
    "col_description": """(rel_oid, col_number) as (
        select first(c.comment) from duckdb_columns() c
        where c.table_oid = rel_oid and c.column_index = col_number)""",
    "obj_description": (
        f"(object_oid) as {_OBJ_COMMENT}, (object_oid, catalog_name) as {_OBJ_COMMENT}"
    ),
    "pg_get_expr": "(expr, rel_oid) as expr, (expr, rel_oid, pretty) as expr",
    "pg_get_indexdef": (
        f"(idx_oid) as {_INDEX_SQL}, (idx_oid, col_number, pretty) as {_INDEX_SQL}"
    ),
    "pg_get_function_result": """(fn_oid) as (
        select first(f.return_type) from duckdb_functions() f
        where f.function_oid = fn_oid)""",
    "pg_get_function_arguments": """(fn_oid) as (
        select first(array_to_string(f.parameters, ', ')) from duckdb_functions() f
        where f.function_oid = fn_oid)""",
    "pg_relation_is_publishable": "(rel_oid) as false",
    "array_upper": "(arr, dim) as case when dim = 1 then len(arr) end",
    "array_lower": "(arr, dim) as case when dim = 1 and len(arr) > 0 then 1 end",
    "pg_get_partkeydef": "(rel_oid) as cast(null as varchar)",
    "pg_get_statisticsobjdef_columns": "(stat_oid) as cast(null as varchar)",
    # Sizes are unknown (DuckDB does not account storage per table): NULL, as in Postgres
    # for a relation it cannot measure.
    "pg_table_size": "(rel_oid) as cast(null as bigint)",
    "pg_relation_size": "(rel_oid) as cast(null as bigint), (rel_oid, fork) as null",
    "pg_total_relation_size": "(rel_oid) as cast(null as bigint)",
    "pg_database_size": "(db) as cast(null as bigint)",
}


def macro_names() -> tuple[str, ...]:
    """The names of the session macros (the gate allows calling them)."""
    return tuple(_FUNCTIONS)


def setup_statements() -> tuple[str, ...]:
    """The statements that install the layer in a fresh session (before the lock)."""
    views = tuple(
        f"create view {COMPAT_CATALOG}.{name} as {body.strip()}"
        for name, body in _RELATIONS.items()
    )
    macros = tuple(f"create temp macro {name}{body.strip()}" for name, body in _FUNCTIONS.items())
    return (f"attach ':memory:' as {COMPAT_CATALOG}", *views, *macros)


Edit = tuple[int, int, str]  # replace sql[start:end] by the text

# Set-returning functions of one column: in Postgres ``FROM f(...) s`` names the column ``s``
# too (psql relies on it: ``unnest(reloptions) x``, ``generate_series(...) s``); in DuckDB
# the alias alone names a row. ``s`` becomes ``s(s)``.
_ONE_COLUMN_SRFS = frozenset({"unnest", "generate_series", "generate_subscripts"})


def rewrite(sql: str) -> str:
    """``sql`` with ``pg_catalog`` names pointed at the compatibility layer (see above)."""
    try:
        tokens = sqlglot.tokenize(sql, read="postgres")
    except TokenError:
        return sql  # the gate refuses what cannot be tokenized
    edits = sorted(e for i in range(len(tokens)) for e in _edits(tokens, i))
    out, last = [], 0
    for start, end, text in edits:
        out.append(sql[last:start])
        out.append(text)
        last = end
    return "".join(out) + sql[last:]


def _edits(tokens: list[Token], i: int) -> list[Edit]:
    edits = [_qualifier(tokens, i), _column_alias(tokens, i)]
    return [e for e in edits if e is not None]


def _qualifier(tokens: list[Token], i: int) -> Edit | None:
    """The replacement of the ``pg_catalog`` qualifier at ``tokens[i]``, if it has one."""
    if i + 2 >= len(tokens):
        return None
    qualifier, dot, name = tokens[i : i + 3]
    if qualifier.text.lower() != "pg_catalog" or dot.token_type != TokenType.DOT:
        return None
    if i > 0 and tokens[i - 1].token_type == TokenType.DOT:
        return None  # a catalog-qualified name (x.pg_catalog.y): not DuckDB's pg_catalog
    if name.text.lower() in _RELATIONS:
        return qualifier.start, qualifier.end + 1, COMPAT_CATALOG
    if _is(tokens, i + 3, TokenType.L_PAREN):
        # Postgres keeps every built-in function in pg_catalog, DuckDB in its default
        # schemas (and its own pg_catalog, on the search path): unqualified, a call finds
        # the session macro, DuckDB's function or DuckDB's pg_catalog one.
        return qualifier.start, dot.end + 1, ""
    return None


def _column_alias(tokens: list[Token], i: int) -> Edit | None:
    """``(alias)`` after ``f(...) alias`` for a one-column set-returning function ``f``."""
    if tokens[i].text.lower() not in _ONE_COLUMN_SRFS or not _is(tokens, i + 1, TokenType.L_PAREN):
        return None
    if i > 0 and tokens[i - 1].token_type not in (TokenType.FROM, TokenType.COMMA, TokenType.DOT):
        return None  # not in a FROM list
    close = _closing_paren(tokens, i + 1)
    alias = close + 2 if _is(tokens, close + 1, TokenType.ALIAS) else close + 1
    if not _is(tokens, alias, TokenType.VAR) or _is(tokens, alias + 1, TokenType.L_PAREN):
        return None
    end = tokens[alias].end + 1
    return end, end, f"({tokens[alias].text})"


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


def _is(tokens: list[Token], i: int, kind: TokenType) -> bool:
    return 0 <= i < len(tokens) and tokens[i].token_type == kind
