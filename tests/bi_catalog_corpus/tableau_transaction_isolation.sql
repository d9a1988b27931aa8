-- tool: Tableau (on connect)
-- asks: the transaction isolation level
-- expect: read committed
show transaction_isolation
