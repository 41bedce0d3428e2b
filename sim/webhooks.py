"""Requests to the app: Twilio's parameters, signatures, fallback URLs and the last resort."""

from __future__ import annotations

import inspect
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from sim import twiml
from sim.delivery import injected, request
from sim.scheduler import Fetch, Sleep
from sim.signing import sign
from sim.transport import WebhookResponse, request_url

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call

API_VERSION = "2010-04-01"
HTTP_FAILURE = 11200
APPLICATION_ERROR_MESSAGE = "We are sorry, an application error has occurred. Goodbye."


@dataclass
class Doc:
    """A TwiML document and the URL it came from (relative URLs resolve against it)."""

    url: str | None
    verbs: list[twiml.Node]

    def resolve(self, url: str | None) -> str | None:
        if not url:
            return None
        return urljoin(self.url, url) if self.url else url


class CallOver(Exception):  # noqa: N818 - control flow
    """The call must end now (hung up by TwiML, or after the application-error message)."""


def call_params(emu: Emulator, call: Call) -> dict[str, str]:
    """The parameters Twilio sends with every request about a call."""
    p = {
        "CallSid": call.sid,
        "AccountSid": emu.account_sid,
        "From": call.from_,
        "To": call.to,
        "Called": call.to,
        "Caller": call.from_,
        "CallStatus": call.status,
        "ApiVersion": API_VERSION,
        "Direction": call.direction,
    }
    if call.forwarded_from:
        p["ForwardedFrom"] = call.forwarded_from
    if call.caller_name:
        p["CallerName"] = call.caller_name
    if call.parent_call_sid:
        p["ParentCallSid"] = call.parent_call_sid
    if call.application_sid:
        p["ApplicationSid"] = call.application_sid
    p.update(call.extra_params)
    return p


def perform(emu: Emulator, fetch: Fetch) -> WebhookResponse:
    """Sign and send one attempt of a webhook request; runs without the engine's lock.

    `fetch.url` has no fragment (sim/delivery.py took the connection overrides off): the
    fragment is neither sent nor signed.
    """
    method = fetch.method.upper()
    target = fetch.url.partition("#")[0]
    url = request_url(method, target, fetch.params)
    signature = sign(emu.auth_token, url, fetch.params if method != "GET" else {})
    headers = {
        "X-Twilio-Signature": signature,
        "User-Agent": "TwilioProxy/1.1",
        # The same token on every attempt of one request: that is how an app can tell a
        # retry from a new request.
        "I-Twilio-Idempotency-Token": fetch.token or str(uuid.uuid4()),
    }
    waited = emu.sched.delivery_wait()

    def send() -> WebhookResponse:
        limits = fetch.overrides.limits if fetch.overrides is not None else None
        if limits is not None and _takes_limits(emu.transport):
            return emu.transport.send(method, target, fetch.params, headers, limits=limits)
        return emu.transport.send(method, target, fetch.params, headers)

    fault = emu.webhook_faults.take(target)
    resp = injected(fault, fetch.overrides, send) if fault is not None else send()
    emu.log("webhook", call_sid=fetch.call_sid, purpose=fetch.purpose, method=method,
            url=url, params=dict(fetch.params), status=resp.status,
            response=resp.text[:4000], error=resp.error, elapsed=round(resp.elapsed, 4),
            queued=None if waited is None else round(waited, 4),
            attempt=fetch.attempt or None, failure=resp.failure,
            detached=True if fetch.detach else None)
    return resp


def _takes_limits(transport: Any) -> bool:
    try:
        return "limits" in inspect.signature(transport.send).parameters
    except (TypeError, ValueError):
        return False


def interpret(resp: WebhookResponse | None, url: str) -> tuple[Doc | None, int | None, str]:
    """The document an answer carries, or Twilio's error code and why."""
    if resp is None:
        return None, HTTP_FAILURE, "no response"
    if resp.error or not 200 <= resp.status < 300:
        return None, HTTP_FAILURE, resp.error or f"HTTP {resp.status}"
    ctype = resp.content_type.split(";")[0].strip().lower()
    if ctype.startswith("audio/"):
        # Twilio plays an audio answer as if it were <Play>.
        return Doc(url, [twiml.Node("Play", {}, url)]), None, ""
    try:
        return Doc(url, twiml.parse(resp.body)), None, ""
    except twiml.TwimlError as exc:
        return None, twiml.PARSE_ERROR, str(exc)


def fetch_twiml(emu: Emulator, call: Call, url: str, method: str = "POST",
                extra: dict[str, str] | None = None, purpose: str = "voice") -> Any:
    """Fetch the TwiML the call continues with; on failure the fallback, then the last resort.

    A generator: `doc = yield from fetch_twiml(...)`.
    """
    params = {**call_params(emu, call), **(extra or {})}
    method = (method or "POST").upper()
    resp = yield from request(emu, method, url, params, call.sid, purpose)
    doc, code, why = interpret(resp, url)
    if doc is not None:
        return doc
    emu.log("webhook_error", call_sid=call.sid, url=url, code=code, reason=why, purpose=purpose)
    if call.fallback_url:
        fb_params = {**params, "ErrorCode": str(code), "ErrorUrl": url}
        fb_method = (call.fallback_method or "POST").upper()
        resp = yield from request(emu, fb_method, call.fallback_url, fb_params, call.sid,
                                  "fallback")
        doc, fb_code, fb_why = interpret(resp, call.fallback_url)
        if doc is not None:
            return doc
        emu.log("webhook_error", call_sid=call.sid, url=call.fallback_url, code=fb_code,
                reason=fb_why, purpose="fallback")
    yield from application_error(emu, call, code, url)
    raise CallOver()


def application_error(emu: Emulator, call: Call, code: int | None, url: str) -> Any:
    """What a caller hears when nothing the app answered can be used: then the line drops."""
    from sim.calls import answer

    emu.log("application_error", call_sid=call.sid, code=code, url=url)
    answer(emu, call)  # Twilio picks up to say its apology
    seconds = emu.say_seconds(APPLICATION_ERROR_MESSAGE)
    emu.hear(call, "say", text=APPLICATION_ERROR_MESSAGE, voice="woman", language="en-US",
             duration=seconds, source="twilio")
    yield Sleep(seconds)


def notify(emu: Emulator, call_sid: str | None, url: str, method: str,
           params: dict[str, str], purpose: str, delay: float = 0.0) -> None:
    """Fire-and-forget callback (status, recording, conference events); the answer is ignored.

    Each is its own request, with its own retries; under chaos (sim/chaos.py) it may come
    late, with others at once, or twice."""
    deliveries = [delay] if emu.chaos is None else emu.chaos.deliveries(purpose, delay)

    def gen(wait: float, copy: int) -> Any:
        if wait:
            yield Sleep(wait)
        detach = emu.chaos is not None and emu.chaos.detach()
        resp = yield from request(emu, method, url, params, call_sid, purpose, detach)
        if resp is None or resp.error or not 200 <= resp.status < 300:
            why = (resp.error or f"HTTP {resp.status}") if resp else "no response"
            emu.log("webhook_error", call_sid=call_sid, url=url, code=HTTP_FAILURE,
                    reason=why, purpose=purpose, copy=copy or None)

    for copy, wait in enumerate(deliveries):
        emu.sched.spawn(gen(wait, copy), f"{purpose}:{call_sid}")
