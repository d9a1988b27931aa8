-- tool: Tableau (on connect: the server version)
-- asks: the server version string
-- expect: starts:PostgreSQL
select version()
