"""Callbacks that must not be lost, kept in Redis before anything that can fail handles them.

Twilio sends a recording (or transcription) callback once. It retries only when the
connection failed, unless the URL's connection overrides say otherwise (Twilio, "Webhooks
(HTTP callbacks): Connection Overrides"); an answer of 500 is final, so "answer 500 and
Twilio will retry" loses a message whenever the database is down. Instead:

1. `keep()` writes the raw callback (endpoint, path with query, form) to a Redis hash;
2. the view handles it, and `done()` removes it;
3. if the view failed (the database is down) the entry stays, the answer is 200 (the
   callback is safe with us), and `replay()` (part of the periodic sweep) runs it again
   once it is `REPLAY_AFTER_SECONDS` old, until it succeeds.

Handling is idempotent (one message per RecordingSid), so a replay racing a late retry, or a
callback that arrives twice, changes nothing. With Redis down too, the answer is 500 and the
URL's overrides (`DELIVERY`) have Twilio try again a few times within its 15 s budget.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request

from app.extensions import db, redis_client

log = logging.getLogger(__name__)

KEY = "voicemail:inbox"
REPLAY_AFTER_SECONDS = 30
# Connection overrides on the URLs of callbacks that carry a message: a failed connection
# or a 5xx answer is tried again, three times (within Twilio's total 15 s).
DELIVERY = "#rc=3&rp=ct,5xx"


def must_arrive(url: str) -> str:
    """`url` with the connection overrides a callback that must not be lost wears."""
    return url.partition("#")[0] + DELIVERY


def keep() -> str | None:
    """Store the callback being handled; its id, or None if Redis could not take it."""
    entry_id = uuid.uuid4().hex
    entry = {"endpoint": request.endpoint, "path": request.full_path.rstrip("?"),
             "form": request.form.to_dict(flat=False), "received_at": time.time()}
    try:
        redis_client.hset(KEY, entry_id, json.dumps(entry))
    except Exception:  # noqa: BLE001 - Redis down: the callback is handled without a net
        log.warning("could not keep callback %s in Redis", request.path, exc_info=True)
        return None
    return entry_id


def done(entry_id: str | None) -> None:
    if entry_id is None:
        return
    try:
        redis_client.hdel(KEY, entry_id)
    except Exception:  # noqa: BLE001 - a replay will find it handled (idempotent)
        log.warning("could not clear kept callback %s", entry_id, exc_info=True)


def pending() -> dict[str, dict[str, Any]]:
    return {k: json.loads(v) for k, v in redis_client.hgetall(KEY).items()}


def replay(app: Flask | None = None, *, older_than: float = REPLAY_AFTER_SECONDS) -> int:
    """Handle again every kept callback older than `older_than` seconds; how many succeeded.

    Newer ones may still be in the hands of the request that kept them.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    handled = 0
    now = time.time()
    try:
        kept = pending()
    except Exception:  # noqa: BLE001 - Redis down: nothing can be replayed now
        log.warning("could not read the kept callbacks", exc_info=True)
        return 0
    for entry_id, entry in kept.items():
        if now - float(entry.get("received_at", 0)) < older_than:
            continue
        if _handle(app, entry):
            redis_client.hdel(KEY, entry_id)
            handled += 1
    if handled:
        log.info("replayed %d kept callback(s)", handled)
    return handled


def _handle(app: Flask, entry: dict[str, Any]) -> bool:
    view = app.view_functions.get(entry.get("endpoint", ""))
    handler: Callable[..., Any] | None = getattr(view, "__wrapped__", None)
    if handler is None:
        log.error("kept callback for unknown endpoint %s dropped", entry.get("endpoint"))
        return True
    # The signature was checked when it arrived; the view runs as it would have then.
    with app.test_request_context(entry["path"], method="POST", data=entry["form"]):
        try:
            handler(**(request.view_args or {}))
            db.session.commit()
            return True
        except Exception:
            try:
                db.session.rollback()
            except Exception:  # noqa: BLE001 - the database may still be down
                log.warning("rollback after a failed replay also failed", exc_info=True)
            log.exception("kept callback %s still fails; kept for the next sweep",
                          entry["path"])
            return False
