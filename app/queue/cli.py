"""`flask queue ...`: the hold-clock process and a look at the queues."""

from __future__ import annotations

import logging
import signal
import time

import click

from app.queue import bp
from app.queue.factory import hold_clock, queue_store
from app.voicemail.jobs import periodic

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0


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
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    last_sweep = 0.0

    def sweeps() -> None:
        # Slower work rides on the clock loop: overdue callbacks, recordings past retention.
        nonlocal last_sweep
        if time.monotonic() - last_sweep >= SWEEP_SECONDS:
            last_sweep = time.monotonic()
            try:
                periodic()
            except Exception:
                log.exception("periodic voicemail sweep failed; next one in %s s", SWEEP_SECONDS)

    click.echo("hold clock running")
    hold_clock(workers=workers).run_forever(stop=lambda: stopping, after_tick=sweeps)


@bp.cli.command("show")
@click.argument("department")
def show(department: str) -> None:
    """List the callers waiting in DEPARTMENT, best first."""
    store = queue_store()
    for position, sid in enumerate(store.waiting(department, limit=1000), start=1):
        call = store.call(sid)
        priority, since = call.get('priority'), call.get('since')
        click.echo(f"{position:>4}  {sid}  priority={priority}  since={since}")
