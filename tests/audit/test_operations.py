"""Requests are attributed to the spec's operations, and billing is read from `x-billed`."""

from __future__ import annotations

from videos_contract.audit.operations import OperationIndex
from videos_contract.spec import load_spec

INDEX = OperationIndex(load_spec())


def test_billed_operations_come_from_the_spec() -> None:
    billed = {op.operation_id for op in load_spec().operations() if op.billed}
    assert billed, "the spec marks billed operations with x-billed"
    for op in load_spec().operations():
        concrete = op.path.replace("{video_id}", "video_1")
        assert INDEX.is_billed(op.method, concrete) is (op.operation_id in billed)


def test_label_of_an_undeclared_method() -> None:
    assert INDEX.label("PUT", "/v1/videos") == "PUT /v1/videos"
    assert INDEX.label("GET", "/v1/videos/abc/content") == "downloadVideoContent"
