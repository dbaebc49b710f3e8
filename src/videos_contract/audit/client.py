"""The HTTP client the behaviour checks use: talks to the relay, records what it sent.

Every response carries the `Exchange` that produced it (with the server's real URL and no
key), so that a check can attach a reproduction to the violation it reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from videos_contract.audit.proxy import BUDGET_MARK, PLACEHOLDER_KEY, UPSTREAM_ERROR_MARK
from videos_contract.audit.results import Exchange

__all__ = ["AuditClient", "BudgetSpent", "Reply", "UpstreamFailed"]


class BudgetSpent(Exception):
    """The relay refused a billed request: the --max-creates budget is spent."""


class UpstreamFailed(Exception):
    """The relay could not reach the server."""


@dataclass(frozen=True)
class Reply:
    """A response and the exchange that produced it."""

    response: httpx.Response
    exchange: Exchange

    @property
    def status(self) -> int:
        return self.response.status_code

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return self.response.json()
        except ValueError:
            return None


class AuditClient:
    """Requests through the relay; `auth=False` or `key=...` to test the server's key check."""

    def __init__(self, relay_url: str, target_url: str, timeout: float = 120.0) -> None:
        self._relay_url = relay_url.rstrip("/")
        self.target_url = target_url.rstrip("/")
        self._http = httpx.Client(base_url=self._relay_url, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        key: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        headers = dict(kwargs.pop("headers", {}) or {})
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        elif auth:
            headers["Authorization"] = f"Bearer {PLACEHOLDER_KEY}"
        request = self._http.build_request(method, path, headers=headers, **kwargs)
        request.read()  # multipart bodies are streams; the exchange needs their bytes
        response = self._http.send(request)
        if BUDGET_MARK in response.headers:
            raise BudgetSpent("the --max-creates budget is spent")
        if UPSTREAM_ERROR_MARK in response.headers:
            raise UpstreamFailed(response.json()["error"]["message"])
        return Reply(response, self._exchange(request, response.status_code))

    def _exchange(self, request: httpx.Request, status: int) -> Exchange:
        url = str(request.url).replace(self._relay_url, self.target_url, 1)
        skip = {"host", "content-length", "accept-encoding", "connection", "user-agent", "accept"}
        headers = tuple((k, v) for k, v in request.headers.items() if k.lower() not in skip)
        return Exchange(request.method, url, headers, request.content, status)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)
