"""The mock's request handling: an ASGI app that routes, authenticates, faults and hands
each request to its handler.

The concerns live in their own modules: `routing` (routes from the spec's paths, 404 and
405), `auth` (keys and owner ids), `uploads` (multipart bodies and image uploads, decoded
through `videos_contract.probe`) and `handlers` (the operations and the jobs they create).
Every answer is a response, never an exception: refusals are `ApiError`s, and anything
unexpected is logged (without headers or bodies) and answered as a JSON 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from videos_contract.mock.auth import KeyCheck, owner_id
from videos_contract.mock.config import MockConfig
from videos_contract.mock.errors import ApiError, error_response, redact_keys
from videos_contract.mock.faults import DROP, SLOW, FaultInjector, RateLimiter, ResponseFaults
from videos_contract.mock.handlers import Call, Handlers
from videos_contract.mock.replay import Replay
from videos_contract.mock.routing import Router
from videos_contract.mock.store import JobStore, StoreUnavailable
from videos_contract.mock.validation import ParameterRules
from videos_contract.protocol import protocol
from videos_contract.relay.rules import head_too_large
from videos_contract.spec import Spec

__all__ = ["MockService"]

logger = logging.getLogger("videos_contract.mock")


class MockService:
    """One mock server's state and behaviour; an ASGI app in its own right."""

    def __init__(self, config: MockConfig, spec: Spec, store: JobStore) -> None:
        self.config = config
        self.spec = spec
        self.store = store
        self.unexpected_errors = 0
        self._keys = KeyCheck(config.keys)
        self._faults = FaultInjector(config.fault_rate, config.seed)
        self._limiter = RateLimiter(config.rate_limit) if config.rate_limit else None
        self._response_faults = ResponseFaults(config.drop_rate, config.slow_rate, config.seed)
        self._names = {
            "video": protocol(spec).object_name("Video"),
            "list": protocol(spec).object_name("VideoList"),
            "deleted": protocol(spec).object_name("DeletedVideo"),
        }
        self.handlers = Handlers(config, spec, store, self._names)
        self._router = Router.from_spec(spec, self.handlers.by_operation)
        self._params = {
            operation.operation_id: ParameterRules.for_operation(operation)
            for operation in spec.operations()
        }
        self.replay: Replay | None = None
        if config.replay_path is not None:
            self.replay = Replay.load(
                config.replay_path,
                spec,
                self._router,
                speed=config.replay_speed,
                strict=config.replay_strict,
            )

    @staticmethod
    def owner_id(key: str) -> str:
        """The store's owner id for a key: a digest, so the store never holds keys."""
        return owner_id(key)

    def hold(self) -> None:
        """Jobs created from now on stay `queued` until `release` (see `Handlers.hold`)."""
        self.handlers.hold()

    def release(self) -> None:
        """Held jobs follow their clock again; new jobs are no longer held."""
        self.handlers.release()

    @contextmanager
    def holding(self) -> Iterator[None]:
        """`hold` for the `with` block, `release` after it."""
        with self.handlers.holding():
            yield

    def poll_after_ms(self) -> int:
        """A tenth of the render time, within 100 ms .. 5 s."""
        return self.handlers.poll_after_ms()

    # -- ASGI entry --------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._dispatch(request)
        except ApiError as exc:
            # Messages quote ids, paths and fields; a key sent in one of them is masked.
            exc.message = redact_keys(exc.message, self.config.keys)
            response = error_response(exc)
        except ClientDisconnect:
            return  # the client left mid-body: nobody to answer, nothing went wrong here
        except StoreUnavailable as exc:
            # The database is down or every connection stays busy: the request may be sent
            # again, and the next one reaches the store afresh (no restart needed).
            logger.warning("job store unavailable: %s", exc)
            response = error_response(
                ApiError(
                    503,
                    f"The job store is unavailable ({exc}); retry shortly.",
                    type="server_error",
                    code="store_unavailable",
                    headers={"Retry-After": "1"},
                )
            )
        except RecursionError:
            # Input nested past what the parsers can descend: the request's fault, not ours.
            response = error_response(
                ApiError(400, "The request is nested too deeply to be read.", code="invalid_json")
            )
        except Exception as exc:
            # A bug of the mock: logged without headers, body or message (which might quote
            # the request), answered as JSON so that clients still get the error contract.
            self.unexpected_errors += 1
            logger.error(
                "unhandled %s in %s %s",
                type(exc).__name__,
                request.method,
                request.url.path,
                exc_info=exc,
            )
            response = error_response(
                ApiError(
                    500,
                    "The server had an error while processing your request.",
                    type="server_error",
                    code="internal_error",
                )
            )
        fault = self._response_faults.choose() if scope.get("type") == "http" else None
        if fault == SLOW:
            await asyncio.sleep(self.config.slow_seconds)
        elif fault == DROP and response.status_code < 400:
            await _send_cut(response, send)
            return
        await response(scope, receive, send)

    def _check_head(self, scope: Scope) -> None:
        """431 for a request head over `max_header_bytes`.

        The HTTP parser enforces the limit only while a head is incomplete, so a large head
        that arrives in one read gets here; this makes the limit exact.
        """
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        size += sum(len(name) + len(value) + 4 for name, value in scope.get("headers", ()))
        if size > self.config.max_header_bytes:
            refusal = head_too_large(self.config.max_header_bytes)
            raise ApiError(
                refusal.status, str(refusal), code=refusal.code, headers={"Connection": "close"}
            )

    async def _dispatch(self, request: Request) -> Response:
        self._check_head(request.scope)
        path: str = request.scope["path"]  # not url.path, which drops control characters
        operation, path_params = self._router.match(request.method, path)
        self._faults.check()
        owner = self._keys.owner(request.headers.get("authorization"))
        if self._limiter is not None:
            self._limiter.check(owner)
        query = (
            {name: request.query_params.getlist(name) for name in request.query_params}
            if request.scope.get("query_string")
            else {}
        )
        params = self._params[operation.operation_id].check(query, request.headers)
        call = Call(operation, owner, path_params, params)
        if self.replay is not None:
            limits = (self.config.max_body_bytes, self.config.body_timeout_seconds)
            replayed = await self.replay.answer(request, call, *limits)
            if replayed is not None:
                return replayed
        return await self.handlers.by_operation[operation.operation_id](request, call)


async def _send_cut(response: Response, send: Send) -> None:
    """Send the headers and half the body, then stop: the server closes the connection."""
    body = bytes(response.body)
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
