"""A discrete-event engine: events at (virtual or real) times, and processes written as
generators that yield `Sleep` (wait for time or a signal) or `Fetch` (a webhook).

State is guarded by one lock, which is never held while a webhook is in flight: the app's
webhook handler may call the emulator's REST API (from another thread) while we wait for it.

In real time with `webhook_workers` > 0, webhooks go out on a thread pool as Twilio sends
them, concurrently across calls; one call's webhooks still go one at a time, in the order its
processes asked for them. Generators are only ever stepped on the engine thread (a finished
webhook posts its result back as an event), so the engine's state needs no more care than
before. Virtual time always requests them inline, one at a time: tests stay deterministic.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import traceback
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sim.clock import Clock


@dataclass(frozen=True)
class Sleep:
    """Wait `duration` seconds (None: forever), unless a signal of a kind in `wake` comes."""

    duration: float | None
    wake: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Fetch:
    """Request a webhook; the process resumes with a `transport.WebhookResponse`."""

    method: str
    url: str
    params: dict[str, str]
    call_sid: str | None
    purpose: str
    # Set by sim/delivery.py: the URL's connection overrides and which try this is (0: first).
    overrides: Any = None
    attempt: int = 0
    token: str = ""  # I-Twilio-Idempotency-Token: the same on every attempt
    # Virtual time, under chaos (sim/chaos.py): sent on its own thread, concurrently with
    # whatever else is due at this instant.
    detach: bool = False


@dataclass(frozen=True)
class Signal:
    kind: str
    value: Any = None


class Interrupt(Exception):  # noqa: N818 - control flow, not an error
    """Thrown into a process at its current wait."""


class HungUp(Interrupt):
    def __init__(self, by: str = "party") -> None:
        super().__init__(by)
        self.by = by


class Redirected(Interrupt):
    def __init__(self, url: str | None, method: str = "POST", twiml: str | None = None,
                 reason: str = "api") -> None:
        super().__init__(url or "twiml")
        self.url, self.method, self.twiml, self.reason = url, method, twiml, reason


class Stopped(Interrupt):
    """Ends a helper process (hold music, wait music)."""


Step = Generator[Sleep | Fetch, Any, Any]
Job = tuple["Proc", Fetch] | None


@dataclass(eq=False)
class Proc:
    name: str
    gen: Step
    started: bool = False
    running: bool = False
    fetching: bool = False
    done: bool = False
    waiting: Sleep | None = None
    timer: Event | None = None
    pending: Interrupt | None = None


@dataclass(order=True)
class Event:
    time: float
    seq: int
    fn: Callable[[], Job] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Scheduler:
    def __init__(self, clock: Clock, fetcher: Callable[[Fetch], Any],
                 on_error: Callable[[str, str], None]) -> None:
        self.clock = clock
        self.fetcher = fetcher
        self.on_error = on_error
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self._heap: list[Event] = []
        self._seq = itertools.count()
        self._loop_thread: int | None = None
        self._runner: threading.Thread | None = None
        self._stop = threading.Event()
        self._loop_lock = threading.Lock()  # one thread drives virtual time at once
        self._live: set[Proc] = set()
        self.closed = False
        self.max_events_per_instant = 20000
        self._pool: ThreadPoolExecutor | None = None
        # Call SID -> webhooks of that call waiting for the one in flight (present: one is).
        self._serial: dict[str, deque[tuple[Proc, Fetch, float]]] = {}
        self._delivery = threading.local()
        self._detached = 0  # virtual time: webhooks in flight on their own threads

    # -- scheduling (callable from any thread) -------------------------------------------

    def now(self) -> float:
        return self.clock.elapsed()

    def post(self, fn: Callable[[], Job], delay: float = 0.0) -> Event:
        with self.cond:
            ev = Event(self.now() + max(delay, 0.0), next(self._seq), fn)
            if self.closed:
                ev.cancelled = True
                return ev
            heapq.heappush(self._heap, ev)
            self.cond.notify_all()
            return ev

    def spawn(self, gen: Step, name: str) -> Proc:
        proc = Proc(name, gen)
        with self.lock:
            self._live.add(proc)
        self.post(lambda: self._step(proc))
        return proc

    def signal(self, proc: Proc | None, kind: str, value: Any = None) -> None:
        """Wake `proc` if it waits for `kind`; otherwise the signal is dropped."""
        if proc is not None:
            self.post(lambda: self._signal_now(proc, kind, value))

    def interrupt(self, proc: Proc | None, exc: Interrupt) -> None:
        if proc is not None:
            self.post(lambda: self._interrupt_now(proc, exc))

    # -- process stepping (under the lock) -----------------------------------------------

    def _signal_now(self, proc: Proc, kind: str, value: Any) -> Job:
        if proc.done or proc.waiting is None or kind not in proc.waiting.wake:
            return None
        return self._step(proc, Signal(kind, value))

    def _interrupt_now(self, proc: Proc, exc: Interrupt) -> Job:
        if proc.done:
            return None
        if not proc.started or proc.fetching or proc.running:
            # Hanging up beats a redirect that is already pending.
            if proc.pending is None or isinstance(exc, HungUp):
                proc.pending = exc
            return None
        return self._step(proc, exc=exc)

    def _step(self, proc: Proc, value: Any = None, exc: BaseException | None = None) -> Job:
        if proc.done:
            return None
        if proc.timer is not None:
            proc.timer.cancelled = True
            proc.timer = None
        proc.waiting = None
        while True:
            if proc.started and exc is None and proc.pending is not None:
                exc, proc.pending = proc.pending, None
            proc.running = True
            try:
                if not proc.started:
                    proc.started = True
                    cmd = proc.gen.send(None)
                elif exc is not None:
                    cmd = proc.gen.throw(exc)
                else:
                    cmd = proc.gen.send(value)
            except (StopIteration, Interrupt):
                self._finished(proc)
                return None
            except Exception:
                self._finished(proc)
                self.on_error(proc.name, traceback.format_exc())
                return None
            finally:
                proc.running = False
            exc = value = None
            if proc.pending is not None:
                continue
            if isinstance(cmd, Sleep):
                proc.waiting = cmd
                if cmd.duration is not None:
                    proc.timer = self.post(lambda: self._timer(proc), cmd.duration)
                return None
            if isinstance(cmd, Fetch):
                proc.fetching = True
                return proc, cmd
            self.on_error(proc.name, f"process yielded {cmd!r}")
            self._finished(proc)
            return None

    def _finished(self, proc: Proc) -> None:
        proc.done = True
        self._live.discard(proc)

    def close(self) -> None:
        """Abandon every process (the emulator is being thrown away): no more events."""
        with self.lock:
            self.closed = True
            self._heap.clear()
            live, self._live = list(self._live), set()
        for proc in live:
            proc.done = True
            # A cleanup path may fail on a dead engine; nobody is listening any more.
            with contextlib.suppress(Exception):
                proc.gen.close()

    def _timer(self, proc: Proc) -> Job:
        proc.timer = None
        return self._step(proc, None)

    def _run_event(self, ev: Event) -> None:
        """Run one due event; its webhook round trips happen without the lock."""
        with self.lock:
            if ev.cancelled:
                return
            job = ev.fn()
        if self._pool is not None:
            self._dispatch(job)
            return
        while job is not None:
            proc, fetch = job
            if fetch.detach and self.clock.virtual:
                self._detach(proc, fetch)
                return
            try:
                result = self.fetcher(fetch)
            except Exception:
                self.on_error(proc.name, traceback.format_exc())
                result = None
            with self.lock:
                proc.fetching = False
                job = self._step(proc, result)

    # -- concurrent delivery in virtual time (chaos) ----------------------------------------

    def _detach(self, proc: Proc, fetch: Fetch) -> None:
        """Send on a thread; the engine goes on with what else is due now, and does not move
        time on until the answer is back (`_pop_due`)."""
        with self.cond:
            self._detached += 1

        def run() -> None:
            try:
                result = self.fetcher(fetch)
            except Exception:
                self.on_error(proc.name, traceback.format_exc())
                result = None
            with self.cond:
                self._detached -= 1
                ev = Event(self.now(), next(self._seq), lambda: self._resume_detached(proc,
                                                                                      result))
                if not self.closed:
                    heapq.heappush(self._heap, ev)
                self.cond.notify_all()

        threading.Thread(target=run, name=f"sim-detached:{proc.name}", daemon=True).start()

    def _resume_detached(self, proc: Proc, result: Any) -> Job:
        proc.fetching = False
        return self._step(proc, result)

    def join_detached(self, timeout: float = 30.0) -> None:
        """Wait for every detached webhook to be answered and its process resumed."""
        with self.cond:
            self.cond.wait_for(lambda: self._detached == 0, timeout)

    # -- concurrent delivery (real time) ---------------------------------------------------

    def _dispatch(self, job: Job) -> None:
        """Send a webhook on the pool, or queue it behind the one its call has in flight."""
        if job is None:
            return
        item = (*job, self.now())
        key = job[1].call_sid
        with self.lock:
            if key is not None:
                behind = self._serial.get(key)
                if behind is not None:
                    behind.append(item)
                    return
                self._serial[key] = deque()
            pool = self._pool
        if pool is None:  # stopped meanwhile
            return
        pool.submit(self._deliver, item)

    def delivery_wait(self) -> float | None:
        """In a pool thread, during a webhook: how long it waited to be sent (its call's
        earlier webhooks, or a free thread). None when webhooks are sent inline."""
        return getattr(self._delivery, "waited", None)

    def _deliver(self, item: tuple[Proc, Fetch, float]) -> None:
        proc, fetch, asked = item
        self._delivery.waited = self.now() - asked
        try:
            result = self.fetcher(fetch)
        except Exception:
            self.on_error(proc.name, traceback.format_exc())
            result = None
        self.post(lambda: self._resume(proc, fetch, result))

    def _resume(self, proc: Proc, fetch: Fetch, result: Any) -> Job:
        """On the engine thread: the call's next webhook may go, and `proc` continues."""
        key = fetch.call_sid
        if key is not None:
            behind = self._serial.get(key)
            if behind:
                nxt = behind.popleft()
                if self._pool is not None:
                    self._pool.submit(self._deliver, nxt)
            else:
                self._serial.pop(key, None)
        proc.fetching = False
        return self._step(proc, result)

    # -- driving time --------------------------------------------------------------------

    def _pop_due(self, until: float) -> Event | None:
        with self.cond:
            while True:
                while self._heap and self._heap[0].cancelled:
                    heapq.heappop(self._heap)
                due_now = bool(self._heap) and self._heap[0].time <= self.clock.elapsed()
                # Detached webhooks are answered at this instant: time waits for them (a
                # minute at most: an app that never answers must not hang the test).
                if not self._detached or due_now:
                    break
                if not self.cond.wait(60.0):
                    self.on_error("engine", "a detached webhook got no answer in 60 s")
                    break
            if not self._heap or self._heap[0].time > until:
                return None
            ev = heapq.heappop(self._heap)
            if self.clock.virtual and ev.time > self.clock.elapsed():
                self.clock.set_elapsed(ev.time)
            return ev

    def next_event_time(self) -> float | None:
        with self.lock:
            times = [e.time for e in self._heap if not e.cancelled]
            return min(times) if times else None

    def run_virtual(self, until: float, stop: Callable[[], bool] | None = None) -> bool:
        """Process events up to virtual time `until`; True if `stop()` became true."""
        me = threading.get_ident()
        if self._loop_thread == me:
            return bool(stop and stop())  # re-entered from inside an event: let it finish
        with self._loop_lock:
            self._loop_thread = me
            try:
                return self._drive(until, stop)
            finally:
                self._loop_thread = None

    def _drive(self, until: float, stop: Callable[[], bool] | None) -> bool:
        last, count = None, 0
        while True:
            if stop and stop():
                # The app has answered every detached webhook before the test looks.
                self.join_detached()
                return True
            ev = self._pop_due(until)
            if ev is None:
                break
            count = count + 1 if ev.time == last else 0
            last = ev.time
            if count > self.max_events_per_instant:
                raise RuntimeError(f"livelock: over {count} events at t={ev.time:.3f}")
            self._run_event(ev)
        with self.lock:
            if until > self.clock.elapsed():
                self.clock.set_elapsed(until)
        return bool(stop and stop())

    def in_loop(self) -> bool:
        return self._loop_thread == threading.get_ident()

    # -- real time -----------------------------------------------------------------------

    def start_realtime(self, webhook_workers: int = 0) -> None:
        """Run due events on a thread; with `webhook_workers`, webhooks on that many more."""
        if self._runner is not None:
            return
        if webhook_workers > 0 and not self.clock.virtual:
            self._pool = ThreadPoolExecutor(webhook_workers, "sim-webhook")
        self._stop.clear()
        self._runner = threading.Thread(target=self._realtime_loop, name="sim-engine",
                                        daemon=True)
        self._runner.start()

    def stop_realtime(self) -> None:
        self._stop.set()
        with self.cond:
            self.cond.notify_all()
        if self._runner is not None:
            self._runner.join(timeout=5)
            self._runner = None
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _realtime_loop(self) -> None:
        self._loop_thread = threading.get_ident()
        while not self._stop.is_set():
            with self.cond:
                while self._heap and self._heap[0].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self.cond.wait(0.5)
                    continue
                delay = self._heap[0].time - self.now()
                if delay > 0:
                    self.cond.wait(min(delay, 0.5))
                    continue
                ev = heapq.heappop(self._heap)
            try:
                self._run_event(ev)
            except Exception:
                self.on_error("engine", traceback.format_exc())
