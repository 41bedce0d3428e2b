from __future__ import annotations

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from config import AppSettings


def voice_access_token(settings: AppSettings, identity: str, ttl: int = 3600) -> str:
    """A Voice SDK token: the softphone may receive calls and place calls via the TwiML App."""
    token = AccessToken(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_API_KEY,
        settings.TWILIO_API_SECRET,
        identity=identity,
        ttl=ttl,
    )
    token.add_grant(
        VoiceGrant(outgoing_application_sid=settings.TWILIO_TWIML_APP_SID, incoming_allow=True)
    )
    jwt = token.to_jwt()
    return jwt.decode() if isinstance(jwt, bytes) else jwt
