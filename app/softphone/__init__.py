"""The agents' softphones placing calls: the TwiML App's voice URL (`/softphone/outgoing`).

An agent's browser softphone (Twilio's Voice SDK `device.connect({params: {To}})`, or the
emulator's) calls the TwiML App; Twilio then asks this webhook what to do with the call:
dial a customer's number with the call centre's caller ID, or another agent's softphone.
Calls that arrive here are inbound to Twilio, so the account's calls-per-second limit on
REST-created calls does not apply to them (docs/deploy.md).
"""

from flask import Blueprint, Flask

bp = Blueprint("softphone", __name__, url_prefix="/softphone")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI)."""
    app.register_blueprint(bp)


from app.softphone import webhooks  # noqa: E402,F401  (attach to bp)
