"""`make run` with real processes: scripts/run_dev.py on free ports, small settings, a
database and var/ of the test's own; every process it started is stopped at the end, whatever
happened (the test's own assertions are about stopping, so it must not rely on them).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.embedded_redis import free_ports
from scripts.dev_processes import GroupState, Member, group_members, stop_group

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RUN_DEV = ROOT / "scripts" / "run_dev.py"
START_SECONDS = 60.0
STOP_SECONDS = 10.0  # what the issue allows after Ctrl-C, a hang-up or SIGTERM

# What one `make run` is made of, each by a piece of its command line.
PARTS = {
    "redis-server": lambda m: "redis-server" in m.name,
    "gunicorn master and worker": lambda m: "gunicorn" in m.cmdline,
    "clock": lambda m: "queue clock" in m.cmdline and "sh -c" not in m.cmdline,
    "rq worker and scheduler": lambda m: "rq worker" in m.cmdline and "sh -c" not in m.cmdline,
    "emulator": lambda m: "sim serve" in m.cmdline and "sh -c" not in m.cmdline,
}
COUNTS = {"gunicorn master and worker": 2, "rq worker and scheduler": 2}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        # As tests/browser and tests/faults: `make run`'s processes are the same on any
        # database, so `make test-pg` would only run them twice; `make test` runs them.
        pytest.skip("make run's own processes: run by `make test`, not `make test-pg`")
    url = f"sqlite:///{tmp_path_factory.mktemp('devstack-db') / 'callcentre.sqlite3'}"
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": url}
    subprocess.run([str(BIN / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    return url


class DevRun:
    """One `make run` (scripts/run_dev.py), optionally on a terminal of its own (a pty)."""

    def __init__(self, workdir: Path, database: str, ports: dict[str, int] | None = None
                 ) -> None:
        self.workdir = workdir
        self.var = workdir / "var"
        self.ports = ports or dict(zip(("PORT", "EMULATOR_PORT", "EMBEDDED_REDIS_PORT"),
                                       free_ports(3), strict=True))
        self.database = database
        self.process: subprocess.Popen | None = None
        self.master: int | None = None
        self.output = bytearray()
        self._reader: threading.Thread | None = None
        self._reading = threading.Event()

    @property
    def state(self) -> GroupState:
        return GroupState(self.var / "run" / "make-run.json", ROOT)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TWILIO_", "REDIS_", "DATABASE_", "FLASK_", "GUNICORN_"))}
        env.update({k: str(v) for k, v in self.ports.items()})
        env.update({
            "DATABASE_URL": self.database, "RUN_DEV_VAR": str(self.var),
            "WEB_CONCURRENCY": "1", "WEB_THREADS": "2", "LOG_LEVEL": "WARNING",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        })
        # No APP_ENV (make run says development itself) and no WEB_HOST (loopback).
        env.pop("APP_ENV", None)
        env.pop("WEB_HOST", None)
        return env

    def start(self, terminal: bool = False) -> DevRun:
        """Start it as a terminal would: a session of its own (a job of its own shell), with
        the pty as its controlling terminal when `terminal`."""
        if terminal:
            self.master, slave = os.openpty()
            self.process = subprocess.Popen(
                [sys.executable, str(RUN_DEV)], cwd=ROOT, env=self.env(), stdin=slave,
                stdout=slave, stderr=slave, start_new_session=True, preexec_fn=_take_terminal)
            os.close(slave)
            self._reading.set()
            self._reader = threading.Thread(target=self._read_terminal, daemon=True)
            self._reader.start()
        else:
            self.process = subprocess.Popen(
                [sys.executable, str(RUN_DEV)], cwd=ROOT, env=self.env(),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True)
            self._reader = threading.Thread(target=self._read_pipe, daemon=True)
            self._reader.start()
        return self

    def _read_terminal(self) -> None:
        while self._reading.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def _read_pipe(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for chunk in iter(lambda: self.process.stdout.read1(65536), b""):
            self.output += chunk

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def wait_started(self) -> list[Member]:
        """Until every part runs and answers; the group's members."""
        deadline = time.monotonic() + START_SECONDS
        web = f"http://127.0.0.1:{self.ports['PORT']}/healthz"
        sim = f"http://127.0.0.1:{self.ports['EMULATOR_PORT']}/_sim/health"
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"make run exited with {self.process.returncode}:\n{self.text()}")
            record = self.state.read()
            if record and _answers(web) and _answers(sim):
                members = group_members(record["pgid"])
                if not missing_parts(members):
                    return members
            if time.monotonic() > deadline:
                pytest.fail(f"make run did not start in {START_SECONDS:g} s:\n{self.text()}")
            time.sleep(0.2)

    def hang_up(self) -> None:
        """The terminal window closes: the pty's master side goes away."""
        self._reading.clear()
        if self._reader is not None:
            self._reader.join(timeout=2)
        assert self.master is not None
        os.close(self.master)
        self.master = None

    def type(self, keys: bytes) -> None:
        assert self.master is not None
        os.write(self.master, keys)

    def cleanup(self) -> None:
        record = self.state.read()
        if record:
            stop_group(int(record["pgid"]), 2, 2)
            self.state.clear()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.master is not None:
            self._reading.clear()
            if self._reader is not None:
                self._reader.join(timeout=2)
            with contextlib.suppress(OSError):
                os.close(self.master)
            self.master = None


def missing_parts(members: list[Member]) -> list[str]:
    return [part for part, match in PARTS.items()
            if sum(1 for m in members if match(m)) < COUNTS.get(part, 1)]


def wait_all_gone(pgid: int, runner: subprocess.Popen, seconds: float = STOP_SECONDS
                  ) -> tuple[float, list[Member]]:
    """Seconds until the group and the runner are gone (or what is left after `seconds`)."""
    started = time.monotonic()
    deadline = started + seconds
    while True:
        runner.poll()
        left = group_members(pgid)
        if not left and runner.returncode is not None:
            return time.monotonic() - started, []
        if time.monotonic() > deadline:
            return time.monotonic() - started, left
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=1)  # any answer: it listens (health may still be degraded)
        return True
    except requests.RequestException:
        return False


def _take_terminal() -> None:
    # In the child, after setsid(): the pty on stdin becomes its controlling terminal, so its
    # process group is the terminal's foreground group, as a job started from a shell.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def dev_runs(tmp_path: Path, database: str) -> Iterator[list[DevRun]]:
    """Start runs with `dev_runs.append(DevRun(...))`; all stopped afterwards."""
    runs: list[DevRun] = []
    try:
        yield runs
    finally:
        for run in runs:
            run.cleanup()
