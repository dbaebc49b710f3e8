"""Routing: the spec's paths as routes, concrete paths before templates that also match."""

from __future__ import annotations

import pytest

from videos_contract.mock.errors import ApiError
from videos_contract.mock.routing import Route, Router, route_pattern
from videos_contract.spec import Operation, SpecError, load_spec

SPEC = load_spec()


def _operation(operation_id: str, method: str, path: str) -> Operation:
    return Operation(operation_id=operation_id, method=method, path=path, data={})


def _route(template: str, operation_id: str) -> Route:
    operation = _operation(operation_id, "GET", template)
    return Route(route_pattern(template), template, {"GET": operation})


def test_a_concrete_path_wins_over_a_template_that_also_matches() -> None:
    for order in (1, -1):
        routes = [_route("/v1/videos/{video_id}", "retrieve"), _route("/v1/videos/search", "find")]
        router = Router(routes[::order])
        assert router.match("GET", "/v1/videos/search")[0].operation_id == "find"
        operation, params = router.match("GET", "/v1/videos/video_1")
        assert (operation.operation_id, params) == ("retrieve", {"video_id": "video_1"})


def test_the_spec_routes_every_operation() -> None:
    router = Router.from_spec(SPEC, {op.operation_id for op in SPEC.operations()})
    for operation in SPEC.operations():
        path = operation.path.replace("{video_id}", "video_1")
        assert router.match(operation.method, path)[0] == operation


def test_unknown_paths_and_methods_are_404_and_405_naming_the_allowed() -> None:
    router = Router.from_spec(SPEC, {op.operation_id for op in SPEC.operations()})
    with pytest.raises(ApiError) as caught:
        router.match("GET", "/v1/videos/video_1/nothing")
    assert (caught.value.status, caught.value.code) == (404, "unknown_url")
    with pytest.raises(ApiError) as caught:
        router.match("PUT", "/v1/videos")
    assert (caught.value.status, caught.value.code) == (405, "method_not_allowed")
    allowed = {op.method for op in SPEC.operations() if op.path == "/v1/videos"}
    assert set(caught.value.headers["Allow"].split(", ")) == allowed


def test_an_operation_without_a_handler_stops_the_start() -> None:
    with pytest.raises(SpecError, match="no handler for createVideo"):
        Router.from_spec(SPEC, {"listVideos"})
