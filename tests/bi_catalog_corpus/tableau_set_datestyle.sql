-- tool: Tableau (on connect: session settings)
-- asks: ISO dates
-- expect: status
SET DateStyle = 'ISO'
