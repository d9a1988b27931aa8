-- tool: Tableau (psqlODBC driver, on connect: whether the large-object type exists)
-- asks: the oid of type lo (a snapshot has none)
-- expect: runs
select oid, typbasetype from pg_type where typname = 'lo'
