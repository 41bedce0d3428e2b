"""`python -m sim serve`: the emulator as a process next to a running app, in real time."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from typing import Any

from sim.clock import RealClock
from sim.emulator import Emulator
from sim.transport import HttpTransport

# The development defaults the call-centre app uses too (config/settings.py), so that
# `make run` works with no configuration. They are obviously fake and never valid on Twilio.
DEV_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEV_AUTH_TOKEN = "dev-auth-token-not-a-secret"
DEV_API_KEY = "SK" + "0" * 31 + "1"
DEV_API_SECRET = "dev-api-secret-not-a-secret-0123456789"
DEV_TWIML_APP_SID = "AP" + "0" * 31 + "1"


def credentials(args: Any = None) -> dict[str, str]:
    def pick(flag: str, env: str, default: str) -> str:
        value = getattr(args, flag, None) if args is not None else None
        return value or os.environ.get(env) or default

    return {
        "account_sid": pick("account_sid", "TWILIO_ACCOUNT_SID", DEV_ACCOUNT_SID),
        "auth_token": pick("auth_token", "TWILIO_AUTH_TOKEN", DEV_AUTH_TOKEN),
        "api_key": pick("api_key", "TWILIO_API_KEY", DEV_API_KEY),
        "api_secret": pick("api_secret", "TWILIO_API_SECRET", DEV_API_SECRET),
        "twiml_app_sid": pick("twiml_app_sid", "TWILIO_TWIML_APP_SID", DEV_TWIML_APP_SID),
    }


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8099, help="REST + control API port (8099)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--app-url", default="http://127.0.0.1:5000", help="the app's base URL")
    p.add_argument("--number", action="append", default=None,
                   help="our phone number (repeatable; default +15005550006)")
    p.add_argument("--voice-url", help="default: <app-url>/ivr/incoming")
    p.add_argument("--fallback-url", help="default: <app-url>/ivr/fallback")
    p.add_argument("--status-callback", help="default: <app-url>/ivr/status")
    p.add_argument("--client-voice-url",
                   help="the TwiML App's voice URL for softphones' outgoing calls "
                        "(default: <app-url>/softphone/outgoing)")
    p.add_argument("--log", help="write the event log (JSON lines) here on exit")
    p.add_argument("--connect-timeout", type=float, default=10.0)
    p.add_argument("--webhook-timeout", type=float, default=15.0)
    p.add_argument("--webhook-workers", type=int, default=16,
                   help="webhooks in flight at once, each call's in order (16; 0: one at a time)")
    p.add_argument("--cps", type=float, default=1.0,
                   help="the account's calls per second for REST-created calls (Twilio: 1)")
    p.add_argument("--chaos-seed", type=int, default=None,
                   help="deliver callbacks late or twice, from this seed (sim/chaos.py)")


def build(args: argparse.Namespace) -> Emulator:
    creds = credentials(args)
    base = args.app_url.rstrip("/")
    emu = Emulator(creds["account_sid"], creds["auth_token"], clock=RealClock(),
                   transport=HttpTransport(args.connect_timeout, args.webhook_timeout),
                   api_key=creds["api_key"], api_secret=creds["api_secret"],
                   webhook_workers=getattr(args, "webhook_workers", 16),
                   cps=getattr(args, "cps", 1.0))
    emu.set_chaos(getattr(args, "chaos_seed", None))
    for number in args.number or ["+15005550006"]:
        emu.add_number(number, args.voice_url or f"{base}/ivr/incoming",
                       fallback_url=args.fallback_url or f"{base}/ivr/fallback",
                       status_callback=args.status_callback or f"{base}/ivr/status")
    emu.add_application(args.client_voice_url or f"{base}/softphone/outgoing",
                        sid=creds["twiml_app_sid"])
    return emu


def serve(args: argparse.Namespace, ready: threading.Event | None = None,
          stop: threading.Event | None = None) -> int:
    emu = build(args)
    base_url = emu.start_rest_server(port=args.port, host=args.host)
    emu.start()
    print(f"Twilio emulator on {base_url} (REST: {base_url}/2010-04-01, control: "
          f"{base_url}/_sim/); numbers {', '.join(emu.store.numbers)} -> {args.app_url}",
          flush=True)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if ready is not None:
        ready.emulator = emu  # type: ignore[attr-defined]
        ready.set()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
        if args.log:
            emu.write_log(args.log)
    return 0
