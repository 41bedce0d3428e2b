"""The processes under test: gunicorn (one per side) and redis-server, with their CPU time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from app.embedded_redis import free_port

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class GunicornSettings:
    workers: int = 2
    threads: int = 4
    worker_class: str = "gthread"
    # Each worker's cap on open connections (gunicorn's --worker-connections), None for
    # gunicorn's default (1000). The workers race to accept connections: with 32 keep-alive
    # connections opened at once, one of 2 workers often wins 30 of them and keeps them for
    # the whole window, so its core is saturated while the other's idles whenever its 2
    # connections wait on Redis. A cap of connections / workers makes the split even, as a
    # load balancer in front of the web processes would.
    worker_connections: int | None = None

    def args(self) -> list[str]:
        cap = self.worker_connections
        return ["--workers", str(self.workers), "--threads", str(self.threads),
                "--worker-class", self.worker_class,
                *(["--worker-connections", str(cap)] if cap else [])]

    def describe(self) -> str:
        cap = f", at most {self.worker_connections} connections each" \
            if self.worker_connections else ""
        return f"{self.workers} {self.worker_class} workers x {self.threads} threads{cap}"


def process_tree_cpu(root_pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants, from /proc."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    total, frontier = 0.0, {root_pid}
    while frontier:
        total += sum(cpu.get(pid, 0.0) for pid in frontier)
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
    return total


def machine_busy_cpu() -> tuple[float, float]:
    """(CPU seconds this machine's processes ran, seconds the hypervisor stole) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq) / _TICK, steal / _TICK


class Gunicorn:
    def __init__(self, app_spec: str, settings: GunicornSettings, *, cwd: Path,
                 env: dict[str, str], log_path: Path) -> None:
        self.app_spec = app_spec
        self.settings = settings
        self.cwd = cwd
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Gunicorn:
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                   *self.settings.args(), "--chdir", str(self.cwd), "--log-level", "warning",
                   "--error-logfile", str(self.log_path), self.app_spec]
        self.process = subprocess.Popen(command, cwd=self.cwd, env={**os.environ, **self.env},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n"
                                   + self.log_tail())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("gunicorn did not listen in time:\n"
                                       + self.log_tail()) from None
                time.sleep(0.1)
        # The master listens before its workers have loaded the app (seconds on a busy
        # machine): wait for an answer over HTTP, any status, before anything is sent.
        while True:
            try:
                urllib.request.urlopen(self.base_url + "/_bench_ready", timeout=5).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("gunicorn did not answer in time:\n"
                                       + self.log_tail()) from None
                time.sleep(0.2)
        return self

    def post(self, path: str, body: str, signature: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base_url + path, data=body.encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "X-Twilio-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cpu_seconds(self) -> float:
        return process_tree_cpu(self.process.pid) if self.process else 0.0

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: gunicorn's graceful stop of its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class Clock:
    """The app's clock process (`flask queue clock`), which runs the writer of new calls'
    rows staged by the incoming-call webhook (app/interactions/pending.py): in production it
    runs beside the web processes, so it runs beside the app side here, and its CPU is shown."""

    def __init__(self, *, cwd: Path, env: dict[str, str], log_path: Path) -> None:
        self.cwd, self.env, self.log_path = cwd, env, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Clock:
        flask = Path(sys.executable).with_name("flask")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(flask), "--app", "app", "queue", "clock"], cwd=self.cwd,
                env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT)
        return self

    def cpu_seconds(self) -> float:
        return process_tree_cpu(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
