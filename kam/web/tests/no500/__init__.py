"""Builders of the "no 500 from any input" sweep (kam/web/tests/test_no_500.py); no test module here.

- routes.py: `all_routes()` walks the URL resolver, one `Route` per distinct route text.
- scene.py (+ scene_day.py, scene_deals.py): `build_scene(world)` makes the rows the routes point at,
  through the actions, for the owner, the stranger (another team) and the outsider (another org).
- bindings.py (+ bindings_deals.py): which scene rows fill each path and query parameter;
  `unbound_params` lists the gaps; `real_urls` / `absurd_urls` fill a route.
- garbage.py, forms.py, bodies_json.py, bodies.py: the query strings and bodies sent.
- sweep.py: `Sweep` sends them for one role and collects the problems; `COUNTED` tables.
"""

from kam.web.tests.no500.bindings import absurd_urls, real_urls, unbound_params
from kam.web.tests.no500.bodies import Body, body_variants, landmine_body
from kam.web.tests.no500.garbage import GET_VARIANTS, LONG, SQLISH
from kam.web.tests.no500.routes import UNSAFE, Route, all_routes, route_params
from kam.web.tests.no500.scene import Scene, build_scene
from kam.web.tests.no500.sweep import COUNTED, ROLES, Sweep, user_for

__all__ = [
    "COUNTED",
    "GET_VARIANTS",
    "LONG",
    "ROLES",
    "SQLISH",
    "UNSAFE",
    "Body",
    "Route",
    "Scene",
    "Sweep",
    "absurd_urls",
    "all_routes",
    "body_variants",
    "build_scene",
    "landmine_body",
    "real_urls",
    "route_params",
    "unbound_params",
    "user_for",
]
