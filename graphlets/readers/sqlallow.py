"""What a statement on the snapshot may call: the one place the gate's function rules live.

The gate (:mod:`graphlets.readers.sqlgate`) refuses any function that is not allowed here,
by name after unquoting and case folding, whatever schema or catalog qualifies it
(``"query"``, ``QUERY``, ``main.query``, ``system.main.query`` are the same function).

- **Table functions** (``FROM f(...)``) are an explicit list: catalog readers, the
  generators (``range``, ``generate_series``, ``unnest``, ``repeat``), JSON/summary helpers
  and the catalog PRAGMAs DuckDB turns into table functions. Every other table function is
  refused: most read files (``read_*``, ``*_scan``, ``glob``), run SQL text
  (``query``, ``query_table``, ``json_execute_serialized_sql``) or change the instance
  (``enable_logging``, ``enable_profiling``, ``checkpoint``, ``truncate_duckdb_logs``...;
  ``enable_logging`` to a file even aborts the process when external access is off).
- **Scalar, aggregate and window functions and macros** are DuckDB's own
  (``duckdb_functions()`` of a fresh in-memory database, so the list follows the pinned
  DuckDB version) plus the server's catalog macros, minus the families in
  :data:`DENIED_NAMES`, :data:`DENIED_PREFIXES` and :data:`DENIED_SUFFIXES`: functions that
  read files, the network, settings, variables, secrets or logs, change state (sequences,
  the random seed, the log) or are internal.
- **Relations**: DuckDB's ``pg_catalog.pg_settings`` (its settings) is refused; the
  server's ``pg_compat.pg_settings`` (Postgres' session settings) is read instead.
"""

from __future__ import annotations

import functools

import duckdb

from graphlets.readers import pg_catalog

TABLE_FUNCTIONS = frozenset(
    {
        # the catalog
        "duckdb_columns",
        "duckdb_constraints",
        "duckdb_databases",
        "duckdb_dependencies",
        "duckdb_functions",
        "duckdb_indexes",
        "duckdb_keywords",
        "duckdb_schemas",
        "duckdb_sequences",
        "duckdb_tables",
        "duckdb_types",
        "duckdb_views",
        "pg_timezone_names",
        "icu_calendar_names",
        # generators and helpers
        "range",
        "generate_series",
        "generate_subscripts",
        "unnest",
        "repeat",
        "repeat_row",
        "json_each",
        "json_tree",
        "regexp_split_to_table",
        "summary",
        # catalog PRAGMAs (DuckDB rewrites ``pragma table_info('t')`` into these)
        "pragma_table_info",
        "table_info",
        "pragma_show",
        "show",
        "show_tables",
        "show_tables_expanded",
        "show_databases",
        "database_list",
        "pragma_database_size",
        "database_size",
        "pragma_storage_info",
        "storage_info",
        "pragma_metadata_info",
        "metadata_info",
        "pragma_version",
        "version",
        "pragma_platform",
        "platform",
        "functions",
        "collations",
        "pragma_collations",
    }
)

# Scalar/aggregate functions refused by name: they read settings, variables, secrets, logs or
# the environment, change state, or run or plan SQL text the gate has not seen.
DENIED_NAMES = frozenset(
    {
        "getenv",
        "current_setting",
        "getvariable",
        "nextval",
        "currval",
        "setseed",
        "write_log",
        "parse_duckdb_log_message",
        "json_serialize_plan",
        "json_execute_serialized_sql",
        "glob",
        "query",
        "query_table",
        "which_secret",
        "load_aws_credentials",
        "checkpoint",
        "force_checkpoint",
        "truncate_duckdb_logs",
    }
)
DENIED_PREFIXES = (
    "__internal",
    "read_",
    "enable_",
    "disable_",
    "duckdb_",
    "pragma_",
    "http_",
    "parquet_",
    "sqlite_",
    "mysql_",
    "postgres_",
    "iceberg_",
    "delta_",
    "ducklake_",
    "pg_read",
    "pg_ls",
)
DENIED_SUFFIXES = ("_scan", "_attach")
# Schemas and catalogs a function may be qualified with (DuckDB's built-ins live in
# system.main and pg_catalog, the session's macros in temp.main).
FUNCTION_SCHEMAS = frozenset({"", "main", "pg_catalog"})
FUNCTION_CATALOGS = frozenset({"", "system", "temp"})


def denied_family(name: str) -> bool:
    """Whether ``name`` (unquoted, lowercase) is in a denied family."""
    return (
        name in DENIED_NAMES or name.startswith(DENIED_PREFIXES) or name.endswith(DENIED_SUFFIXES)
    )


@functools.cache
def scalar_functions() -> frozenset[str]:
    """Every allowed scalar, aggregate and window function and macro, lowercase."""
    con = duckdb.connect(":memory:")
    try:
        rows = con.execute(
            "select distinct lower(function_name) from duckdb_functions() "
            "where function_type in ('scalar', 'aggregate', 'macro')"
        ).fetchall()
    finally:
        con.close()
    names = {row[0] for row in rows} | set(pg_catalog.macro_names())
    # window-only functions (row_number, rank...) are listed as aggregates or not at all
    names |= {"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile"}
    names |= {"lag", "lead", "first_value", "last_value", "nth_value", "unnest", "unlist"}
    return frozenset(n for n in names if not denied_family(n))


# Catalog views that read DuckDB's settings (as duckdb_settings() does): refused but for the
# server's own Postgres version in its compatibility catalog (pg_compat.pg_settings).
DENIED_RELATIONS = frozenset({"pg_settings"})


def relation_allowed(catalog: str, schema: str, name: str) -> bool:
    """Whether a base table ``catalog.schema.name`` (lowercase qualifiers) may be read."""
    compat = pg_catalog.COMPAT_CATALOG
    return name.lower() not in DENIED_RELATIONS or compat in (catalog, schema)


def table_function_allowed(name: str) -> bool:
    return name.lower() in TABLE_FUNCTIONS or name.lower() in pg_catalog.table_macro_names()


def scalar_function_allowed(name: str) -> bool:
    return name.lower() in scalar_functions()
