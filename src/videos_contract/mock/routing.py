"""Routes from the spec's paths: the operation a method and a path name, or the 404 or 405
that says why none does.

One route per path template of `openapi.yaml`. A method the spec does not list on a path
answers 405 with the spec's methods in `Allow`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from videos_contract.mock.errors import ApiError
from videos_contract.spec import Operation, Spec, SpecError

__all__ = ["Route", "Router", "route_pattern"]


@dataclass(frozen=True)
class Route:
    """One path template and the operations the spec lists on it, by upper-case method."""

    pattern: re.Pattern[str]
    template: str
    operations: dict[str, Operation]


def route_pattern(template: str) -> re.Pattern[str]:
    """A template's regular expression: each `{name}` matches one non-empty path segment."""
    parts = re.split(r"\{([^{}]+)\}", template)
    regex = ""
    for index, part in enumerate(parts):
        regex += re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)"
    return re.compile(regex)


def _literal_prefix(template: str) -> int:
    return len(template.split("{", 1)[0])


class Router:
    """Finds the operation for a request; routes are tried longest literal prefix first, so
    a concrete path (`/v1/videos/search`) wins over a template that also matches it
    (`/v1/videos/{video_id}`), as OpenAPI asks; among equal prefixes, the longer template."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = sorted(
            routes, key=lambda route: (-_literal_prefix(route.template), -len(route.template))
        )

    @classmethod
    def from_spec(cls, spec: Spec, handled: Collection[str]) -> Router:
        """One route per path of `spec`; every operation must be in `handled`."""
        routes: list[Route] = []
        for template in spec.raw.get("paths", {}):
            operations: dict[str, Operation] = {}
            for operation in spec.operations():
                if operation.path != template:
                    continue
                if operation.operation_id not in handled:
                    raise SpecError(f"the mock has no handler for {operation.operation_id}")
                operations[operation.method] = operation
            routes.append(Route(route_pattern(template), template, operations))
        return cls(routes)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation and the path parameters; `ApiError` 404 or 405 when there is none."""
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found is not None:
                break
        else:
            raise ApiError(404, f"Invalid URL ({method} {path}).", code="unknown_url")
        operation = route.operations.get(method.upper())
        if operation is None:
            allowed = ", ".join(route.operations)
            raise ApiError(
                405,
                f"Method {method} is not allowed on {route.template}; use {allowed}.",
                code="method_not_allowed",
                headers={"Allow": allowed},
            )
        return operation, dict(found.groupdict())
