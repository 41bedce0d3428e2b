"""How webhook requests reach the app: over HTTP, or straight into a Flask app's WSGI stack."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
import urllib3


@dataclass
class WebhookResponse:
    """What the app answered; `status` 0 means no answer at all (timeout, refused).

    `failure` says how a request without an answer failed, in the words of Twilio's retry
    policy: `ct` (the connection was never made: the app saw nothing) or `rt` (no answer in
    time: the app may well have acted on it). `simulated` is how long an injected failure
    lasted on the emulator's clock (sim/delivery.py); real failures took `elapsed`.
    """

    status: int
    body: bytes = b""
    content_type: str = ""
    error: str | None = None
    elapsed: float = 0.0
    failure: str | None = None
    simulated: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.error is None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Limits:
    """Seconds a request may take: to connect, between bytes of the answer, in all."""

    connect: float = 5.0
    read: float = 15.0
    total: float = 15.0


class Transport(Protocol):
    def send(self, method: str, url: str, params: Mapping[str, str],
             headers: Mapping[str, str]) -> WebhookResponse: ...


def _with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(list(params.items()))) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def request_url(method: str, url: str, params: Mapping[str, str]) -> str:
    """The URL actually requested (and signed): GET carries the parameters in its query."""
    return _with_query(url, params) if method.upper() == "GET" else url


class HttpTransport:
    """Real HTTP, with Twilio's limits: 10 s to connect, 15 s for the whole answer."""

    def __init__(self, connect_timeout: float = 10.0, total_timeout: float = 15.0, *,
                 keep_alive: bool = True) -> None:
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        # Without keep-alive every webhook opens its own connection: none is ever sent on a
        # pooled one the server is closing at that instant (a reset, a lost webhook), which
        # under load happens with gunicorn's 2 s keep-alive.
        self.keep_alive = keep_alive
        # One session per thread: webhooks may go out from a pool (sim/scheduler.py).
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def send(self, method: str, url: str, params: Mapping[str, str],
             headers: Mapping[str, str], limits: Limits | None = None) -> WebhookResponse:
        """One attempt. `limits` (a URL's connection overrides) can only shorten the
        transport's own timeouts, which stand for Twilio's defaults."""
        started = time.perf_counter()
        method = method.upper()
        connect, read, total = self.connect_timeout, self.total_timeout, self.total_timeout
        if limits is not None:
            connect, read, total = (min(connect, limits.connect), min(read, limits.read),
                                    min(total, limits.total))
        try:
            resp = self.session.request(
                method,
                request_url(method, url, params),
                data=dict(params) if method != "GET" else None,
                headers={**headers, **({} if self.keep_alive else {"Connection": "close"})},
                timeout=(connect, read),
                allow_redirects=False,
                stream=True,
            )
            body = self._read(resp, started, total)
        except requests.RequestException as exc:
            # Never connected (refused, unreachable, connect timeout): Twilio's `ct`.
            # Anything after the request went out is `rt`: the app may have acted on it.
            return WebhookResponse(0, error=f"{type(exc).__name__}: {exc}",
                                   elapsed=time.perf_counter() - started,
                                   failure="ct" if never_connected(exc) else "rt")
        return WebhookResponse(resp.status_code, body, resp.headers.get("Content-Type", ""),
                               elapsed=time.perf_counter() - started)

    def _read(self, resp: requests.Response, started: float, total: float) -> bytes:
        # requests' read timeout is per socket read; Twilio's 15 s is for the whole answer.
        chunks = []
        for chunk in resp.iter_content(8192):
            chunks.append(chunk)
            if time.perf_counter() - started > total:
                raise requests.Timeout("answer took longer than the total timeout")
        return b"".join(chunks)


def never_connected(exc: requests.RequestException) -> bool:
    """Did the request fail before a connection was made (so the app cannot have seen it)?"""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, (urllib3.exceptions.NewConnectionError,
                               urllib3.exceptions.ConnectTimeoutError))


class WsgiTransport:
    """Sends the same signed request through a Flask app's test client, in this process.

    The request carries the public URL's scheme, host and path, so an app that rebuilds the
    URL it was called on (to check the signature) sees exactly what was signed.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def send(self, method: str, url: str, params: Mapping[str, str],
             headers: Mapping[str, str]) -> WebhookResponse:
        started = time.perf_counter()
        method = method.upper()
        parts = urlsplit(request_url(method, url, params))
        base = f"{parts.scheme}://{parts.netloc}"
        client = self.app.test_client()
        try:
            resp = client.open(
                parts.path or "/",
                base_url=base,
                method=method,
                query_string=parts.query or None,
                data=dict(params) if method != "GET" else None,
                headers=dict(headers),
            )
        except Exception as exc:  # the app crashed with propagation on: Twilio sees a 500
            return WebhookResponse(
                500, traceback.format_exc().encode(), "text/plain",
                error=f"app raised {type(exc).__name__}: {exc}",
                elapsed=time.perf_counter() - started,
            )
        return WebhookResponse(resp.status_code, resp.get_data(), resp.content_type or "",
                               elapsed=time.perf_counter() - started)
