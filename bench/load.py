"""Scale-out: 500 concurrent calls over several web processes, two clocks, two workers.

    .venv/bin/python -m bench.load [--calls 500] [--agents 40] [--web-workers 3]
                                    [--database postgres|sqlite] [--ramp 25] [--cps 1]
                                    [--agent-mode line|ring]

Starts, on loopback ports under var/bench/load/<time>/: redis-server (append-only file on),
a database (a throwaway PostgreSQL cluster from scripts/postgres.sh, or SQLite), gunicorn
with several worker processes, two hold-clock processes and two RQ workers. The Twilio
emulator runs in this process in real time and plays everyone: callers who dial in, pick a
department, wait, talk to an agent, hang up while waiting (abandon by design) or take the
hold clock's offer and leave a message, or keep waiting; agents on softphones who answer
and, for some callers, transfer them on.

Then it checks, from the database and the emulator's event log, that no call was lost or
doubled: every call has one interaction and ends exactly one way (answered by one agent,
a message stored once, or abandoned by a caller who hung up while waiting), no agent talks
to two callers at once, no caller heard an application error, and every hold-clock step
fired before the caller had waited 60 s. It reports calls per second and the webhooks'
p50/p99 as the emulator (Twilio's side) timed them. Exit status 1 if a check failed.
A share of the answered callers (`--transfers`) is transferred cold by their agent back to
the department's line (head of line, fresh clock) and talks to a second agent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NUMBER = "+15005550006"
PASSWORD = "password123"
DEPARTMENT, DEPARTMENT_KEY = "support", "2"  # open around the clock in the demo data
OFFER_AT = 30  # seconds: the ladder's offer (keep waiting / message / callback)
HOLD_LIMIT = 60.0  # rule R4: nobody is held 60 s without a step
SETTINGS = {"WRAP_UP_SECONDS": "1", "RING_TIMEOUT_SECONDS": "20", "LOG_LEVEL": "WARNING",
            "IVR_CACHE_SECONDS": "60"}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# -- the processes ----------------------------------------------------------------------

@dataclass
class Processes:
    run_dir: Path
    env: dict[str, str]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str]) -> None:
        log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115 - the process owns it
        self.procs[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def alive(self) -> list[str]:
        return [name for name, p in self.procs.items() if p.poll() is None]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def cpu_seconds(procs: Processes, redis_pid: int | None = None) -> dict[str, float]:
    """CPU seconds used so far by this process (the emulator and the driver) and by each
    started process with its children (gunicorn's workers), from /proc via psutil (not a
    project dependency: without it, no CPU figures)."""
    try:
        import psutil
    except ImportError:
        return {}

    times = os.times()
    used = {"emulator+driver": times.user + times.system}
    for name, popen in procs.procs.items():
        total = 0.0
        try:
            parent = psutil.Process(popen.pid)
            for p in [parent, *parent.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.Error:
            pass
        used[name] = total
    used["redis"] = 0.0
    if redis_pid:
        try:
            t = psutil.Process(redis_pid).cpu_times()
            used["redis"] = t.user + t.system
        except psutil.Error:
            pass
    machine = psutil.cpu_times()
    used["machine"] = machine.user + machine.system + machine.nice
    return used


def wait_for(predicate, timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready after {timeout} s: {what}")
        time.sleep(every)


def start_database(kind: str, run_dir: Path) -> tuple[str, Any]:
    """The database URL and how to stop it."""
    if kind == "sqlite":
        return f"sqlite:///{run_dir / 'callcentre.sqlite3'}", lambda: None
    env = {**os.environ, "PG_DIR": str(run_dir / "pg")}
    url = subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "start"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    return url, lambda: subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "destroy"],
                                       env=env, check=False, capture_output=True)


def prepare(settings: Any, callers: list[str], agents: list[str]) -> Any:
    """Migrate, seed the demo, add English customers and agents, set a short ladder."""
    from flask_migrate import upgrade

    from app import create_app
    from app.agents import services as agent_services
    from app.customers import services as customer_services
    from app.extensions import db
    from app.floor import departments

    app = create_app(settings)
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["ivr", "seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for i, number in enumerate(callers):
            customer_services.create_customer(name=f"Caller {i}", account_number=f"8{i:06d}",
                                              language="en", phones=[number], source="import")
        for identity in agents:
            agent_services.create_agent(identity.title(), identity, role="agent",
                                        departments=[DEPARTMENT], password=PASSWORD)
        department = departments.get(DEPARTMENT)
        department.settings = {**(department.settings or {}), "ladder": [
            {"at": 0, "action": "announce"}, {"at": 10, "action": "raise_priority", "by": 1},
            {"at": 20, "action": "alert"}, {"at": OFFER_AT, "action": "offer"}]}
        db.session.commit()
        db.engine.dispose()
    return app


# -- the callers ------------------------------------------------------------------------

@dataclass
class Caller:
    number: str
    policy: str  # "patient" (keeps waiting at the offer), "message", "abandon"
    patience: float  # an abandoner hangs up after this long in line
    talk: float
    handle: Any = None
    # dialing, menu, queued, connected, transferring, offer, message, recording, recorded, done
    stage: str = "dialing"
    dialed_at: float = 0.0
    queued_at: float = 0.0
    connected_at: float = 0.0
    spoke_at: float = 0.0  # began their message
    ended_at: float = 0.0
    outcome: str = ""  # what the caller lived: answered, message, abandoned, other
    busy: bool = False  # an action is under way in the pool
    offers: int = 0
    transfer: bool = False  # the first agent sends this caller on (cold, to the department)
    transferred: bool = False  # the transfer was accepted (201)
    agents: list[str] = field(default_factory=list)  # who talked to them, in order


def callers_with_an_agent(emu: Any) -> dict[str, str]:
    """Caller's call SID -> the agent whose leg is connected in their conference (named after
    the caller's call).

    Read under the engine's lock: its thread changes these dictionaries as calls move."""
    calls = emu.store.calls
    rooms: dict[str, str] = {}
    with emu.sched.lock:
        for conf in list(emu.store.conferences.values()):
            if conf.status != "in-progress":
                continue
            for p in conf.connected():
                agent = agent_of(calls[p.call_sid]) if p.call_sid in calls else ""
                if agent:
                    rooms[conf.friendly_name] = agent
    return rooms


def agent_of(call: Any) -> str:
    """The agent whose softphone a call is: rung (`To=client:`) or their persistent line, the
    softphone's own outgoing call (`From=client:`). "" for anyone else."""
    for address in (call.to, call.from_):
        if address and address.startswith("client:"):
            return address.removeprefix("client:")
    return ""


class Driver:
    """Plays every caller: a loop looks at each call and hands actions to a small pool."""

    def __init__(self, emu: Any, callers: list[Caller], ramp: float, web_url: str,
                 tokens: dict[str, str], redis_url: str, lines: bool = False) -> None:
        import redis

        self.emu, self.callers, self.ramp = emu, callers, ramp
        self.web_url, self.tokens = web_url, tokens
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self.pool = ThreadPoolExecutor(8, thread_name_prefix="caller")
        self.problems: list[str] = []
        self.back_from_away = 0
        self.lines = lines  # agents hold persistent lines and accept offers on the console
        self.offers_seen: dict[str, tuple[str, float]] = {}  # agent -> (call, first seen)
        self.accepted = self.accept_refused = 0
        # Issue 16's figure (a): each stretch an agent sat available while a caller waited
        # in line (sampled every loop, ~0.2 s), in seconds.
        self.idle_since: dict[str, float] = {}
        self.idle_while_waiting: list[float] = []

    def look_at_agents(self, now: float) -> None:
        """One read of every agent: offers to accept (line mode), and who sits available
        while a caller waits."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.zcard("{cc}:q:" + DEPARTMENT)
        for identity in self.tokens:
            pipe.hmget("{cc}:agent:" + identity, "state", "call")
            pipe.hmget("{cc}:line:" + identity, "state", "call")
        found = pipe.execute()
        waiting = found[0]
        for i, identity in enumerate(self.tokens):
            (state, call), (line, line_call) = found[1 + 2 * i], found[2 + 2 * i]
            if state == "available" and waiting:
                self.idle_since.setdefault(identity, now)
            elif identity in self.idle_since:
                self.idle_while_waiting.append(now - self.idle_since.pop(identity))
            if not (self.lines and state == "ringing" and call and line == "connected"
                    and not line_call):
                self.offers_seen.pop(identity, None)
                continue
            seen = self.offers_seen.get(identity)
            if seen is None or seen[0] != call:
                self.offers_seen[identity] = (call, now)
            elif seen[1] and now - seen[1] >= 0.5:  # a person takes half a second to click
                self.offers_seen[identity] = (call, 0.0)
                self.pool.submit(self.accept, identity, call)

    def accept(self, identity: str, call_sid: str) -> None:
        resp = requests.post(f"{self.web_url}/api/agents/me/offer/accept",
                             json={"call_sid": call_sid}, timeout=30,
                             headers={"Authorization": f"Bearer {self.tokens[identity]}"})
        if resp.status_code == 200:
            self.accepted += 1
        elif resp.status_code == 409:
            self.accept_refused += 1  # the caller hung up, or the offer's time ran out
        else:
            self.problems.append(f"{identity} accept: {resp.status_code} {resp.text}")

    def agents_come_back(self) -> None:
        """An agent put away for a missed ring goes available again, as a person would."""
        pipe = self.redis.pipeline(transaction=False)
        for identity in self.tokens:
            pipe.hget("{cc}:agent:" + identity, "state")
        for identity, state in zip(self.tokens, pipe.execute(), strict=True):
            if state == "away":
                self.back_from_away += 1
                if self.lines and self.redis.hget("{cc}:line:" + identity, "state") != "connected":
                    open_line(self.emu, self.redis, identity)
                resp = requests.post(f"{self.web_url}/api/agents/me/state",
                                     json={"state": "available"}, timeout=30,
                                     headers={"Authorization": f"Bearer {self.tokens[identity]}"})
                if resp.status_code != 200:
                    self.problems.append(f"{identity} back: {resp.status_code} {resp.text}")

    def transfer(self, caller: Caller, agent: str) -> None:
        """The agent sends the caller back to the department's line (cold, head of line)."""
        resp = requests.post(
            f"{self.web_url}/api/calls/{caller.handle.sid}/transfers",
            json={"mode": "cold", "target": {"kind": "department", "id": DEPARTMENT}},
            headers={"Authorization": f"Bearer {self.tokens[agent]}"}, timeout=30)
        if resp.status_code == 201:
            caller.transferred = True
        else:
            self.problems.append(f"{caller.number}: transfer {resp.status_code} {resp.text}")
            caller.stage, caller.transfer = "connected", False  # they stay with this agent

    def act(self, caller: Caller, fn, *args: Any) -> None:
        caller.busy = True

        def run() -> None:
            try:
                fn(*args)
            except Exception as exc:  # a caller who acted too late (the call moved on)
                self.problems.append(f"{caller.number}: {fn.__name__}: {exc}")
            finally:
                caller.busy = False

        self.pool.submit(run)

    # At the emulator's 600 words a minute, four seconds of speech: longer than the shortest
    # message kept (shorter ones become a missed-call callback instead).
    MESSAGE = " ".join(["Hello, this is a load test caller, please call me back."] * 4)

    def step(self, caller: Caller, now: float, with_agent: dict[str, str]) -> None:
        call = caller.handle
        if call.ended:
            caller.outcome = caller.outcome or "other"  # hung up on by the app (a bug)
            caller.stage, caller.ended_at = "done", now
            return
        if caller.busy:
            return
        if caller.stage == "dialing" and call.gathering:
            caller.stage = "menu"
            self.act(caller, call.press, DEPARTMENT_KEY)
        elif caller.stage in ("menu", "offer") and call.in_conference:
            caller.stage, caller.queued_at = "queued", caller.queued_at or now
        elif caller.stage == "queued":
            if call.sid in with_agent:
                caller.stage, caller.connected_at, caller.outcome = "connected", now, "answered"
                caller.agents.append(with_agent[call.sid])
            elif call.gathering:  # taken out of the hold music: the offer
                caller.stage, caller.offers = "offer", caller.offers + 1
                if caller.policy == "message" and not caller.agents:
                    caller.stage, caller.outcome = "message", "message"
                    self.act(caller, call.press, "2")
                else:
                    self.act(caller, call.press, "1")
            elif (caller.policy == "abandon" and not caller.agents
                  and now - caller.queued_at > caller.patience):
                caller.outcome = "abandoned"
                self.act(caller, call.hangup)
        elif (caller.stage == "connected" and caller.transfer and not caller.transferred
              and len(caller.agents) == 1 and now - caller.connected_at > 2.0):
            caller.stage = "transferring"
            self.act(caller, self.transfer, caller, caller.agents[0])
        elif caller.stage == "transferring" and call.sid not in with_agent:
            caller.stage = "queued"  # out of the first agent's room, on the way back in line
        elif caller.stage == "connected" and now - caller.connected_at > caller.talk:
            self.act(caller, call.hangup)
        elif caller.stage == "message" and call.recording:  # after the beep
            caller.stage, caller.spoke_at = "recording", now
            self.act(caller, call.say, self.MESSAGE)
        elif caller.stage == "recording" and now - caller.spoke_at > 4.5:
            caller.stage = "recorded"
            self.act(caller, call.press, "#")

    def run(self, timeout: float) -> None:
        try:
            self._run(timeout)
        finally:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, timeout: float) -> None:
        start = last_report = last_agents = time.monotonic()
        gap = self.ramp / max(len(self.callers), 1)
        pending = list(self.callers)
        while True:
            now = time.monotonic()
            while pending and now - start >= gap * (len(self.callers) - len(pending)):
                caller = pending.pop(0)
                caller.dialed_at = now
                caller.handle = self.emu.dial_in(caller.number, NUMBER)
            live = [c for c in self.callers if c.handle is not None and c.stage != "done"]
            self.look_at_agents(now)
            with_agent = callers_with_an_agent(self.emu)
            for caller in live:
                with self.emu.sched.lock:
                    self.step(caller, now, with_agent)
            if not pending and not live:
                break
            if now - last_agents > 2.0:
                last_agents = now
                self.pool.submit(self.agents_come_back)
            if now - last_report > 15.0:
                last_report = now
                stages = Counter(c.stage for c in self.callers if c.handle is not None)
                print(f"  {now - start:5.0f} s  {dict(stages)}", flush=True)
            if now - start > timeout:
                self.problems.append(f"{len(live)} calls still live after {timeout} s")
                for caller in live:
                    caller.handle.hangup()
                    caller.stage, caller.ended_at = "done", time.monotonic()
                    caller.outcome = caller.outcome or "cut off by the time limit"
                break
            time.sleep(0.2)
        self.pool.shutdown(wait=True)


# -- the checks -------------------------------------------------------------------------

def check(app: Any, emu: Any, callers: list[Caller]) -> tuple[dict[str, Any], list[str]]:
    """What the database and the emulator saw, and every way it breaks the promises."""
    from sqlalchemy import select

    from app.extensions import db
    from app.interactions.models import Interaction, InteractionEvent
    from app.voicemail.models import Callback, Voicemail

    failures: list[str] = []
    sids = {c.handle.sid: c for c in callers}
    with app.app_context():
        rows = db.session.scalars(select(Interaction).where(
            Interaction.call_sid.in_(list(sids)))).all()
        messages = Counter(db.session.scalars(select(Voicemail.call_sid).where(
            Voicemail.call_sid.in_(list(sids)))).all())
        # A callback opened because the caller hung up unserved (R14, `abandoned_calls`) is
        # the app following up an abandon, not a message the caller left.
        callback_rows = db.session.execute(select(
            Callback.call_sid, Callback.abandoned_calls).where(
            Callback.call_sid.in_(list(sids)))).all()
        callbacks = Counter(sid for sid, abandoned in callback_rows if not abandoned)
        followed_up = Counter(sid for sid, abandoned in callback_rows if abandoned)
        by_sid = {r.call_sid: r for r in rows}
        escalations = db.session.execute(select(
            Interaction.call_sid, InteractionEvent.detail).join(InteractionEvent).where(
            InteractionEvent.kind == "escalated")).all()
        answered_events = Counter(db.session.scalars(select(Interaction.call_sid).join(
            InteractionEvent).where(InteractionEvent.kind == "answered")).all())
        db.engine.dispose()

    # Agent legs that joined each caller's room, from the emulator's log.
    with emu.sched.lock:
        events = list(emu.events)
        calls = dict(emu.store.calls)
        conference_owner = {c.sid: c.friendly_name for c in emu.store.conferences.values()}
    hung_up = {sid: calls[sid].ended_at for sid in sids
               if sid in calls and calls[sid].ended_at is not None}
    joins: dict[str, list[str]] = defaultdict(list)
    spans: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    joined_at: dict[str, float] = {}
    # When the first agent leg joined each caller's room.
    first_join: dict[str, float] = {}
    # Agent legs that joined a room of the caller's name after the caller had hung up (a ring
    # under way then lands in a new, empty room): not an answer; the app must end them.
    after_hang_up: dict[str, float] = {}
    # A persistent line also sits in the agent's own room (`line-<identity>`): not a caller's.
    left_at: dict[tuple[str, str], float] = {}
    landed_in: dict[str, str] = {}
    for e in events:
        if e["type"] not in ("participant_joined", "participant_left"):
            continue
        owner = conference_owner.get(e.get("conference_sid", ""), "")
        if owner not in sids or e.get("call_sid") not in calls or not agent_of(
                calls[e["call_sid"]]):
            continue
        who = agent_of(calls[e["call_sid"]])
        if e["type"] == "participant_joined":
            if owner in hung_up and e["t"] >= hung_up[owner]:
                after_hang_up[e["call_sid"]] = e["t"]
                landed_in[e["call_sid"]] = owner
            else:
                joins[owner].append(who)
                first_join.setdefault(owner, e["t"])
            joined_at[e["call_sid"]] = e["t"]
        elif e["type"] == "participant_left" and e["call_sid"] in joined_at:
            spans[who].append((joined_at.pop(e["call_sid"]), e["t"], e["conference_sid"]))
            left_at[(e["call_sid"], owner)] = e["t"]
    for leg_sid, t in after_hang_up.items():
        leg = calls[leg_sid]
        out = left_at.get((leg_sid, landed_in[leg_sid]), leg.ended_at)
        stayed = (out if out is not None else float("inf")) - t
        if stayed > 5.0:
            failures.append(f"{agent_of(leg)} left {stayed:.1f} s in an empty room ({leg_sid})")
    outcomes: Counter[str] = Counter()
    short_messages = simultaneous = abandons_followed_up = 0
    for sid, caller in sids.items():
        row = by_sid.get(sid)
        if row is None:
            failures.append(f"{sid}: no interaction (lost)")
            continue
        ways = [w for w, yes in (("answered", row.answered_at is not None),
                                 ("message", messages[sid] > 0 or callbacks[sid] > 0),
                                 ("abandoned", bool(row.abandoned))) if yes]
        if len(ways) != 1:
            seen = [(e["type"], e.get("purpose"), e.get("status"), e.get("duration"))
                    for e in events if e.get("call_sid") == sid
                    and e["type"] in ("recording", "record_empty", "webhook")
                    and (e["type"] != "webhook" or "record" in str(e.get("purpose")))]
            failures.append(f"{sid}: ended {ways or 'no way at all'} (caller: {caller.outcome};"
                            f" emulator: {seen})")
            continue
        outcomes[ways[0]] += 1
        if ways[0] != caller.outcome:
            failures.append(f"{sid}: the app says {ways[0]}, the caller lived {caller.outcome}")
        if messages[sid] > 1 or callbacks[sid] > 1:
            failures.append(f"{sid}: {messages[sid]} messages, {callbacks[sid]} callbacks "
                            "(doubled)")
        if ways[0] == "message" and not messages[sid]:
            short_messages += 1  # too short to keep: a missed-call callback instead
        if followed_up[sid] and ways[0] != "abandoned":
            failures.append(f"{sid}: a missed-call callback, but the caller ended {ways[0]}")
        if followed_up[sid] > 1:
            failures.append(f"{sid}: {followed_up[sid]} missed-call callbacks (doubled)")
        if ways[0] == "abandoned" and followed_up[sid]:
            abandons_followed_up += 1
        if ways[0] == "abandoned" and caller.policy != "abandon":
            failures.append(f"{sid}: abandoned, but this caller never hung up while waiting")
        agent_joins = len(joins.get(sid, []))
        expected = 1 + caller.transferred
        if ways[0] == "answered" and (agent_joins != expected
                                      or not 1 <= answered_events[sid] <= expected):
            failures.append(f"{sid}: answered with {agent_joins} agent joins (expected "
                            f"{expected}), {answered_events[sid]} answered events")
        if caller.transferred and ways[0] == "answered" and len(caller.agents) != 2:
            failures.append(f"{sid}: transferred, but talked to {caller.agents}")
        if ways[0] != "answered" and agent_joins:
            # An agent whose leg joined less than a second before the caller hung up: the
            # caller could not have noticed (the driver looks every 0.2 s and more under
            # load), and Twilio's Timestamps (whole seconds) cannot order the two. Counted,
            # not failed; anything longer is a call the app lost as answered.
            before = hung_up.get(sid, 0.0) - first_join.get(sid, 0.0)
            if ways[0] == "abandoned" and caller.outcome == "abandoned" and 0 <= before < 1.0:
                simultaneous += 1
            else:
                failures.append(f"{sid}: {ways[0]}, yet {agent_joins} agent(s) joined "
                                f"({before:.2f} s before the caller's hang-up)")
    for agent, legs in spans.items():
        legs.sort()
        for (_, end, conf), (start, _, other) in zip(legs, legs[1:], strict=False):
            if start < end - 1e-6 and conf != other:
                failures.append(f"{agent} in two callers' rooms at once")
    late = [float(d.get("late", 0.0)) for _, d in escalations]
    # A step is due `at` seconds into its clock; "keep waiting" at the offer starts a fresh
    # clock (docs/queue.md), so the hold limit applies to `at + late`, not to the whole wait.
    on_clock = [float(d.get("at", 0.0)) + float(d.get("late", 0.0)) for _, d in escalations]
    over = [(sid, d) for (sid, d), t in zip(escalations, on_clock, strict=True)
            if t >= HOLD_LIMIT]
    failures += [f"{sid}: step {d.get('step')} at {d.get('at')} s fired {d.get('late')} s late"
                 for sid, d in over]
    errors = [e for e in events if e["type"] == "application_error"]
    failures += [f"{e['call_sid']}: the caller heard the application error" for e in errors]

    webhooks = [e for e in events if e["type"] == "webhook"]
    elapsed = [e["elapsed"] for e in webhooks if e.get("elapsed") is not None]
    queued = [e["queued"] for e in webhooks if e.get("queued") is not None]
    first = min(c.dialed_at for c in callers)
    last = max(c.ended_at for c in callers)
    figures = {
        "calls": len(callers),
        "outcomes": dict(outcomes),
        "policies": dict(Counter(c.policy for c in callers)),
        "offers_heard": sum(c.offers for c in callers),
        "transferred": sum(c.transferred for c in callers),
        "messages_too_short": short_messages,
        "abandons_called_back": abandons_followed_up,
        "agent_joined_as_the_caller_hung_up": simultaneous,
        "agent_legs_landing_after_the_hang_up": len(after_hang_up),
        "seconds": round(last - first, 1),
        "calls_per_second": round(len(callers) / (last - first), 2),
        "most_concurrent": most_concurrent(callers),
        "webhooks": len(webhooks),
        "webhook_p50_ms": round(percentile(elapsed, 50) * 1000, 1),
        "webhook_p99_ms": round(percentile(elapsed, 99) * 1000, 1),
        "webhook_max_ms": round(max(elapsed, default=0) * 1000, 1),
        # Before the request: waiting in the emulator for the call's earlier webhooks or a
        # free thread (Twilio's own side; large means the emulator, not the app, lags).
        "webhook_queued_p50_ms": round(percentile(queued, 50) * 1000, 1),
        "webhook_queued_p99_ms": round(percentile(queued, 99) * 1000, 1),
        "webhook_statuses": dict(Counter(str(e.get("status")) for e in webhooks)),
        "webhook_errors": len([e for e in events if e["type"] == "webhook_error"]),
        "webhook_error_samples": [
            f"{e.get('purpose')} {str(e.get('url', '')).split('?')[0]} {e.get('reason')}"
            for e in events if e["type"] == "webhook_error"][:10],
        "steps_fired": len(escalations),
        "step_late_p50_ms": round(percentile(late, 50) * 1000, 1),
        "step_late_p99_ms": round(percentile(late, 99) * 1000, 1),
        "step_late_max_ms": round(max(late, default=0) * 1000, 1),
        "latest_step_on_its_clock_s": round(max(on_clock, default=0), 1),
        "longest_wait_at_a_step_s": round(max(
            (float(d.get("waited", 0.0)) for _, d in escalations), default=0), 1),
        "wait_to_answer_p50_s": round(percentile(
            [c.connected_at - c.queued_at for c in callers if c.connected_at], 50), 1),
        "wait_to_answer_p99_s": round(percentile(
            [c.connected_at - c.queued_at for c in callers if c.connected_at], 99), 1),
        "api_created_calls": len([c for c in calls.values() if c.direction == "outbound-api"]),
        "calls_queued_for_cps": len([e for e in events if e["type"] == "call_queued"]),
    }
    return figures, failures


def most_concurrent(callers: list[Caller]) -> int:
    marks = sorted([(c.dialed_at, 1) for c in callers] + [(c.ended_at, -1) for c in callers])
    best = live = 0
    for _, delta in marks:
        live += delta
        best = max(best, live)
    return best


# -- main -------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per web process")
    parser.add_argument("--clocks", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="RQ workers")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--ramp", type=float, default=25.0, help="seconds to dial every call")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--transfers", type=float, default=0.2,
                        help="share of callers an agent transfers (cold, to the department)")
    parser.add_argument("--webhook-workers", type=int, default=64,
                        help="webhooks the emulator has in flight at once, each call's in "
                             "order, as Twilio (0: one at a time, the old engine)")
    parser.add_argument("--agent-mode", choices=["line", "ring"], default="line",
                        help="line: agents hold persistent lines and accept offers on the "
                             "console (AGENT_RING_MODE=line); ring: every agent is rung over "
                             "the API")
    parser.add_argument("--cps", type=float, default=1.0,
                        help="the account's calls per second: the emulator's limit on "
                             "API-created calls, and the app's TWILIO_CPS")
    args = parser.parse_args(argv)

    from app.embedded_redis import EmbeddedRedis, free_port
    from config import TestingConfig
    from sim.clock import RealClock
    from sim.emulator import Emulator
    from sim.serve import credentials
    from sim.transport import HttpTransport

    run_dir = ROOT / "var" / "bench" / "load" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    callers_numbers = [f"+1202556{n:04d}" for n in range(args.calls)]
    agents = [f"agent{n:03d}" for n in range(args.agents)]
    redis_server = EmbeddedRedis(run_dir / "redis", appendonly=True).start()
    try:
        database_url, stop_database = start_database(args.database, run_dir)
    except Exception:
        redis_server.stop()  # nothing of this run may outlive it
        raise
    web_port, creds = free_port(), credentials()
    web_url = f"http://127.0.0.1:{web_port}"
    emu = Emulator(creds["account_sid"], creds["auth_token"], clock=RealClock(),
                   transport=HttpTransport(10.0, 15.0, keep_alive=False), api_key=creds["api_key"],
                   api_secret=creds["api_secret"], words_per_minute=600, play_seconds=20.0,
                   webhook_workers=args.webhook_workers, cps=args.cps)
    emu.add_number(NUMBER, f"{web_url}/ivr/incoming", fallback_url=f"{web_url}/ivr/fallback",
                   status_callback=f"{web_url}/ivr/status")
    emu.add_application(f"{web_url}/softphone/outgoing", sid=creds["twiml_app_sid"])
    sim_url = emu.start_rest_server()
    emu.start()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TWILIO_", "DATABASE_", "REDIS_", "PUBLIC_", "TEST_"))}
    env.update(SETTINGS)
    env.update({"APP_ENV": "testing", "DATABASE_URL": database_url,
                "REDIS_URL": redis_server.url, "PUBLIC_BASE_URL": web_url,
                "TWILIO_MODE": "emulator", "TWILIO_API_BASE_URL": sim_url,
                "TWILIO_CPS": str(args.cps), "AGENT_RING_MODE": args.agent_mode,
                "PYTHONUNBUFFERED": "1", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    settings = TestingConfig(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_server.url,
                             PUBLIC_BASE_URL=web_url, TWILIO_API_BASE_URL=sim_url,
                             TWILIO_CPS=args.cps, AGENT_RING_MODE=args.agent_mode,
                             **{k: v for k, v in SETTINGS.items() if k != "LOG_LEVEL"})
    procs = Processes(run_dir, env)
    print(f"run directory {run_dir}; database {args.database}", flush=True)
    try:
        app = prepare(settings, callers_numbers, agents)
        procs.start("web", [str(BIN / "gunicorn"), "app:create_app()", "--bind",
                            f"127.0.0.1:{web_port}", "--workers", str(args.web_workers),
                            "--threads", str(args.threads), "--timeout", "60",
                            "--no-control-socket"])
        for n in range(args.clocks):
            procs.start(f"clock{n + 1}", [str(BIN / "flask"), "--app", "app", "queue", "clock"])
        for n in range(args.workers):
            procs.start(f"worker{n + 1}", [str(BIN / "rq"), "worker", "--url",
                                           redis_server.url, "default"])
        wait_for(lambda: _ok(f"{web_url}/healthz"), 60, "web answers")
        tokens = {}
        lines = args.agent_mode == "line"
        import redis

        floor_redis = redis.Redis.from_url(redis_server.url, decode_responses=True)
        for identity in agents:
            emu.softphone(identity, answer_after=0.5)
            token = login(web_url, identity)
            if lines:  # the console opens the line before going available
                open_line(emu, floor_redis, identity)
            tokens[identity] = go_available(web_url, token)
        callers = [Caller(number, policy, patience=rng.uniform(5, 25), talk=rng.uniform(3, 8),
                          transfer=rng.random() < args.transfers)
                   for number, policy in zip(callers_numbers, rng.choices(
                       ["patient", "message", "abandon"], weights=[60, 25, 15],
                       k=args.calls), strict=True)]
        print(f"{args.calls} callers, {args.agents} agents, {args.web_workers} web processes "
              f"x {args.threads} threads, {args.clocks} clocks, {args.workers} workers",
              flush=True)
        driver = Driver(emu, callers, args.ramp, web_url, tokens, redis_server.url,
                        lines=lines)
        redis_pid = redis_server.process.pid if redis_server.process else None
        load_before, cpu_before = os.getloadavg(), cpu_seconds(procs, redis_pid)
        driver.run(args.timeout)
        cpu_after, load_after = cpu_seconds(procs, redis_pid), os.getloadavg()
        wait_for(lambda: _queue_empty(redis_server.url), 120, "the workers drain their queue")
        time.sleep(3)  # the last recording callbacks and timeline flushes
        figures, failures = check(app, emu, callers)
        figures["driver_problems"] = driver.problems[:20]
        figures["agents_back_from_away"] = driver.back_from_away
        figures["offers_accepted_on_a_line"] = driver.accepted
        figures["accepts_refused"] = driver.accept_refused
        idle = driver.idle_while_waiting
        figures["agent_available_while_a_caller_waited_s"] = {
            "stretches": len(idle), "p50": round(percentile(idle, 50), 2),
            "p99": round(percentile(idle, 99), 2), "max": round(max(idle, default=0.0), 2)}
        figures["processes_alive"] = procs.alive()
        cpu = {k: round(cpu_after[k] - cpu_before.get(k, 0.0), 1) for k in cpu_after}
        if cpu:
            ours = sum(v for k, v in cpu.items() if k != "machine")
            cpu["others_on_the_machine"] = round(cpu["machine"] - ours, 1)
        figures["cpu_seconds_during_calls"] = cpu
        figures["load_average_before_after"] = [round(load_before[0], 2),
                                                 round(load_after[0], 2)]
    finally:
        procs.stop()
        emu.stop()
        redis_server.stop()
        stop_database()
    figures.update({"database": args.database, "web_workers": args.web_workers,
                    "threads": args.threads, "clocks": args.clocks, "workers": args.workers,
                    "agents": args.agents, "ramp_seconds": args.ramp,
                    "webhook_workers": args.webhook_workers, "cps": args.cps,
                    "agent_mode": args.agent_mode,
                    "failures": failures[:50], "failure_count": len(failures)})
    (run_dir / "results.json").write_text(json.dumps(figures, indent=2))
    if failures:
        emu.write_log(run_dir / "events.jsonl")  # what the emulator saw, to find out why
    print(json.dumps(figures, indent=2), flush=True)
    print("OK: no call lost or doubled, every step in time" if not failures
          else f"FAILED: {len(failures)} problem(s)", flush=True)
    return 0 if not failures else 1


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _queue_empty(redis_url: str) -> bool:
    import redis

    client = redis.Redis.from_url(redis_url)
    return client.llen("rq:queue:default") == 0


def login(web_url: str, identity: str) -> str:
    """The agent signs in; returns their API token."""
    return requests.post(f"{web_url}/api/agents/login",
                         json={"identity": identity, "password": PASSWORD},
                         timeout=30).json()["token"]


def go_available(web_url: str, token: str) -> str:
    resp = requests.post(f"{web_url}/api/agents/me/state", json={"state": "available"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    resp.raise_for_status()
    return token


def open_line(emu: Any, floor_redis: Any, identity: str) -> None:
    """The console's persistent line: the softphone calls the TwiML App with Line=open, and
    the app has it once it answered (docs/queue.md, "The agent's line")."""
    handle = emu.softphone(identity).place_call(params={"Line": "open"})
    wait_for(lambda: floor_redis.hmget("{cc}:line:" + identity, "sid", "state")
             == [handle.sid, "connected"], 30, f"{identity}'s line")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
