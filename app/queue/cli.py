"""`flask queue ...`: the hold-clock process and a look at the queues."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable

import click
from flask import Flask, current_app

from app.interactions.pending import start_writer
from app.queue import bp, queue_services
from app.queue.escalation import drop_queued_offers

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0
# After SIGTERM, how long the clock may take to finish what it is doing before it leaves
# anyway (stuck on a Redis that is gone or a Twilio that does not answer). Leaving mid-step
# is safe: the step's lease expires and a clock fires it again.
STOP_GRACE_SECONDS = 3.0

Sweep = Callable[[], object]
_SWEEPS = "queue.clock_sweeps"


def clock_sweeps(app: Flask) -> dict[str, Sweep]:
    """Slower work that rides on the hold clock's loop every SWEEP_SECONDS, by name. Packages
    above the queue register theirs (voicemail: overdue callbacks, expired recordings)."""
    return app.extensions.setdefault(_SWEEPS, {})


def _leave_now() -> None:
    log.warning("hold clock still busy %.0f s after SIGTERM; leaving now (its leases will be "
                "retaken)", STOP_GRACE_SECONDS)
    logging.shutdown()
    os._exit(0)


@bp.cli.command("clock")
@click.option("--workers", default=1, show_default=True,
              help="Threads firing due steps (their work is mostly waiting on I/O).")
def run_clock(workers: int) -> None:
    """Run the hold clock: fire escalation steps, ring timeouts and wrap-up ends as they fall due.

    Run one or more (they share the work through Redis; each step fires once).
    """
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        timer = threading.Timer(STOP_GRACE_SECONDS, _leave_now)
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    last_sweep = 0.0

    def sweeps() -> None:
        # Slower work rides on the clock loop: overdue callbacks, recordings past retention.
        nonlocal last_sweep
        if time.monotonic() - last_sweep >= SWEEP_SECONDS:
            last_sweep = time.monotonic()
            for name, sweep in clock_sweeps(current_app).items():
                try:
                    sweep()
                except Exception:
                    log.exception("periodic %s sweep failed; next one in %s s", name,
                                  SWEEP_SECONDS)

    click.echo("hold clock running")
    # New calls' rows, staged in Redis by the incoming-call webhook, go to SQL from here.
    start_writer(stop=lambda: stopping)
    clock = queue_services().hold_clock(workers=workers)
    clock.run_forever(stop=lambda: stopping, after_tick=sweeps)
    # Offers not yet started stay parked and leased: another clock (or this one, restarted)
    # sends them when their leases expire.
    drop_queued_offers()


@bp.cli.command("show")
@click.argument("department")
def show(department: str) -> None:
    """List the callers waiting in DEPARTMENT, best first."""
    store = queue_services().store
    for position, sid in enumerate(store.waiting(department, limit=1000), start=1):
        call = store.call(sid)
        priority, since = call.get('priority'), call.get('since')
        click.echo(f"{position:>4}  {sid}  priority={priority}  since={since}")
