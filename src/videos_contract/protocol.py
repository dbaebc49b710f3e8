"""The API's protocol rules, read from `openapi.yaml`: statuses, poll advice, object names.

The mock, the client, the audit and the tests ask this module which statuses end a job
(`x-terminal` of `VideoStatus`), how to read the `openai-poll-after-ms` header (its name and
bounds come from the spec's `PollAfterMs` header) and what each response's `object` says.

Values that code branches on are also typed as `Literal`s (`VideoStatus`, `ListOrder`,
`ObjectName`), so mypy catches a misspelt status; `Protocol.from_spec` refuses a spec whose
values differ from them, and a test holds the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, cast, get_args

from videos_contract.schema import coerce_text
from videos_contract.spec import Spec, SpecError, load_spec

__all__ = [
    "KEY_ENV",
    "MIN_POLL_PAUSE",
    "URL_ENV",
    "ListOrder",
    "ObjectName",
    "Protocol",
    "VideoStatus",
    "protocol",
]

# Where the toolkit (CLI, audit, live tests) finds the server and the key to use.
URL_ENV = "VIDEOS_API_URL"
KEY_ENV = "VIDEOS_API_KEY"

VideoStatus = Literal["queued", "in_progress", "completed", "failed"]
ListOrder = Literal["asc", "desc"]
ObjectName = Literal["video", "list", "video.deleted"]

# Floor under any pause between polls, so that a server advising 0 ms cannot make a poller
# spin. A policy of this toolkit, not a rule of the API.
MIN_POLL_PAUSE = 0.05

_POLL_AFTER = "#/components/headers/PollAfterMs"
_OBJECT_SCHEMAS = ("Video", "VideoList", "DeletedVideo")


def _checked(values: tuple[str, ...], literal: Any, what: str) -> None:
    if set(values) != set(get_args(literal)):
        raise SpecError(
            f"{what} in the spec is {sorted(values)}, the code knows {get_args(literal)}"
        )


def _object_name(spec: Spec, schema: str) -> str:
    """The fixed `object` value of a response schema, as the spec states it."""
    prop = spec.schema(schema).get("properties", {}).get("object", {})
    value = prop.get("default", (prop.get("enum") or [None])[0])
    if not isinstance(value, str):
        raise SpecError(f"schema {schema!r} states no 'object' value")
    return value


def _poll_after_header(spec: Spec) -> str:
    """The name under which the spec's responses carry the `PollAfterMs` header."""
    for item in spec.raw.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in (operation.get("responses") or {}).values():
                for name, header in (response.get("headers") or {}).items():
                    if header == {"$ref": _POLL_AFTER}:
                        return str(name)
    raise SpecError(f"no response carries the header {_POLL_AFTER}")


@dataclass(frozen=True)
class Protocol:
    """The protocol rules of one spec."""

    statuses: tuple[VideoStatus, ...]
    terminal_statuses: frozenset[VideoStatus]
    orders: tuple[ListOrder, ...]
    poll_after_header: str
    poll_after_schema: dict[str, Any]
    object_names: dict[str, ObjectName]

    @classmethod
    def from_spec(cls, spec: Spec) -> Protocol:
        statuses = spec.enum("VideoStatus")
        _checked(statuses, VideoStatus, "VideoStatus")
        terminal = spec.schema("VideoStatus").get("x-terminal")
        if not terminal or not set(terminal) <= set(statuses):
            raise SpecError("VideoStatus needs `x-terminal`, a list of its final members")
        orders = spec.enum("ListOrder")
        _checked(orders, ListOrder, "ListOrder")
        names = {schema: _object_name(spec, schema) for schema in _OBJECT_SCHEMAS}
        _checked(tuple(names.values()), ObjectName, "the `object` values")
        return cls(
            statuses=cast(tuple[VideoStatus, ...], statuses),
            terminal_statuses=frozenset(cast(list[VideoStatus], terminal)),
            orders=cast(tuple[ListOrder, ...], orders),
            poll_after_header=_poll_after_header(spec),
            poll_after_schema=dict(spec.resolve({"$ref": _POLL_AFTER})["schema"]),
            object_names=cast(dict[str, ObjectName], names),
        )

    def object_name(self, schema: str) -> ObjectName:
        """The `object` value of `Video`, `VideoList` or `DeletedVideo`."""
        try:
            return self.object_names[schema]
        except KeyError as exc:
            raise SpecError(f"no `object` value is known for schema {schema!r}") from exc

    def is_terminal(self, status: object) -> bool:
        """Whether a job with this status is finished (it will not change any more)."""
        return status in self.terminal_statuses

    def poll_after_seconds(self, value: str | None) -> float | None:
        """The pause the header advises, in seconds; None when absent or outside the spec.

        The value must be what the spec's schema allows (a plain decimal integer within its
        bounds); anything else is no advice at all.
        """
        if value is None:
            return None
        advised = coerce_text(value, self.poll_after_schema)
        if not isinstance(advised, int) or isinstance(advised, bool):
            return None
        low = self.poll_after_schema.get("minimum")
        high = self.poll_after_schema.get("maximum")
        if (low is not None and advised < low) or (high is not None and advised > high):
            return None
        return advised / 1000

    def poll_pause(self, value: str | None, fallback: float, *, cap: float | None = None) -> float:
        """Seconds to wait before the next poll: the advice, else `fallback`, then bounded.

        Never below `MIN_POLL_PAUSE`; never above `cap` when one is given (a caller that has
        its own deadline may leave it out).
        """
        advised = self.poll_after_seconds(value)
        pause = max(MIN_POLL_PAUSE, fallback if advised is None else advised)
        return pause if cap is None else min(pause, cap)


@lru_cache(maxsize=8)
def _protocol(spec: Spec) -> Protocol:
    return Protocol.from_spec(spec)


def protocol(spec: Spec | None = None) -> Protocol:
    """The protocol rules of `spec` (default: the project's `openapi.yaml`), cached."""
    return _protocol(spec or load_spec())
