"""The decorator for Twilio callbacks no caller is listening to (recording, transcription).

Unlike `twilio_webhook`, a failure answers 500: nobody would hear a fallback, and an error
status makes Twilio retry, so a database outage does not lose a message.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Response, request

from app.extensions import db
from app.observability.context import call_context
from app.observability.metrics import observe_webhook
from app.telephony import VoiceResponse
from app.telephony.webhook import signature_is_valid, twiml_text

log = logging.getLogger(__name__)


def status_webhook(view: Callable[..., VoiceResponse | None]) -> Callable[..., Response]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        with call_context(request.form.get("CallSid")), \
                observe_webhook(request.endpoint) as seen:
            return _answer(seen, view, *args, **kwargs)

    # Found through app.url_map by the hostile-input and signature tests (tests/security).
    wrapper.twilio_webhook = "status"  # type: ignore[attr-defined]
    return wrapper


def _answer(seen: Any, view: Callable[..., VoiceResponse | None], *args: Any,
            **kwargs: Any) -> Response:
    if not signature_is_valid():
        seen.outcome = "forbidden"
        log.warning("rejected callback %s: bad or missing X-Twilio-Signature", request.path)
        return Response("Invalid or missing X-Twilio-Signature.\n", status=403,
                        mimetype="text/plain")
    try:
        result = view(*args, **kwargs)
    except Exception:
        seen.outcome = "fallback"
        log.exception("callback %s failed for call %s; answering 500 so Twilio retries",
                      request.path, request.form.get("CallSid", "-"))
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the database may be what failed
            log.warning("rollback after callback failure also failed", exc_info=True)
        return Response("Temporarily unavailable; please retry.\n", status=500,
                        mimetype="text/plain")
    return Response(twiml_text(result or VoiceResponse()), status=200, mimetype="text/xml")
