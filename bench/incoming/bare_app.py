"""The baseline: a bare Flask endpoint answering a constant TwiML document.

Served by gunicorn with the same settings as the real app, it is what HTTP parsing, the
WSGI server and Flask's routing cost on this machine, with no work of our own.
"""

from __future__ import annotations

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Say language="en-US" voice="Polly.Joanna">Thank you for calling Example Support. '
    "We are here to help.</Say><Hangup /></Response>"
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/ivr/incoming")
    def incoming() -> Response:
        return Response(TWIML, mimetype="text/xml")

    return app
