-- tool: Superset (SQLAlchemy postgresql dialect, on first connect)
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- asks: whether backslashes in literals are plain characters
-- expect: on
show standard_conforming_strings
