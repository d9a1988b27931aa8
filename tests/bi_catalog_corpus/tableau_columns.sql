-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): SQLColumns for marts.fct_graphlets)
-- source: postgresql-interfaces/psqlodbc info.c
-- asks: the columns of a table with type oid and name, typmod, nullability and default
-- expect: graphlet_id
-- expect: int8
-- expect: 20
select n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), case t.typtype when 'd' then t.typbasetype else 0 end, t.typtypmod, 0, attidentity, c.relhassubclass from (((pg_catalog.pg_class c inner join pg_catalog.pg_namespace n on n.oid = c.relnamespace and c.relname like 'fct\_graphlets' and n.nspname like 'marts') inner join pg_catalog.pg_attribute a on (not a.attisdropped) and a.attnum operator(pg_catalog.>) 0 and a.attrelid operator(pg_catalog.=) c.oid) inner join pg_catalog.pg_type t on t.oid operator(pg_catalog.=) a.atttypid) left outer join pg_attrdef d on a.atthasdef and d.adrelid operator(pg_catalog.=) a.attrelid and d.adnum operator(pg_catalog.=) a.attnum order by n.nspname, c.relname, attnum
