"""The app as `make run` starts it, on free ports, for tests in a real browser.

Real processes: an embedded redis-server, gunicorn serving `app:create_app()`, the hold-clock
process, the RQ worker and the emulator (`python -m sim serve`), against a temporary SQLite
database built by the migrations and seeded with the demo (plus agents with passwords).

    with Stack(tmp_dir, agents=[...]) as stack:
        stack.url            # http://127.0.0.1:<port>
        stack.sim("POST", "/calls", {"from": "+12025550143"})   # the emulator's control API

`python -m tests.browser.harness` starts one and waits, to poke at it by hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from app.embedded_redis import EmbeddedRedis, free_port
from tests.conftest import EVERY_LANGUAGE

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NUMBER = "+15005550006"
PASSWORD = "browser-test-password"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]


@dataclass(frozen=True)
class Person:
    identity: str
    name: str
    role: str = "agent"
    departments: tuple[str, ...] = ("billing", "support", "sales")


@dataclass
class Stack:
    workdir: Path
    people: Iterable[Person] = ()
    env_overrides: dict[str, str] = field(default_factory=dict)
    # The emulator's pace. None: Twilio's (150 words a minute, 5 s a turn of music), as
    # `make run` has it; the tests ask for shorter sounds (conftest.py), which only shortens
    # what a caller hears, as tests/faults does.
    words_per_minute: float | None = None
    play_seconds: float | None = None
    web_port: int = field(default_factory=free_port)
    sim_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    redis: EmbeddedRedis | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    def env(self) -> dict[str, str]:
        assert self.redis is not None
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "FLASK_"))}
        env.update({
            "APP_ENV": "development",
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
            "PORT": str(self.web_port),
            "PUBLIC_BASE_URL": self.url,
            "DATABASE_URL": f"sqlite:///{self.workdir / 'callcentre.sqlite3'}",
            "REDIS_URL": self.redis.url,
            "TWILIO_MODE": "emulator",
            "TWILIO_API_BASE_URL": self.sim_url,
            "EMULATOR_PORT": str(self.sim_port),
            "LOG_LEVEL": "WARNING",
            **self.env_overrides,
        })
        return env

    def start(self) -> Stack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.redis = EmbeddedRedis(self.workdir / "redis", appendonly=False).start()
        env = self.env()
        self._run([str(BIN / "flask"), "--app", "app", "db", "upgrade"], env)
        self._run([str(BIN / "flask"), "--app", "app", "ivr", "seed-demo"], env)
        self._seed_people(env)
        commands = {
            # One worker with threads, as the Procfile runs it (each console holds a thread).
            "web": [str(BIN / "gunicorn"), "app:create_app()", "--bind",
                    f"127.0.0.1:{self.web_port}", "--workers", "1", "--threads", "12",
                    "--timeout", "120", "--graceful-timeout", "3"],
            "clock": [str(BIN / "flask"), "--app", "app", "queue", "clock"],
            "worker": [str(BIN / "rq"), "worker", "--with-scheduler", "--url", self.redis.url,
                       "default"],
            "sim": self._sim_command(),
        }
        try:
            for name, command in commands.items():
                log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 (kept open)
                self.processes[name] = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)
            self._wait_for(f"{self.url}/healthz", "web")
            self._wait_for(f"{self.sim_url}/_sim/health", "sim")
        except Exception:
            self.stop()
            raise
        return self

    def _sim_command(self) -> list[str]:
        serve = ["serve", "--port", str(self.sim_port), "--app-url", self.url, "--number", NUMBER]
        if self.words_per_minute is None and self.play_seconds is None:
            return [sys.executable, "-m", "sim", *serve]
        # `python -m sim serve` with the pace given (tests/faults/sim_process.py).
        return [sys.executable, "-m", "tests.faults.sim_process", *serve,
                "--words-per-minute", str(self.words_per_minute or 150.0),
                "--play-seconds", str(self.play_seconds or 5.0)]

    def _run(self, command: list[str], env: dict[str, str]) -> None:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")

    def _seed_people(self, env: dict[str, str]) -> None:
        """Agents with passwords; every demo department open around the clock, so the test
        does not depend on the hour it runs at."""
        script = (
            "import json, sys\n"
            "from app import create_app\n"
            "from app.agents import services\n"
            "from app.extensions import db\n"
            "from app.floor.models import Department\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    for d in db.session.query(Department): d.hours = {}\n"
            "    for p in json.loads(sys.argv[1]):\n"
            "        services.create_agent(p['name'], p['identity'], role=p['role'],\n"
            "            departments=p['departments'], password=p['password'],\n"
            "            languages=p['languages'])\n"
            "    db.session.commit()\n"
        )
        people = [{"identity": p.identity, "name": p.name, "role": p.role,
                   "departments": list(p.departments), "password": PASSWORD,
                   "languages": list(getattr(p, "languages", None) or EVERY_LANGUAGE)}
                  for p in self.people]
        import json

        self._run([sys.executable, "-c", script, json.dumps(people)], env)

    def _wait_for(self, url: str, name: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log(name)}")
            try:
                if requests.get(url, timeout=1).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer {url} within {timeout} s:\n{self.log(name)}")

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def sim(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The emulator's control API (`/_sim/...`)."""
        response = requests.request(method, f"{self.sim_url}/_sim{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        if self.redis is not None:
            self.redis.stop()
            self.redis = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Caller:
    """A caller on the emulator's control API (the test phone's job once it exists)."""

    def __init__(self, stack: Stack, number: str) -> None:
        self.stack = stack
        self.sid = stack.sim("POST", "/calls", {"from": number, "to": NUMBER})["call_sid"]

    def info(self) -> dict[str, Any]:
        return self.stack.sim("GET", f"/calls/{self.sid}")

    def heard(self) -> list[str]:
        return [h.get("text") or "" for h in self.info()["heard"]]

    def wait_until(self, predicate, timeout: float = 45.0, what: str = "") -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            info = self.info()
            if predicate(info):
                return info
            if time.monotonic() > deadline:
                raise TimeoutError(f"caller {self.sid}: not {what} after {timeout} s: "
                                   f"{info['status']} {info['activity']} {self.heard()[-3:]}")
            time.sleep(0.25)

    def wait_to_hear(self, words: str, timeout: float = 45.0) -> dict[str, Any]:
        return self.wait_until(lambda i: any(words in (h.get("text") or "") for h in i["heard"]),
                               timeout, f"hearing {words!r}")

    def press(self, digits: str) -> None:
        self.stack.sim("POST", f"/calls/{self.sid}/press", {"digits": digits})

    def say(self, text: str) -> None:
        self.stack.sim("POST", f"/calls/{self.sid}/say", {"text": text})

    def hangup(self) -> None:
        self.stack.sim("POST", f"/calls/{self.sid}/hangup", {})


def sign_in_page(page: Any, url: str, identity: str, landing: str = "**/console") -> None:
    """Sign `identity` in on `page` through the sign-in form, as a person would."""
    page.goto(f"{url}/signin")
    page.fill("input[name=identity]", identity)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(landing)


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return (f"{CHROMIUM} is missing: install Debian's chromium (`make test` does it as "
                "root; scripts/browser_deps.sh)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is missing: make install"
    return None


DEMO_PEOPLE = (
    Person("alice", "Alice Martin"),
    Person("bob", "Bob Okafor"),
    Person("sam", "Sam Reyes", role="supervisor"),
)


def main() -> None:
    # SIGTERM stops the stack as Ctrl-C does (its processes run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    workdir = Path(tempfile.mkdtemp(prefix="callcentre-browser-"))
    with Stack(workdir, DEMO_PEOPLE) as stack:
        print(f"web {stack.url}  sim {stack.sim_url}  logs {workdir}")
        print(f"sign in as alice, bob or sam with {PASSWORD!r}; Ctrl-C stops")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
