"""The decorator every Twilio webhook wears: signature check, TwiML answer, safe fallback."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any
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


def twilio_webhook(view: Callable[..., VoiceResponse | str]) -> Callable[..., Response]:
    """Wrap a view that returns a VoiceResponse (or a document already rendered from one,
    `TwimlTemplate.fill`).

    - A missing or wrong X-Twilio-Signature gets 403 and the view never runs.
    - Any exception in the view becomes the safe fallback TwiML (HTTP 200) plus a logged
      error: Twilio would otherwise play "an application error has occurred" and hang up.
    """

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
            try:
                return twiml_response(view(*args, **kwargs))
            except Exception:
                seen.outcome = "fallback"
                log.exception("webhook %s failed for call %s; answering the safe fallback",
                              request.path, _call_sid())
                _rollback_database()
                return twiml_response(safe_fallback_response())

    # Found through app.url_map by the hostile-input and signature tests (tests/security).
    wrapper.twilio_webhook = True  # type: ignore[attr-defined]
    return wrapper
