-- tool: Tableau, pgjdbc clients (on connect: session settings)
-- asks: floats with full precision
-- expect: status
SET extra_float_digits = 3
