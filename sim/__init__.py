"""An offline stand-in for Twilio Voice: its REST API, a TwiML call engine and scripted parties.

Nothing here imports the call-centre app; the app talks to it exactly as it talks to Twilio.
"""

from sim.clock import RealClock, VirtualClock
from sim.emulator import Emulator
from sim.transport import HttpTransport, WsgiTransport

__all__ = ["Emulator", "HttpTransport", "RealClock", "VirtualClock", "WsgiTransport"]
