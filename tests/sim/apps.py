"""Small Flask apps that stand in for the call-centre app in the emulator's tests.

Every request they receive is checked with twilio's RequestValidator against the public URL,
exactly as a real app behind a proxy would, and recorded for assertions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "sim-test-token"
BASE = "https://ivr.example.test"
NUMBER = "+15005550006"
CALLER = "+919812345678"


@dataclass
class Hit:
    path: str
    method: str
    params: dict[str, str]
    valid: bool
    url: str
    headers: dict[str, str] = field(default_factory=dict)


Handler = str | Callable[[Hit], Any]


def make_app(routes: dict[str, Handler], token: str = AUTH_TOKEN, base: str = BASE) -> Flask:
    """A Flask app answering `routes` (path -> TwiML text or a function of the request)."""
    app = Flask(f"sim-test-{id(routes)}")
    hits: list[Hit] = []
    app.extensions["hits"] = hits

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def any_route(path: str) -> Any:
        query = request.query_string.decode()
        url = f"{base}/{path}" + (f"?{query}" if query else "")
        params = request.form.to_dict() if request.method == "POST" else {}
        valid = RequestValidator(token).validate(
            url, params, request.headers.get("X-Twilio-Signature", ""))
        hit = Hit("/" + path, request.method, {**request.args.to_dict(), **params}, valid, url,
                  dict(request.headers))
        hits.append(hit)
        if not valid:
            return Response("bad signature", status=403)
        handler = routes.get("/" + path)
        if handler is None and path == "ivr/status":
            return Response(status=204)
        if handler is None:
            return Response("not found", status=404)
        result = handler(hit) if callable(handler) else handler
        if isinstance(result, str):
            return Response(result, mimetype="text/xml")
        return result

    return app


def hits(app: Flask, path: str | None = None) -> list[Hit]:
    return [h for h in app.extensions["hits"] if path is None or h.path == path]


def xml(body: str) -> str:
    """Check a test's own TwiML parses before handing it out (a typo would mislead)."""
    ElementTree.fromstring(body)
    return body


def respond(*verbs: str) -> str:
    return xml("<Response>" + "".join(verbs) + "</Response>")
