-- tool: DBeaver (PostgreSQL plugin, on connect: the active schema and user)
-- asks: the current schema and the session user
-- expect: rows
SELECT current_schema(),session_user
