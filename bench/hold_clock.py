"""The hold clock with 10,000 callers waiting at once, on real time.

    .venv/bin/python -m bench.hold_clock [--callers 10000] [--arrival 30] [--clocks 2]

Callers join the queue spread over `--arrival` seconds (all of them waiting at once by the
end), each with the default ladder (announce 0 s, raise priority 20 s, any language 20 s,
widen 30 s, alert 40 s, offer 45 s, the offer a real REST redirect to the emulator).
`--clocks` real clock processes (`flask --app app queue clock`, as in the Procfile) fire the
steps. Lateness is when a step took effect minus when it was due. The emulator's REST
server runs in a process of its own (as Twilio is another machine), not in the process that
makes the callers join.

Baseline, in the same run and on the same Redis: the same deadlines claimed by a bare loop
that does nothing but claim and acknowledge: what the machine and Redis cost on their own.
Targets (issue 4): every step fires, none at or past 60 s of waiting, lateness p99 < 250 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil
from flask_migrate import upgrade

from app import create_app
from app.embedded_redis import EmbeddedRedis
from app.queue import queue_services
from app.queue.holdclock import LEASE_SECONDS
from app.queue.services import Caller
from config import TestingConfig
from sim.clock import RealClock
from sim.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
LADDER = [{"at": 0, "action": "announce"}, {"at": 20, "action": "raise_priority", "by": 2},
          {"at": 20, "action": "any_language"},
          {"at": 30, "action": "widen", "departments": ["support"]},
          {"at": 40, "action": "alert"}, {"at": 45, "action": "offer"}]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def report(name: str, lateness_ms: list[float], expected: int) -> None:
    if not lateness_ms:
        print(f"{name:<10} nothing fired")
        return
    print(f"{name:<10} fired {len(lateness_ms):>6}/{expected:<6} lateness ms: "
          f"p50 {statistics.median(lateness_ms):7.1f}  p99 {percentile(lateness_ms, 0.99):7.1f}"
          f"  max {max(lateness_ms):7.1f}")


def arrive(count: int, spread: float, join) -> None:
    """Call `join(i)` for i in range(count), spread evenly over `spread` seconds."""
    start = time.monotonic()
    for i in range(count):
        delay = start + spread * i / count - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        join(i)


def baseline(store, callers: int, spread: float) -> list[float]:
    """Bare claim loop on the same deadline pattern (5 steps a caller)."""
    lateness: list[float] = []
    done = threading.Event()

    def claimer() -> None:
        while not done.is_set() or store.next_deadline() is not None:
            now = time.time()
            for member, due in store.claim_due(now, 500, LEASE_SECONDS):
                lateness.append((time.time() - due) * 1000)
                store.acknowledge(member)
            time.sleep(0.005)

    thread = threading.Thread(target=claimer)
    thread.start()

    def join(i: int) -> None:
        now = time.time()
        store.schedule({f"step|base{i}|1|{k}": now + step["at"] for k, step in enumerate(LADDER)})

    arrive(callers, spread, join)
    time.sleep(LADDER[-1]["at"] + 2)
    done.set()
    thread.join()
    return lateness


def serve_emulator(callers: int) -> int:
    """The emulator's process: its REST server, `callers` live calls to redirect; prints where
    it is and the calls' SIDs (one JSON line), then serves until its stdin closes, and prints
    what it was asked (one JSON line).

    Served by gunicorn (one process, gthread): its connections stay open between requests,
    as Twilio's do, where the emulator's own server (werkzeug's) closes each one and would
    make every offer pay for a new connection on both sides.
    """
    from gunicorn.app.base import BaseApplication

    from sim.rest import create_app as rest_app

    emu = Emulator(clock=RealClock())
    sids = [emu.new_call(from_=f"+1415{i:07d}", to="+15005550006", direction="inbound",
                         party=None).sid for i in range(callers)]
    wsgi = rest_app(emu)

    @wsgi.get("/_bench/redirects")
    def redirects() -> dict:
        asked = [e["path"] for e in list(emu.events)
                 if e["type"] == "rest" and e.get("method") == "POST" and "/Calls/" in e["path"]]
        return {"redirects": len(asked), "calls": len(set(asked)),
                "cpu": time.process_time()}

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 1,
                               "worker_class": "gthread", "threads": 32, "keepalive": 30,
                               "backlog": 2048, "loglevel": "warning",
                               "accesslog": None}.items():
                self.cfg.set(key, value)

        def load(self):
            return wsgi

    print(json.dumps({"rest": f"http://127.0.0.1:{port}", "account_sid": emu.account_sid,
                      "auth_token": emu.auth_token, "sids": sids}), flush=True)
    # The arbiter runs here; the bench stops it with SIGTERM once it has asked for the count.
    Server().run()
    return 0


def start_emulator(callers: int) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.hold_clock", "--serve-emulator",
                             str(callers)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError("the emulator process did not start")
    twilio = json.loads(line)
    deadline = time.monotonic() + 30
    while True:  # gunicorn's worker answering
        try:
            with urllib.request.urlopen(twilio["rest"] + "/_bench/redirects", timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the emulator process did not answer") from None
            time.sleep(0.1)
    return proc, twilio


def stop_emulator(proc: subprocess.Popen, rest: str) -> dict:
    """Stop the emulator's process; returns what it was asked (redirects, CPU seconds)."""
    told: dict = {}
    try:
        with urllib.request.urlopen(rest + "/_bench/redirects", timeout=10) as answer:
            told = json.load(answer)
        told["cpu"] = sum(cpu_seconds_of(child) for child in
                          psutil.Process(proc.pid).children(recursive=True))
    except (OSError, psutil.Error, ValueError):
        pass
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    return told


def cpu_seconds(proc: subprocess.Popen) -> float:
    try:
        return cpu_seconds_of(psutil.Process(proc.pid))
    except psutil.Error:
        return float("nan")


def cpu_seconds_of(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=10_000)
    parser.add_argument("--arrival", type=float, default=30.0)
    parser.add_argument("--clocks", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="threads per clock process")
    parser.add_argument("--offer-threads", type=int, default=16,
                        help="offer threads per clock process (HOLD_CLOCK_OFFER_THREADS)")
    parser.add_argument("--serve-emulator", type=int, metavar="CALLERS",
                        help=argparse.SUPPRESS)  # the emulator's own process (internal)
    args = parser.parse_args(argv)
    if args.serve_emulator is not None:
        return serve_emulator(args.serve_emulator)

    with tempfile.TemporaryDirectory() as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis", appendonly=False).start()
        emulator, twilio = start_emulator(args.callers)
        rest = twilio["rest"]
        settings = dict(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.sqlite3", REDIS_URL=redis_server.url,
            TWILIO_API_BASE_URL=rest, TWILIO_ACCOUNT_SID=twilio["account_sid"],
            TWILIO_AUTH_TOKEN=twilio["auth_token"], PUBLIC_BASE_URL="http://127.0.0.1:5000",
        )
        app = create_app(TestingConfig(**settings))
        clocks: list[subprocess.Popen] = []
        clock_cpu: list[float] = []
        told: dict = {}
        try:
            with app.app_context():
                upgrade()
                store = queue_services().store
                print(f"{args.callers} callers arriving over {args.arrival:g} s; "
                      f"{len(LADDER)} steps each; {args.clocks} clock processes × "
                      f"{args.workers} threads, {args.offer_threads} offer threads")
                base = baseline(store, args.callers, args.arrival)
                store.redis.flushdb()
                store.set_agent_state("busy_bee", "away", ["billing"], time.time(), "bench")
                sids = twilio["sids"]
                env = {**os.environ, "APP_ENV": "development", "DATABASE_URL":
                       settings["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_server.url,
                       "TWILIO_MODE": "emulator", "TWILIO_API_BASE_URL": rest,
                       "TWILIO_ACCOUNT_SID": twilio["account_sid"],
                       "TWILIO_AUTH_TOKEN": twilio["auth_token"], "LOG_LEVEL": "WARNING",
                       "HOLD_CLOCK_OFFER_THREADS": str(args.offer_threads)}
                flask = str(Path(sys.executable).parent / "flask")
                clocks = [subprocess.Popen([flask, "--app", "app", "queue", "clock",
                                            "--workers", str(args.workers)], env=env,
                                           cwd=ROOT, stdout=subprocess.PIPE,
                                           stderr=subprocess.DEVNULL, text=True)
                          for _ in range(args.clocks)]
                # Callers arrive only once every clock runs: a clock still loading the app
                # (seconds on a busy machine) would otherwise count as lateness.
                for clock in clocks:
                    if "hold clock running" not in (clock.stdout.readline() or ""):
                        raise RuntimeError("a clock process did not start")
                service = queue_services().service
                clock_cpu = [-cpu_seconds(clock) for clock in clocks]

                def join(i: int) -> None:
                    service.join(Caller(sids[i], "billing", "Billing", "en", f"+1415{i:07d}",
                                        None, None, False, {"ladder": LADDER}))

                arrive(args.callers, args.arrival, join)
                time.sleep(LADDER[-1]["at"] + 3)
                clock_cpu = [before + cpu_seconds(clock)
                             for before, clock in zip(clock_cpu, clocks, strict=True)]
                lateness, waited_max, expected = [], 0.0, args.callers * len(LADDER)
                put_off = 0  # offers put off at least once (the clock's offer slots full)
                by_step: dict[str, list[float]] = {s["action"]: [] for s in LADDER}
                for sid in sids:
                    call = store.call(sid)
                    since = float(call["since"])
                    put_off += f"due:1:{len(LADDER) - 1}" in call
                    for k, step in enumerate(LADDER):
                        fired = call.get(f"fired:1:{k}")
                        if fired:
                            late = (float(fired) - since - step["at"]) * 1000
                            lateness.append(late)
                            by_step[step["action"]].append(late)
                            waited_max = max(waited_max, float(fired) - since)
        finally:
            for clock in clocks:
                clock.terminate()
            for clock in clocks:
                try:
                    clock.wait(timeout=20)
                except subprocess.TimeoutExpired:  # still working through a backlog
                    clock.kill()
            told = stop_emulator(emulator, rest)
            redis_server.stop()
    report("baseline", base, args.callers * len(LADDER))
    report("hold clock", lateness, expected)
    for action, values in by_step.items():
        report(f"  {action}", values, args.callers)
    fired = len(lateness)
    print(f"clock processes' CPU while callers waited: "
          f"{' + '.join(f'{c:.1f}' for c in clock_cpu)} s, "
          f"{1000 * sum(clock_cpu) / max(fired, 1):.3f} ms per step fired")
    print(f"offers put off at least once (offer slots full): {put_off}")
    if told:
        print(f"emulator: {told['redirects']} redirects for {told['calls']} calls "
              f"({told['redirects'] - told['calls']} repeated), {told['cpu']:.1f} s CPU")
    print(f"longest wait before a step took effect: {waited_max:.2f} s "
          f"({'under' if waited_max < 60 else 'AT OR PAST'} 60 s)")
    ok = len(lateness) == expected and waited_max < 60 and percentile(lateness, 0.99) < 250
    print("targets met" if ok else "targets MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
