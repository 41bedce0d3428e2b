from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
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


def tune_for_threads(http_client: TwilioHttpClient, base_url: str, pool_size: int) -> None:
    """Make a shared client cheap to use from many threads (the hold clock's offers).

    - one kept-alive connection per thread: requests' default pool keeps 10 (and
      twilio-python's https one cpu count + 4), so more threads than that open and throw away
      a connection per request;
    - the proxy and CA-bundle environment read once here, not on every request (requests
      walks the whole environment twice per request for them: ~0.3 ms of CPU each time);
    - twilio-python's per-request INFO lines (a dozen: method, URL, every header) only when
      debugging.
    """
    session = http_client.session
    if session is None:
        return
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    http_client.proxy = {**get_environ_proxies(base_url), **(http_client.proxy or {})}
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    logger = logging.getLogger("twilio.http_client")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
