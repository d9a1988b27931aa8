-- tool: Superset (SQLAlchemy postgresql dialect, on first connect: _get_server_version_info)
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- asks: the server version string
-- expect: starts:PostgreSQL 15
select pg_catalog.version()
