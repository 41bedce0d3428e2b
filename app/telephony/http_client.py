from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient


class RebasedTwilioHttpClient(TwilioHttpClient):
    """Sends every Twilio API request to one base URL (the offline emulator).

    Rewriting scheme and host per request covers every Twilio domain (api, voice, ...) and
    keeps working when an edge or region is set, which `client.api.base_url` would not.
    """

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._base = urlsplit(base_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):
        parts = urlsplit(url)
        url = urlunsplit(
            (self._base.scheme, self._base.netloc, parts.path, parts.query, parts.fragment)
        )
        return super().request(method, url, *args, **kwargs)
