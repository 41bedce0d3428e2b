"""`make run`: the Procfile's web, worker and clock, plus an embedded Redis and the emulator.

Starts what the settings call for: no embedded Redis when REDIS_URL is set, no emulator when
TWILIO_MODE=live. Redis is started (and waited for) before the others, because the worker
exits at once if it cannot connect.

Every process it starts (and everything those fork: gunicorn's workers, rq's scheduler) is in
ONE process group of its own, recorded in var/run/make-run.json. Ctrl-C, the terminal closing
(SIGHUP) and SIGTERM all end in the same place: SIGTERM to that group, SIGKILL to whatever is
left a few seconds later. The children are outside the terminal's process group on purpose: a
hang-up reaches only this runner, which then stops them in order (gunicorn would take a
SIGHUP of its own as "reload" and carry on).

`run_dev.py --stop` (`make stop`) stops the run recorded there, even one whose runner was
killed with SIGKILL; a second `make run` while one is running names what is in the way.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dev_processes import (  # noqa: E402
    GroupState,
    port_owners,
    stop_group,
)

# Within 10 s of Ctrl-C: gunicorn gets GRACE to finish its requests (an open console's event
# stream never finishes), then whatever is left is killed.
GRACE_SECONDS = 5.0
KILL_WAIT_SECONDS = 2.5
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Output:
    """Prefixed lines from every child on our stdout, which may vanish (the terminal closed):
    then lines are dropped rather than killing the thread that reads them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.gone = False

    def line(self, name: str, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        self.write(f"{stamp} {name:<6}| {text.rstrip()}\n")

    def write(self, text: str) -> None:
        with self.lock:
            if self.gone:
                return
            try:
                sys.stdout.write(text)
                sys.stdout.flush()
            except (OSError, ValueError):
                self.gone = True

    def pump(self, name: str, stream) -> threading.Thread:
        def run() -> None:
            for raw in iter(stream.readline, b""):
                self.line(name, raw.decode("utf-8", "replace"))
            stream.close()

        thread = threading.Thread(target=run, name=f"output-{name}", daemon=True)
        thread.start()
        return thread


def banner(settings, emulator: bool, host: str) -> str:
    web = f"http://{_browsable(host)}:{settings.PORT}"
    lines = [
        "",
        "Call centre is starting (Ctrl-C, or `make stop` from another terminal, stops it):",
        f"  web        {web}  (health: {web}/healthz)",
        f"  redis      {settings.REDIS_URL}",
        f"  database   {settings.SQLALCHEMY_DATABASE_URI}",
    ]
    if host not in LOOPBACK:
        lines += [
            f"  WARNING: WEB_HOST={host}: other machines can reach this server, and the demo",
            "  sign-ins below (password demo-password) are public. Unset WEB_HOST to stay private.",
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


def _browsable(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


class DevStack:
    """The processes of one `make run`, in one process group."""

    def __init__(self, settings, state: GroupState, env: dict[str, str], out: Output) -> None:
        self.settings = settings
        self.state = state
        self.env = env
        self.out = out
        self.pgid: int | None = None
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = threading.Event()
        self.reason = ""

    def spawn(self, name: str, command: str, env: dict[str, str]) -> subprocess.Popen:
        # The first child founds the group; the others join it.
        child = subprocess.Popen(
            command, shell=True, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            process_group=0 if self.pgid is None else self.pgid,
        )
        if self.pgid is None:
            self.pgid = child.pid
            self.state.write(self.pgid, os.getpid(), self.ports())
        self.children[name] = child
        self.out.pump(name, child.stdout)
        return child

    def ports(self) -> dict[str, int]:
        s = self.settings
        ports = {"web": s.PORT}
        if s.TWILIO_MODE != "live":
            ports["emulator"] = s.EMULATOR_PORT
        if not os.environ.get("REDIS_URL"):
            ports["redis"] = s.EMBEDDED_REDIS_PORT
        return ports

    def on_signal(self, signum: int, _frame) -> None:
        if not self.stopping.is_set():
            self.reason = signal.Signals(signum).name
            self.stopping.set()

    def watch(self) -> int:
        """Wait for a signal or for a child to exit; 0 for a signal, else that exit code."""
        while not self.stopping.wait(0.2):
            for name, child in self.children.items():
                if child.poll() is not None:
                    self.reason = f"{name} exited with code {child.returncode}"
                    self.stopping.set()
                    return child.returncode or 1
        return 0

    def stop(self) -> None:
        self.out.write(f"\nStopping ({self.reason or 'done'}): every process of this run...\n")
        if self.pgid is not None:
            stop_group(self.pgid, GRACE_SECONDS, KILL_WAIT_SECONDS,
                       reap=lambda: [c.poll() for c in self.children.values()],
                       last=is_redis)
        for child in self.children.values():
            try:
                child.wait(timeout=KILL_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
        self.state.clear()
        self.out.write("Stopped.\n")


def is_redis(member) -> bool:
    """Redis goes last: the others still talk to it while they stop."""
    return "redis-server" in member.name or "app.embedded_redis" in member.cmdline


def wait_for_redis(url: str, child: subprocess.Popen, timeout: float = 15.0) -> None:
    from app.embedded_redis import wait_until_ready

    wait_until_ready(url, timeout, child)


def in_the_way(settings, state: GroupState, ports: dict[str, int], host: str) -> str | None:
    """Why this run cannot start (a previous run, or ports taken), with how to fix it."""
    previous = state.running()
    if previous is not None:
        members = "\n".join(f"    pid {p.pid:<7} {p.describe()}" for p in previous.members)
        how = ("was killed without stopping them" if not previous.runner_alive
               else f"is still running (runner pid {previous.runner_pid})")
        return (f"A previous `make run` of this checkout {how}; its processes "
                f"(process group {previous.pgid}):\n{members}\n"
                "Stop them with `make stop` (or Ctrl-C in its terminal), then `make run` again.")
    problems = []
    for name, port in ports.items():
        bind_host = host if name == "web" else "127.0.0.1"
        try:
            owners = port_owners(port, bind_host)
        except OSError as exc:  # an address this machine does not have, say
            problems.append(f"  cannot listen on {bind_host}:{port} ({name}): {exc.strerror}")
            continue
        if owners is None:
            continue
        if not owners:
            problems.append(f"  port {port} ({name}) is in use by a process we cannot see "
                            f"(another user's?): `ss -ltnp 'sport = :{port}'` shows it")
            continue
        for owner in owners:
            here = " (started from this checkout)" if owner.cwd == str(ROOT) else ""
            problems.append(f"  port {port} ({name}) is in use by pid {owner.pid}{here}: "
                            f"{owner.describe()}; stop it with `kill -TERM -- -{owner.pgid}`")
    if not problems:
        return None
    return ("Cannot start: ports this run needs are taken.\n" + "\n".join(problems) + "\n"
            "Stop those processes, or choose other ports (PORT, EMULATOR_PORT, "
            "EMBEDDED_REDIS_PORT).")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stop", action="store_true",
                   help="stop the run recorded for this checkout (make stop)")
    p.add_argument("--var", default=os.environ.get("RUN_DEV_VAR") or str(ROOT / "var"),
                   help="where the run's state and embedded Redis data live (default var/)")
    return p.parse_args(argv)


def stop_previous(state: GroupState) -> int:
    previous = state.running()
    if previous is None:
        state.clear()
        print("No `make run` of this checkout is running.")
        return 0
    print(f"Stopping the `make run` of this checkout (process group {previous.pgid}, "
          f"{len(previous.members)} processes)...", flush=True)
    if previous.runner_alive:
        # Its own runner stops the group and clears the record; SIGTERM is what make sends.
        os.kill(previous.runner_pid, signal.SIGTERM)
        if state.wait_gone(previous, GRACE_SECONDS + KILL_WAIT_SECONDS + 1):
            print("Stopped.")
            return 0
    left = stop_group(previous.pgid, GRACE_SECONDS, KILL_WAIT_SECONDS, last=is_redis)
    state.clear()
    if left:
        print(f"Could not stop: {', '.join(map(str, left))}")
        return 1
    print("Stopped.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(ROOT)
    state = GroupState(Path(args.var) / "run" / "make-run.json", ROOT)
    if args.stop:
        return stop_previous(state)

    # `make run` is development unless the environment says otherwise (then its settings
    # decide, and production's refuse to start without real secrets).
    os.environ.setdefault("APP_ENV", "development")
    from config import config_for

    try:
        settings = config_for()()
    except RuntimeError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    host = settings.WEB_HOST
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYTHONUNBUFFERED", "1")
    # Gunicorn's own default waits 30 s for open requests; a console's event stream is one.
    env["GUNICORN_CMD_ARGS"] = f"--graceful-timeout 3 {env.get('GUNICORN_CMD_ARGS', '')}".strip()

    out = Output()
    stack = DevStack(settings, state, env, out)
    problem = in_the_way(settings, state, stack.ports(), host)
    if problem:
        print(problem, file=sys.stderr)
        return 1

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stack.on_signal)
    code = 0
    try:
        code = start(stack, settings, env, host, out)
        if code == 0:
            code = stack.watch()
    finally:
        stack.stop()
    return code


def start(stack: DevStack, settings, env: dict[str, str], host: str, out: Output) -> int:
    if not os.environ.get("REDIS_URL"):
        url = f"redis://127.0.0.1:{settings.EMBEDDED_REDIS_PORT}/0"
        redis_dir = Path(stack.state.path).parent.parent / "redis"
        child = stack.spawn("redis", f"{sys.executable} -m app.embedded_redis --quiet "
                            f"--port {settings.EMBEDDED_REDIS_PORT} --dir {redis_dir}", env)
        try:
            wait_for_redis(url, child)
        except Exception as exc:  # noqa: BLE001 - said, then everything started is stopped
            stack.reason = f"redis did not start: {exc}"
            return 1
        env["REDIS_URL"] = settings.REDIS_URL = url

    from honcho.environ import parse_procfile

    procfile = parse_procfile((ROOT / "Procfile").read_text())
    web_env = {**env, "PORT": str(settings.PORT), "WEB_HOST": host}
    for name in ("web", "worker", "clock"):
        if stack.stopping.is_set():
            return 0
        stack.spawn(name, procfile.processes[name], web_env)

    emulator = settings.TWILIO_MODE != "live"
    if emulator:
        app_url = f"http://{_browsable(host)}:{settings.PORT}"
        stack.spawn("sim", f"{sys.executable} -m sim serve --port {settings.EMULATOR_PORT}"
                    f" --app-url {app_url} --number {settings.TWILIO_PHONE_NUMBER}", env)
    out.write(banner(settings, emulator, host))
    return 0


if __name__ == "__main__":
    sys.exit(main())
