"""The machinery of the mock's defects: ASGI wrappers that capture the mock's whole answer
and let a rewrite change it (or the request) before it is sent.

A defect is a `Wrapper` (an ASGI app around the mock's app). Most are `wrap(rewrite)`, where
`rewrite(app, scope, body)` returns the `Captured` answer to send: `call` runs the mock on a
request and captures its answer, `edit_videos` and `edit_list` build rewrites that edit the
Video objects or the list page of a JSON answer. The catalogue of defects is
`mock/defects.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from videos_contract.http_rules import error_bytes
from videos_contract.protocol import protocol
from videos_contract.spec import load_spec

__all__ = [
    "Captured",
    "Rewrite",
    "Wrapper",
    "answers_json",
    "call",
    "edit_list",
    "edit_videos",
    "error_answer",
    "is_operation",
    "path_parts",
    "query_of",
    "read_request",
    "reply",
    "set_field",
    "videos_in",
    "with_body",
    "with_query",
    "wrap",
]


Wrapper = Callable[[ASGIApp], ASGIApp]


@dataclass
class Captured:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    def set_header(self, name: bytes, value: bytes) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name] + [(name, value)]


async def call(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """Run the app on a request with the given body and capture its whole response."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    captured = Captured(500, [], b"")
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured.status = message["status"]
            captured.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    captured.body = b"".join(chunks)
    return captured


async def read_request(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def reply(send: Send, response: Captured) -> None:
    response.set_header(b"content-length", str(len(response.body)).encode())
    await send(
        {"type": "http.response.start", "status": response.status, "headers": response.headers}
    )
    await send({"type": "http.response.body", "body": response.body})


Rewrite = Callable[[ASGIApp, Scope, bytes], Awaitable[Captured]]


def wrap(rewrite: Rewrite) -> Wrapper:
    """A wrapper that buffers each HTTP exchange and lets `rewrite` produce the answer."""

    def wrapper(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            body = await read_request(receive)
            await reply(send, await rewrite(app, scope, body))

        return wrapped

    return wrapper


def answers_json(response: Captured) -> bool:
    return (response.header(b"content-type") or b"").startswith(b"application/json")


def videos_in(document: Any) -> list[dict[str, Any]]:
    """The Video objects in a response body (one, or the items of a list page)."""
    if isinstance(document, dict) and document.get("object") == protocol().object_name("Video"):
        return [document]
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return [v for v in document["data"] if isinstance(v, dict)]
    return []


def edit_videos(edit: Callable[[dict[str, Any]], None]) -> Rewrite:
    async def rewrite(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
        response = await call(app, scope, body)
        if answers_json(response):
            document = json.loads(response.body)
            for video in videos_in(document):
                edit(video)
            response.body = json.dumps(document).encode()
        return response

    return rewrite


def edit_list(edit: Callable[[Scope, dict[str, Any]], None], query: Callable[..., Any]) -> Rewrite:
    async def rewrite(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
        if not is_operation(scope, "listVideos"):
            return await call(app, scope, body)
        response = await call(app, with_query(scope, query(query_of(scope))), body)
        if response.status == 200 and answers_json(response):
            page = json.loads(response.body)
            edit(scope, page)
            data = page["data"]
            page["first_id"] = data[0]["id"] if data else None
            page["last_id"] = data[-1]["id"] if data else None
            response.body = json.dumps(page).encode()
        return response

    return rewrite


def path_parts(scope: Scope) -> list[str]:
    return [part for part in scope["path"].split("/") if part]


def is_operation(scope: Scope, operation_id: str) -> bool:
    op = load_spec().operation(operation_id)
    template = [part for part in op.path.split("/") if part]
    parts = path_parts(scope)
    return (
        scope["method"] == op.method
        and len(parts) == len(template)
        and all(t.startswith("{") or t == p for t, p in zip(template, parts, strict=True))
    )


def error_answer(status: int, message: str, param: str | None, code: str) -> Captured:
    body = error_bytes(message, "invalid_request_error", param=param, code=code)
    return Captured(status, [(b"content-type", b"application/json")], body)


def query_of(scope: Scope) -> list[tuple[str, str]]:
    return parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True)


def with_query(scope: Scope, query: list[tuple[str, str]]) -> Scope:
    return {**scope, "query_string": urlencode(query).encode()}


def with_body(scope: Scope, body: bytes) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    return {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}


def set_field(scope: Scope, body: bytes, name: str, value: Callable[[str], str]) -> bytes:
    """A create body with one field's value replaced (multipart or JSON); others untouched."""
    ctype = dict(scope["headers"]).get(b"content-type", b"")
    if ctype.startswith(b"application/json"):
        try:
            document = json.loads(body)
        except ValueError:
            return body
        if isinstance(document, dict) and isinstance(document.get(name), str):
            document[name] = value(document[name])
        return json.dumps(document).encode()
    pattern = re.compile(rb'(name="' + name.encode() + rb'"\r\n\r\n)([^\r]*)')
    return pattern.sub(lambda m: m.group(1) + value(m.group(2).decode()).encode(), body, count=1)
