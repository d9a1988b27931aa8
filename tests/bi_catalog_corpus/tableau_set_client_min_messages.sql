-- tool: Tableau (closed source; session settings on connect)
-- source: not found in public sources; written from Tableau's documented Initial SQL examples
-- asks: no notices below warning
-- expect: status
set client_min_messages to warning
