"""The floor: the least work any correct answer to the incoming call does, and nothing else.

A third side of the benchmark, between the bare endpoint and the real app. One Flask route,
the same libraries the app uses, each called the cheapest way it can be:

- the form parsed by Flask (`request.form`);
- the signature checked with twilio's `RequestValidator.compute_signature` over the one URL
  (one HMAC; `validate()` computes two);
- the caller looked up on this thread's own sqlite3 connection through the phone's index;
- the call's row (as JSON) staged in Redis with one `EVALSHA` (`SET NX` + `RPUSH`), as the app
  does; nothing writes it on to SQL, so the floor does less than the app here;
- a `<Gather>` greeting by name: rendered with twilio's `VoiceResponse` once per language
  with a marker for the name, then the caller's name escaped into it (as the app does).

No prompt catalogue, departments, languages, version check, logging, metrics, retries or
fallback: a sample, not a product. What it measures is a bound: an app doing the work the
benchmark names on this stack and this machine cannot be faster than this, so if the floor's
ratio to the bare endpoint is under the target, so is every implementation's.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from xml.sax.saxutils import escape

import redis
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator, compare
from twilio.twiml.voice_response import VoiceResponse

_LOOKUP = (
    "SELECT customers.id, customers.name, customers.language FROM customer_phones "
    "JOIN customers ON customer_phones.customer_id = customers.id "
    "WHERE customer_phones.number = ? LIMIT 1"
)
_STAGE = (
    "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', 3600) then "
    "redis.call('RPUSH', KEYS[2], ARGV[2]) return 1 end return 0"
)
_VOICES = {"en": ("Polly.Joanna", "en-US"), "hi": ("Polly.Aditi", "hi-IN"),
           "bn": ("Google.bn-IN-Standard-C", "bn-IN"), "ms": ("Google.ms-MY-Standard-A", "ms-MY")}
_NAME = "\ue000name\ue001"


def _greeting(voice: str, say_language: str) -> tuple[str, str]:
    response = VoiceResponse()
    gather = response.gather(action="/ivr/menu", method="POST", input="dtmf speech",
                             num_digits=1, timeout=5, language=say_language)
    gather.say(f"Hello {_NAME}, thank you for calling Example Support. For billing press 1, "
               "for support press 2.", voice=voice, language=say_language)
    response.redirect("/ivr/menu", method="POST")
    before, after = str(response).split(_NAME)
    return before, after


def create_app() -> Flask:
    app = Flask(__name__)
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    url = os.environ["PUBLIC_BASE_URL"].rstrip("/") + "/ivr/incoming"
    database = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    store = redis.Redis.from_url(os.environ["REDIS_URL"])
    stage = store.register_script(_STAGE)
    connections = threading.local()
    documents = {code: _greeting(*voice) for code, voice in _VOICES.items()}

    @app.post("/ivr/incoming")
    def incoming() -> Response:
        form = request.form
        signature = request.headers.get("X-Twilio-Signature", "")
        if not compare(validator.compute_signature(url, form), signature):
            return Response("forbidden\n", status=403)
        connection = getattr(connections, "db", None)
        if connection is None:
            connection = connections.db = sqlite3.connect(database, isolation_level=None)
        call_sid, caller = form.get("CallSid", ""), form.get("From", "")
        found = connection.execute(_LOOKUP, (caller,)).fetchall()
        customer_id, name, language = found[0] if found else (None, "", "en")
        row = json.dumps({"call_sid": call_sid, "from": caller, "customer_id": customer_id})
        stage(keys=[f"floor:new:{call_sid}", "floor:new"], args=[row, call_sid])
        before, after = documents.get(language, documents["en"])
        return Response(before + escape(name) + after, mimetype="text/xml")

    return app
