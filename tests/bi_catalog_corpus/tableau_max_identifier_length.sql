-- tool: Tableau (closed source; its PostgreSQL connection through psqlODBC: on connect, the longest identifier)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: max_identifier_length
-- expect: 63
show max_identifier_length
