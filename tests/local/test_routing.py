"""Route matching cannot shadow: every route of the table is reached by its own path (a literal segment wins over a
parameter, whatever order the modules list their routes in)."""

from __future__ import annotations

import re

from si_mcp.local.app import Router
from si_mcp.local.routes import all_routes


def test_every_route_is_reached_by_its_own_path_and_literals_win_over_parameters() -> None:
    routes = all_routes()
    router = Router(routes)
    landed = {}
    for route in routes:
        path = "/v1" + re.sub(r"\{\w+\}", "a1b2c3", route.path)
        found, _ = router.match(route.method, path)
        landed[(route.method, route.path)] = (found.method, found.path)

    assert {key: value for key, value in landed.items() if key != value} == {}


def test_a_literal_route_listed_after_a_parameter_route_still_wins() -> None:
    [by_id] = [r for r in all_routes() if (r.method, r.path) == ("GET", "/accounts/{id}")]
    [authorized] = [r for r in all_routes() if (r.method, r.path) == ("GET", "/accounts/authorized")]

    found, params = Router([by_id, authorized]).match("GET", "/v1/accounts/authorized")

    assert found is authorized and params == {}
