-- tool: Superset, Tableau (SQLAlchemy and libpq clients, on connect: the server version)
-- asks: the server version string
-- expect: starts:PostgreSQL
select pg_catalog.version()
