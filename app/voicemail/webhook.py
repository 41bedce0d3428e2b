"""The decorator for Twilio callbacks no caller is listening to (recording, transcription).

Twilio does not send such a callback again because it was answered 500 (it retries a failed
connection, and a 5xx only when the URL's overrides say `rp=5xx`). So the raw callback is
kept in Redis before the view runs (app/voicemail/inbox.py): if the view fails (the database
is down) the answer is still 200, and the periodic sweep handles it again until it succeeds.
Only when Redis could not keep it either is the answer 500, for the `#rp=5xx` retries the
callback URLs ask for.
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
from app.voicemail import inbox

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
    kept = inbox.keep()
    try:
        result = view(*args, **kwargs)
    except Exception:
        seen.outcome = "fallback"
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the database may be what failed
            log.warning("rollback after callback failure also failed", exc_info=True)
        if kept is not None:
            log.exception("callback %s failed for call %s; kept, the sweep will handle it",
                          request.path, request.form.get("CallSid", "-"))
            return Response(twiml_text(VoiceResponse()), status=200, mimetype="text/xml")
        log.exception("callback %s failed for call %s and could not be kept; answering 500 "
                      "for the URL's #rp=5xx retries", request.path,
                      request.form.get("CallSid", "-"))
        return Response("Temporarily unavailable; please retry.\n", status=500,
                        mimetype="text/plain")
    inbox.done(kept)
    return Response(twiml_text(result or VoiceResponse()), status=200, mimetype="text/xml")
