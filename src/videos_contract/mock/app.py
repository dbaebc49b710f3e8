"""Build the mock's ASGI app from a `MockConfig` and the spec."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from videos_contract.mock import defects
from videos_contract.mock.config import MockConfig, config_from_env
from videos_contract.mock.errors import install_log_redaction
from videos_contract.mock.service import MockService
from videos_contract.mock.sqlite_store import SqliteJobStore
from videos_contract.mock.store import JobStore, MemoryJobStore
from videos_contract.spec import load_spec

__all__ = ["app_from_env", "create_app"]


class _Defects:
    """Middleware that hands the app to `defects.apply_defects` (built once, at start-up)."""

    def __init__(self, app: ASGIApp, names: Sequence[str]) -> None:
        self._app = defects.apply_defects(app, names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


def create_app(config: MockConfig | None = None, *, store: JobStore | None = None) -> Starlette:
    """The mock as a Starlette app.

    `store` replaces the job store (any `JobStore`); without it, jobs live in memory, in
    the SQLite file `config.store_path` or in the PostgreSQL database `config.store_url`
    (the driver is imported only then).
    `app.state.store` is the job store, `app.state.service` the request handling and
    `app.state.config` the configuration; defect wrappers reach them through
    `scope["app"].state`.
    """
    config = config or MockConfig()
    unknown = [name for name in config.defects if name not in defects.DEFECTS]
    if unknown:
        raise ValueError(f"unknown defect(s): {', '.join(unknown)}")
    spec = load_spec(config.spec_path)
    if store is None:
        store = _store(config)
    service = MockService(config, spec, store)
    middleware: list[Middleware] = []
    if config.defects:
        middleware.append(Middleware(_Defects, names=config.defects))
    app = Starlette(routes=[], middleware=middleware)
    # Every path goes to the service, which routes by the spec's paths itself; a Starlette
    # route pattern would not match ids holding a decoded newline and answer a bare 404.
    app.router.default = service
    app.state.store = store
    app.state.service = service
    app.state.config = config
    # Build the middleware stack now, so a broken defect fails at start-up, not mid-request.
    stack: Any = app.build_middleware_stack()
    app.middleware_stack = stack if config.defects else _Direct(service, stack)
    return app


class _Direct:
    """HTTP requests straight to the service, which answers every error of its own in the
    API's shape (Starlette's error and routing layers would only pass them on: about 8% of
    a create's time in-process); other scopes (lifespan) through Starlette's stack."""

    def __init__(self, service: MockService, stack: ASGIApp) -> None:
        self._service = service
        self._stack = stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._service(scope, receive, send)
        else:
            await self._stack(scope, receive, send)


def _store(config: MockConfig) -> JobStore:
    if config.store_url is not None:
        from videos_contract.mock.postgres_store import PostgresJobStore

        return PostgresJobStore(
            config.store_url,
            pool_size=config.store_pool_size,
            wait_seconds=config.store_wait_seconds,
        )
    if config.store_path is not None:
        return SqliteJobStore(config.store_path)
    return MemoryJobStore()


def app_from_env() -> Starlette:
    """The app for a worker process, configured by its parent through `CONFIG_ENV`."""
    config = config_from_env()
    install_log_redaction(config.keys)  # the worker's loggers are configured by now
    return create_app(config)
