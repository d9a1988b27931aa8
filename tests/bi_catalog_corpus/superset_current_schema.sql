-- tool: Superset (SQLAlchemy postgresql dialect, on first connect: the default schema)
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- asks: the current schema
-- expect: marts
select current_schema()
