"""How Twilio delivers a webhook: connection overrides, retries, and what can go wrong.

Twilio's rule (docs: "Webhooks (HTTP callbacks): Connection Overrides",
https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides): a webhook or
callback URL may end with a fragment of overrides, `#ct=1000&rt=2000&tt=5000&rc=3&rp=5xx,ct`:

| key | meaning | range | default |
|---|---|---|---|
| `ct` | connect timeout, ms | 100-10000 | 5000 |
| `rt` | read timeout, ms (first byte, and between bytes) | 100-15000 | 15000 |
| `tt` | total time for every attempt together, ms | 100-15000 | 15000 |
| `rc` | retry count | 0-5 | 1 |
| `rp` | retry policy: `4xx`, `5xx`, `rt`, `ct`, `all` (comma list) | | `ct` |

So by default a request is retried once, and only when the connection could not be made (the
app never saw it: error 11205 says "two 5-second attempts"); an answer of 500 is final. The
fragment is never sent (it is a fragment) and is not part of the URL that is signed.

The emulator follows the same rule on every request it makes. Tests make connections fail
with `emu.webhook_faults.add(...)` (there is no network in virtual time), and may turn on
`emu.set_chaos(seed)` (sim/chaos.py) for the order callbacks arrive in.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from sim.scheduler import Fetch, Sleep
from sim.transport import Limits, WebhookResponse

if TYPE_CHECKING:
    from sim.emulator import Emulator

RANGES = {"ct": (100, 10000), "rt": (100, 15000), "tt": (100, 15000), "rc": (0, 5)}
POLICIES = frozenset({"4xx", "5xx", "rt", "ct", "all"})
TOTAL_TIMEOUT = 11203  # "HTTP communication total time out triggered" (tt ran out)
INVALID_POLICY = 11243  # "HTTP retry policy is invalid"


@dataclass(frozen=True)
class Overrides:
    """A URL's connection overrides (Twilio's defaults when it has none)."""

    ct: int = 5000
    rt: int = 15000
    tt: int = 15000
    rc: int = 1
    rp: frozenset[str] = frozenset({"ct"})
    invalid: str | None = None  # why Twilio would refuse the fragment

    def retries(self, failure: str) -> bool:
        return "all" in self.rp or failure in self.rp

    @property
    def limits(self) -> Limits:
        return Limits(self.ct / 1000, self.rt / 1000, self.tt / 1000)


def split(url: str) -> tuple[str, Overrides]:
    """The URL to request (and sign), without its fragment, and the overrides it carried."""
    target, hashmark, fragment = url.partition("#")
    if not hashmark:
        return url, Overrides()
    values: dict[str, Any] = {}
    invalid = None
    for key, value in parse_qsl(fragment, keep_blank_values=True):
        if key in RANGES:
            low, high = RANGES[key]
            try:
                number = int(value)
            except ValueError:
                invalid = invalid or f"{key}={value!r} is not a number"
                continue
            # Twilio documents the ranges, not what it does outside them: held to the range.
            values[key] = min(max(number, low), high)
        elif key == "rp":
            policy = frozenset(p.strip() for p in value.split(",") if p.strip())
            if not policy or not policy <= POLICIES:
                invalid = invalid or f"rp={value!r}"
                continue
            values["rp"] = policy
        # Other keys (`e` edge, `sni`) change nothing the emulator models; a plain anchor
        # (`#top`) is no override at all.
    return target, Overrides(**values, invalid=invalid)


def failure_of(resp: WebhookResponse) -> str | None:
    """How a request failed, in the retry policy's words (None: it did not)."""
    if resp.failure:
        return resp.failure
    if resp.status == 0:
        return "ct"
    if 400 <= resp.status < 500:
        return "4xx"
    if resp.status >= 500:
        return "5xx"
    return None


def request(emu: Emulator, method: str, url: str, params: dict[str, str],
            call_sid: str | None, purpose: str,
            detach: bool = False) -> Generator[Any, Any, WebhookResponse]:
    """Request `url` as Twilio does: its overrides, its retries. A generator for a process:
    `resp = yield from request(...)`; returns the last attempt's answer."""
    target, overrides = split(url)
    method = (method or "POST").upper()
    if overrides.invalid:
        emu.log("webhook_error", call_sid=call_sid, url=url, code=INVALID_POLICY,
                reason=f"invalid connection override: {overrides.invalid}", purpose=purpose)
        return WebhookResponse(0, error=f"invalid connection override: {overrides.invalid}",
                               failure="invalid")
    spent = 0.0
    attempt = 0
    token = str(uuid.uuid4())
    while True:
        resp = yield Fetch(method, target, params, call_sid, purpose, overrides, attempt, token,
                           detach)
        if resp is None:
            return resp
        if resp.simulated:
            yield Sleep(resp.simulated)  # an injected timeout lasts as long as the real one
        spent += resp.simulated if resp.simulated is not None else resp.elapsed
        failure = failure_of(resp)
        if failure is None or attempt >= overrides.rc or not overrides.retries(failure):
            return resp
        if spent * 1000 >= overrides.tt:
            emu.log("webhook_error", call_sid=call_sid, url=target, code=TOTAL_TIMEOUT,
                    reason=f"total time {overrides.tt} ms spent", purpose=purpose)
            return resp
        attempt += 1
        emu.log("webhook_retry", call_sid=call_sid, url=target, purpose=purpose,
                attempt=attempt, after=failure)


# -- connections that fail, on purpose --------------------------------------------------


@dataclass
class WebhookFault:
    """The next `count` requests whose URL contains `match` fail: `ct` (never connected:
    the app sees nothing), `rt` (the app answers, too late: Twilio never reads it) or
    `status` (answered for the app with this HTTP status; the app sees nothing)."""

    match: str
    failure: str = "ct"
    count: int = 1
    status: int | None = None
    used: int = 0


@dataclass
class WebhookFaults:
    faults: list[WebhookFault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, match: str, *, failure: str = "ct", count: int = 1,
            status: int | None = None) -> WebhookFault:
        if failure not in ("ct", "rt", "status"):
            raise ValueError("failure is ct, rt or status")
        fault = WebhookFault(match, "status" if status else failure, count, status)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, url: str) -> WebhookFault | None:
        with self._lock:
            for fault in self.faults:
                if fault.used < fault.count and fault.match in url:
                    fault.used += 1
                    return fault
        return None


def injected(fault: WebhookFault, overrides: Overrides | None, send: Any) -> WebhookResponse:
    """The answer a failing connection gives; `send()` delivers the request to the app."""
    overrides = overrides or Overrides()
    if fault.failure == "ct":
        return WebhookResponse(0, error=f"connect timeout after {overrides.ct} ms (injected)",
                               failure="ct", simulated=overrides.ct / 1000)
    if fault.failure == "rt":
        send()  # it reached the app, which acted on it; its answer never came back
        return WebhookResponse(0, error=f"read timeout after {overrides.rt} ms (injected)",
                               failure="rt", simulated=overrides.rt / 1000)
    return WebhookResponse(int(fault.status or 500), b"injected", "text/plain")
