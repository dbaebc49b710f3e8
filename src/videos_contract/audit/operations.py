"""Find the spec operation a concrete request belongs to (`POST /v1/videos/abc/remix`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from videos_contract.spec import Operation, Spec

__all__ = ["OperationIndex", "RouteMatch"]


@dataclass(frozen=True)
class RouteMatch:
    """An operation and the path parameters read from the concrete path."""

    operation: Operation
    path_params: dict[str, str]


class OperationIndex:
    """Matches method and path against the spec's path templates."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._routes = [(self._compile(op.path), op) for op in spec.operations()]

    @staticmethod
    def _compile(template: str) -> re.Pattern[str]:
        # An empty segment still matches, so that a request with an empty id is attributed
        # to its operation (and counted, when the operation is billed).
        parts = re.split(r"\{([^}]+)\}", template)
        regex = "".join(
            f"(?P<{part}>[^/]*)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
        )
        return re.compile(f"^{regex}/?$")

    def match(self, method: str, path: str) -> RouteMatch | None:
        for pattern, op in self._routes:
            if op.method != method.upper():
                continue
            found = pattern.match(path)
            if found:
                params = {name: unquote(value) for name, value in found.groupdict().items()}
                return RouteMatch(op, params)
        return None

    def find(self, method: str, path: str) -> Operation | None:
        found = self.match(method, path)
        return found.operation if found else None

    def is_billed(self, method: str, path: str) -> bool:
        op = self.find(method, path)
        return op is not None and op.billed

    def label(self, method: str, path: str) -> str:
        """The operationId, or `METHOD path` for a request outside the spec."""
        op = self.find(method, path)
        return op.operation_id if op else f"{method.upper()} {path}"
