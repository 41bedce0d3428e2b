from __future__ import annotations

from typing import Any

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant


def voice_access_token(config: dict[str, Any], identity: str, ttl: int = 3600) -> str:
    """A Voice SDK token: the softphone may receive calls and place calls via the TwiML App."""
    token = AccessToken(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_API_KEY"],
        config["TWILIO_API_SECRET"],
        identity=identity,
        ttl=ttl,
    )
    token.add_grant(
        VoiceGrant(outgoing_application_sid=config["TWILIO_TWIML_APP_SID"], incoming_allow=True)
    )
    jwt = token.to_jwt()
    return jwt.decode() if isinstance(jwt, bytes) else jwt
