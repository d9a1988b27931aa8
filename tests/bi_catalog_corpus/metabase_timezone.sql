-- tool: Metabase (PostgreSQL driver, db-default-timezone: on sync)
-- source: metabase/metabase src/metabase/driver/postgres.clj
-- asks: the server's time zone
-- expect: rows
show timezone;
