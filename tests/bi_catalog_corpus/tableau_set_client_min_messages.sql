-- tool: Tableau (on connect: session settings)
-- asks: no notices below warning
-- expect: status
set client_min_messages to warning
