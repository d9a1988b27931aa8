-- tool: Tableau, pgjdbc clients (pgjdbc sends it as a startup parameter, older drivers as a statement)
-- source: not found in public sources; written from pgjdbc's startup parameters (ConnectionFactoryImpl), sent here as a statement
-- asks: floats with full precision
-- expect: status
SET extra_float_digits = 3
