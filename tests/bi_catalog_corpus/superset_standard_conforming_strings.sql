-- tool: Superset (SQLAlchemy postgresql dialect, on connect)
-- asks: whether backslashes in literals are plain characters
-- expect: on
show standard_conforming_strings
