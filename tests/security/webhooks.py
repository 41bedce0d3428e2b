"""The app's Twilio webhooks, found in app.url_map, and how to sign a request to one."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Flask
from werkzeug.routing import Rule

from tests.conftest import PUBLIC_BASE_URL, sign
from tests.security.conftest import webhook_kind


def webhook_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if webhook_kind(app, r)),
                  key=lambda r: r.rule)


def fill(rule: Rule, values: dict[str, str] | None = None) -> str:
    """The rule's path with its variables filled in (`values`, or harmless defaults)."""
    values = values or {}

    def one(match: re.Match[str]) -> str:
        converter, _, name = match.group(1).rpartition(":")
        if name in values:
            return str(values[name])
        return "7" if converter == "int" else "amy"

    return re.sub(r"<([^>]+)>", one, rule.rule)


def signed_request(path: str, query: dict[str, str], params: dict[str, str],
                   token: str | None = None) -> tuple[str, dict[str, str]]:
    """(the URL to request, headers) signed exactly as Twilio signs it."""
    url = path + ("?" + urlencode(query) if query else "")
    signature = sign(PUBLIC_BASE_URL + url, params) if token is None else \
        sign(PUBLIC_BASE_URL + url, params, token)
    return url, {"X-Twilio-Signature": signature}
