"""The only package that imports twilio.

Everything else builds TwiML with the `VoiceResponse` re-exported here, reaches Twilio's REST
API through `gateway()`, and declares webhooks with `twilio_webhook`.
"""

from twilio.twiml import TwiML
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from app.telephony.fallback import safe_fallback_response as safe_fallback_twiml
from app.telephony.gateway import CALL_OVER, TwilioGateway, gateway, init_gateway
from app.telephony.template import TwimlTemplate
from app.telephony.tokens import voice_access_token
from app.telephony.webhook import public_url, twilio_webhook

__all__ = [
    "CALL_OVER",
    "Dial",
    "Gather",
    "TwiML",
    "TwimlTemplate",
    "VoiceResponse",
    "TwilioGateway",
    "gateway",
    "init_gateway",
    "public_url",
    "safe_fallback_twiml",
    "twilio_webhook",
    "voice_access_token",
]
