"""The one decorator every Twilio webhook wears: signature check, TwiML answer, safe fallback
(and, for a status callback nobody listens to, the raw request kept in an inbox first)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, Protocol, overload
from urllib.parse import quote, urlparse

from flask import Response, request
from twilio.request_validator import RequestValidator, add_port, compare, remove_port
from twilio.twiml.voice_response import VoiceResponse

from app.observability.context import call_context
from app.observability.metrics import observe_webhook
from app.telephony.fallback import safe_fallback_response
from config import app_settings

log = logging.getLogger(__name__)

TWIML_MIMETYPE = "text/xml"


def public_url(path: str | None = None) -> str:
    """The URL Twilio used (or should use) for `path`, or for the current request.

    Twilio signs the URL it requested, which behind a proxy is not the URL the app sees, so
    it is rebuilt from PUBLIC_BASE_URL rather than from the request's own scheme and host.
    """
    base = app_settings().PUBLIC_BASE_URL.rstrip("/")
    if path is not None:
        return base + path
    url = base + quote(request.path, safe="/:@!$&'()*+,;=-._~%")
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


def signature_is_valid() -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = _validator(app_settings().TWILIO_AUTH_TOKEN)
    # As RequestValidator.validate for a form body: Twilio may have signed the URL with or
    # without its port. validate() computes both HMACs on every request; the second is only
    # needed when the first does not match (one HMAC fewer on the incoming call's path).
    params = request.form
    return any(compare(validator.compute_signature(url, params), signature)
               for url in _signed_urls(public_url()))


@functools.lru_cache(maxsize=4)
def _validator(auth_token: str) -> RequestValidator:
    return RequestValidator(auth_token)


@functools.lru_cache(maxsize=1024)
def _signed_urls(url: str) -> tuple[str, str]:
    """The two forms of `url` Twilio may have signed. A webhook's URLs are few (the query
    carries a language or an attempt number), so they are parsed once each."""
    parsed = urlparse(url)
    return remove_port(parsed), add_port(parsed)


# Characters XML 1.0 forbids. A request value echoed into TwiML (a query parameter, a
# SpeechResult) carrying one would make the whole document unparseable, and Twilio would
# play "an application error has occurred" (found by tests/security/test_webhook_fuzz_live).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def twiml_text(twiml: VoiceResponse | str) -> str:
    return _NOT_XML.sub("", str(twiml))


def twiml_response(twiml: VoiceResponse | str, status: int = 200) -> Response:
    return Response(twiml_text(twiml), status=status, mimetype=TWIML_MIMETYPE)


def _call_sid() -> str:
    return request.form.get("CallSid", "-")


def _rollback_database() -> None:
    # A failed view may leave the session mid-transaction; the next request must not
    # inherit it. Import here: telephony must not depend on the database at import time.
    try:
        from app.extensions import db

        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be the thing that is down
        log.warning("rollback after webhook failure also failed", exc_info=True)


class CallbackInbox(Protocol):
    """Where a callback nobody listens to is kept before its view runs (app/voicemail/inbox.py
    is one: a module with these two functions satisfies it)."""

    def keep(self) -> str | None:
        """Store the request being handled; its id, or None if it could not be stored."""

    def done(self, kept: str | None) -> None:
        """The view succeeded: forget what `keep` stored."""


View = Callable[..., VoiceResponse | str | None]


@overload
def twilio_webhook(view: View) -> Callable[..., Response]: ...


@overload
def twilio_webhook(*, inbox: CallbackInbox) -> Callable[[View], Callable[..., Response]]: ...


def twilio_webhook(view: View | None = None, *, inbox: CallbackInbox | None = None) -> Any:
    """The decorator every Twilio webhook wears: `@twilio_webhook`, or
    `@twilio_webhook(inbox=...)` for a status callback nobody is listening to.

    - A missing or wrong X-Twilio-Signature gets 403 and the view never runs.
    - A webhook a caller hears (no inbox): the view returns a VoiceResponse (or a document
      already rendered from one, `TwimlTemplate.fill`); any exception becomes the safe
      fallback TwiML (HTTP 200) plus a logged error, since Twilio would otherwise play "an
      application error has occurred" and hang up.
    - A status callback (with an inbox): Twilio does not send it again because it was
      answered 500 (it retries a failed connection, and a 5xx only when the URL's overrides
      say `rp=5xx`). So the raw callback is kept in the inbox before the view runs: if the
      view fails (the database is down) the answer is still 200 and the inbox's sweep handles
      it later. Only when the inbox could not keep it either is the answer 500, for the
      `#rp=5xx` retries the callback URLs ask for.
    """
    if view is None:
        return functools.partial(_decorate, inbox=inbox)
    return _decorate(view, inbox=None)


def _decorate(view: View, inbox: CallbackInbox | None) -> Callable[..., Response]:
    answer = _answer_caller if inbox is None else functools.partial(_answer_status, inbox)

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        # Every line logged while answering carries the call SID; latency and outcome are
        # counted per route (app/observability).
        with call_context(request.form.get("CallSid")), \
                observe_webhook(request.endpoint) as seen:
            if not signature_is_valid():
                seen.outcome = "forbidden"
                log.warning("rejected webhook %s: bad or missing X-Twilio-Signature",
                            request.path)
                return Response("Invalid or missing X-Twilio-Signature.\n", status=403,
                                mimetype="text/plain")
            return answer(seen, view, *args, **kwargs)

    # Found through app.url_map by the hostile-input and signature tests (tests/security):
    # True for a webhook a caller hears, "status" for a callback nobody does.
    wrapper.twilio_webhook = True if inbox is None else "status"  # type: ignore[attr-defined]
    return wrapper


def _answer_caller(seen: Any, view: View, *args: Any, **kwargs: Any) -> Response:
    try:
        return twiml_response(view(*args, **kwargs))  # type: ignore[arg-type]
    except Exception:
        seen.outcome = "fallback"
        log.exception("webhook %s failed for call %s; answering the safe fallback",
                      request.path, _call_sid())
        _rollback_database()
        return twiml_response(safe_fallback_response())


def _answer_status(inbox: CallbackInbox, seen: Any, view: View, *args: Any,
                   **kwargs: Any) -> Response:
    kept = inbox.keep()
    try:
        result = view(*args, **kwargs)
    except Exception:
        seen.outcome = "fallback"
        _rollback_database()
        if kept is not None:
            log.exception("callback %s failed for call %s; kept, the sweep will handle it",
                          request.path, _call_sid())
            return twiml_response(VoiceResponse())
        log.exception("callback %s failed for call %s and could not be kept; answering 500 "
                      "for the URL's #rp=5xx retries", request.path, _call_sid())
        return Response("Temporarily unavailable; please retry.\n", status=500,
                        mimetype="text/plain")
    inbox.done(kept)
    return twiml_response(result or VoiceResponse())
