-- tool: DBeaver (PostgreSQL plugin, on connect: the database)
-- asks: the connected database's row
-- expect: rows
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname=current_database()
