-- tool: Superset (SQLAlchemy postgresql dialect, on first connect: get_isolation_level)
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- asks: the transaction isolation level
-- expect: read committed
show transaction isolation level
