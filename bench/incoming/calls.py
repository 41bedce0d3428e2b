"""Incoming-call requests, signed exactly as Twilio signs them, written before the timed part.

One request per line: the form body, a tab, the X-Twilio-Signature. Every request has its own
CallSid, so each one the app answers writes a new interaction row.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

PATH = "/ivr/incoming"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
CALLED = "+15005550006"
_COUNTRY = {"+1": "US", "+91": "IN", "+880": "BD", "+60": "MY"}


def _country(number: str) -> str:
    return next((c for prefix, c in _COUNTRY.items() if number.startswith(prefix)), "")


def incoming_params(call_sid: str, caller: str) -> dict[str, str]:
    """The form Twilio posts for a new inbound call (the fields a real payload carries)."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Called": CALLED,
        "CalledCountry": "US",
        "Caller": caller,
        "CallerCountry": _country(caller),
        "Direction": "inbound",
        "From": caller,
        "FromCountry": _country(caller),
        "To": CALLED,
        "ToCountry": "US",
    }


def write_requests(path: Path, *, count: int, public_base_url: str, auth_token: str,
                   known: Sequence[str], unknown: Sequence[str], unknown_share: float,
                   seed: int) -> dict[str, int]:
    """Write `count` signed requests; callers are mostly customers, `unknown_share` strangers."""
    rng = random.Random(seed)
    validator = RequestValidator(auth_token)
    url = public_base_url.rstrip("/") + PATH
    mix = {"known": 0, "unknown": 0}
    with path.open("w", encoding="ascii") as out:
        for _ in range(count):
            is_unknown = rng.random() < unknown_share
            caller = rng.choice(unknown if is_unknown else known)
            mix["unknown" if is_unknown else "known"] += 1
            params = incoming_params("CA" + uuid.UUID(int=rng.getrandbits(128)).hex, caller)
            signature = validator.compute_signature(url, params)
            out.write(f"{urlencode(params)}\t{signature}\n")
    return mix


def read_requests(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="ascii") as lines:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in lines]  # type: ignore[misc]
