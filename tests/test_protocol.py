"""The protocol rules come from the spec, and the `Literal`s typed in code match it."""

from __future__ import annotations

import copy
from typing import Any, get_args

import pytest

from videos_contract.protocol import (
    MIN_POLL_PAUSE,
    ListOrder,
    ObjectName,
    Protocol,
    VideoStatus,
    protocol,
)
from videos_contract.spec import Spec, SpecError, load_spec

SPEC = load_spec()


def _edited(edit: Any) -> Spec:
    raw = copy.deepcopy(SPEC.raw)
    edit(raw)
    return Spec(raw)


def test_literals_match_the_spec() -> None:
    assert set(get_args(VideoStatus)) == set(SPEC.enum("VideoStatus"))
    assert set(get_args(ListOrder)) == set(SPEC.enum("ListOrder"))
    objects = {
        SPEC.schema(name)["properties"]["object"]["default"]
        for name in ("Video", "VideoList", "DeletedVideo")
    }
    assert set(get_args(ObjectName)) == objects


def test_rules_read_from_the_spec() -> None:
    rules = protocol()
    assert rules.statuses == SPEC.enum("VideoStatus")
    assert rules.terminal_statuses == set(SPEC.schema("VideoStatus")["x-terminal"])
    assert rules.is_terminal("completed") and rules.is_terminal("failed")
    assert not rules.is_terminal("queued") and not rules.is_terminal("pending")
    assert rules.object_name("DeletedVideo") == "video.deleted"
    retrieve = SPEC.raw["paths"]["/v1/videos/{video_id}"]["get"]["responses"]["200"]
    assert rules.poll_after_header in retrieve["headers"]
    assert (
        rules.poll_after_schema
        == SPEC.resolve({"$ref": "#/components/headers/PollAfterMs"})["schema"]
    )
    with pytest.raises(SpecError, match="no `object` value"):
        rules.object_name("ErrorDetail")


def test_a_status_the_code_does_not_know_is_refused() -> None:
    def add_status(raw: dict[str, Any]) -> None:
        raw["components"]["schemas"]["VideoStatus"]["enum"].append("expired")

    with pytest.raises(SpecError, match="VideoStatus in the spec"):
        Protocol.from_spec(_edited(add_status))


def test_a_spec_without_terminal_statuses_is_refused() -> None:
    def drop_terminal(raw: dict[str, Any]) -> None:
        del raw["components"]["schemas"]["VideoStatus"]["x-terminal"]

    with pytest.raises(SpecError, match="x-terminal"):
        Protocol.from_spec(_edited(drop_terminal))


@pytest.mark.parametrize(
    ("advice", "seconds"),
    [
        ("250", 0.25),
        ("0", 0.0),
        (None, None),
        ("-1", None),
        ("soon", None),
        ("+5", None),
        ("1.5", None),
        ("", None),
    ],
)
def test_poll_after_is_read_as_the_spec_says(advice: str | None, seconds: float | None) -> None:
    assert protocol().poll_after_seconds(advice) == seconds


def test_a_maximum_in_the_spec_bounds_the_advice() -> None:
    def cap(raw: dict[str, Any]) -> None:
        raw["components"]["headers"]["PollAfterMs"]["schema"]["maximum"] = 1000

    rules = Protocol.from_spec(_edited(cap))
    assert rules.poll_after_seconds("1000") == 1.0
    assert rules.poll_after_seconds("1001") is None


def test_poll_pause_falls_back_then_bounds() -> None:
    rules = protocol()
    assert rules.poll_pause("250", 2.0) == 0.25
    assert rules.poll_pause("soon", 2.0) == 2.0
    assert rules.poll_pause("0", 2.0) == MIN_POLL_PAUSE
    assert rules.poll_pause(None, 0.0) == MIN_POLL_PAUSE
    assert rules.poll_pause("60000", 2.0, cap=10.0) == 10.0
    assert rules.poll_pause("60000", 2.0) == 60.0
