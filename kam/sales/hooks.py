"""Where deals plug into the rest of KAM (imported from SalesConfig.ready()).

- deal page sections: core (overview, team, stage history), needs, qualification, competitors;
- the customer 360 panel of a customer's deals;
- the rep's day: plan sources, briefing sections, report counters, the timeline, the merge hook
  and the pool clock of "no open deal for N days".
"""

from kam.sales import (  # noqa: F401
    day_hooks,
    panels,
    pool_clock,
    sections_competitors,
    sections_core,
    sections_needs,
    sections_qualification,
    sections_team,
)
