"""The mock's public Python API, which other parts of the project depend on by name."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

import videos_contract.mock as mock
from videos_contract.families import families
from videos_contract.mock import (
    DEFAULT_KEY,
    JobStore,
    MemoryJobStore,
    MockConfig,
    create_app,
    running_mock,
)
from videos_contract.mock.defects import DEFECTS
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]


def test_exported_names() -> None:
    assert {"MockConfig", "create_app", "running_mock", "DEFAULT_KEY"} <= set(mock.__all__)
    for name in mock.__all__:
        assert hasattr(mock, name), name


def test_the_default_key_has_the_gateways_key_shape() -> None:
    scheme = load_spec().raw["components"]["securitySchemes"]["bearerAuth"]
    assert re.fullmatch(scheme["x-key-pattern"], DEFAULT_KEY)


def test_config_is_frozen_with_documented_defaults() -> None:
    config = MockConfig()
    assert (config.keys, config.seed, config.fail_rate, config.fault_rate) == (
        (DEFAULT_KEY,),
        0,
        0.0,
        0.0,
    )
    assert (config.rate_limit, config.max_body_bytes, config.defects, config.spec_path) == (
        None,
        50 * 1024 * 1024,
        (),
        None,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seed = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"keys": ()},
        {"keys": (" sk-gateway-x",)},
        {"render_seconds": -1},
        {"fail_rate": 1.5},
        {"fault_rate": -0.1},
        {"rate_limit": 0},
        {"max_body_bytes": 0},
    ],
)
def test_config_refuses_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        MockConfig(**kwargs)  # type: ignore[arg-type]


def test_create_app_exposes_its_state() -> None:
    config = MockConfig(render_seconds=0.5)
    app = create_app(config)
    assert isinstance(app, Starlette)
    assert app.state.config is config
    assert len(app.state.store) == 0


def test_a_store_can_be_supplied() -> None:
    store: JobStore = MemoryJobStore()
    app = create_app(MockConfig(), store=store)
    assert app.state.store is store
    with TestClient(app, headers={"Authorization": f"Bearer {DEFAULT_KEY}"}) as client:
        assert (
            client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).status_code == 200
        )
    assert len(store) == 1


def test_unknown_defects_fail_at_start() -> None:
    with pytest.raises(ValueError, match="unknown defect"):
        create_app(MockConfig(defects=("no-such-defect",)))


def test_defects_wrap_the_app() -> None:
    name = next(iter(DEFECTS))
    app = create_app(MockConfig(defects=(name,)))
    assert isinstance(app, Starlette)


def test_running_mock_serves_on_loopback() -> None:
    with running_mock() as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert server.key == DEFAULT_KEY
        response = httpx.get(
            f"{server.url}/v1/videos", headers={"Authorization": f"Bearer {server.key}"}
        )
        assert response.status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/v1/videos")
