"""`make run`: the Procfile's web and worker, plus an embedded Redis and the emulator.

Starts what the settings call for: no embedded Redis when REDIS_URL is set, no emulator when
TWILIO_MODE=live. Redis is started (and waited for) before the others, because the worker
exits at once if it cannot connect.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.embedded_redis import EmbeddedRedis  # noqa: E402
from config import DevelopmentConfig  # noqa: E402


def banner(settings: DevelopmentConfig, emulator: bool) -> str:
    web = f"http://127.0.0.1:{settings.PORT}"
    lines = [
        "",
        "Call centre is starting:",
        f"  web        {web}  (health: {web}/healthz)",
        f"  redis      {settings.REDIS_URL}",
        f"  database   {settings.SQLALCHEMY_DATABASE_URI}",
    ]
    if emulator:
        sim = f"http://127.0.0.1:{settings.EMULATOR_PORT}"
        lines += [
            f"  emulator   {sim}  (Twilio's REST API, offline)",
            "",
            "In a browser (password demo-password; one browser or private window per person):",
            f"  {web}/signin   alice or bob: the agent console;  sam: the supervisor's floor",
            f"  {web}/test-phone   dial in as any number (signed in, in its own window)",
            "",
            "Call in from another terminal with the terminal phone:",
            "  .venv/bin/flask --app app sim call +15551230000",
            "Run a scripted call flow:",
            f"  .venv/bin/python -m sim run sim/scenarios/greeting.yaml --app-url {web}",
        ]
    else:
        lines.append("  TWILIO_MODE=live: no emulator; point your number at PUBLIC_BASE_URL.")
    return "\n".join(lines) + "\n"


def main() -> int:
    os.chdir(ROOT)
    settings = DevelopmentConfig()
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYTHONUNBUFFERED", "1")

    redis_server = None
    if not os.environ.get("REDIS_URL"):
        redis_server = EmbeddedRedis(ROOT / "var" / "redis", port=settings.EMBEDDED_REDIS_PORT)
        redis_server.start()
        env["REDIS_URL"] = redis_server.url
        settings.REDIS_URL = redis_server.url

    procfile = parse_procfile((ROOT / "Procfile").read_text())
    manager = Manager(Printer(sys.stdout))
    for name in ("web", "worker", "clock"):
        manager.add_process(name, procfile.processes[name], env={**env, "PORT": str(settings.PORT)})

    emulator = settings.TWILIO_MODE != "live"
    if emulator:
        sim_cmd = (
            f"python -m sim serve --port {settings.EMULATOR_PORT}"
            f" --app-url http://127.0.0.1:{settings.PORT} --number {settings.TWILIO_PHONE_NUMBER}"
        )
        manager.add_process("sim", sim_cmd, env=env)

    print(banner(settings, emulator), flush=True)
    try:
        manager.loop()
    finally:
        if redis_server:
            redis_server.stop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
