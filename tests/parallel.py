"""How `make test` shares the suite among pytest-xdist workers (`-n 4 --dist loadfile`).

Each worker is a pytest session of its own, with its own redis-server, migrated SQLite
template (or PostgreSQL template database) and temporary directory (tests/conftest.py), and
its own stacks of real processes on free ports (tests/browser, tests/faults).

The unit of work is a test file, as with xdist's `loadfile`: a module's fixtures are set up
once and its tests run in order. Two changes:

- tests/faults and tests/browser are one unit each. Each shares one stack of real processes
  per worker (gunicorn, the hold clock, an rq worker, the emulator; the browser adds
  chromium) among its files: spread over several workers, each would start its own, and on
  two cores the stacks would fight for CPU with the rest while the tests' bounds assume one.
  The fault tests also kill and restart that stack's processes.
- Those two units spend their time waiting on real time, so they are handed out first: their
  waits overlap the CPU-bound files instead of running alone at the end. With four workers,
  two wait on the stacks and two keep the two cores busy.
"""

from __future__ import annotations

import pytest

# Path prefixes (from the root) whose files are one unit of work.
ONE_UNIT = ("tests/faults/", "tests/browser/")
# Path prefixes of the units handed out first, longest waits first: real processes on real
# time (a folder added here needs nothing else).
WAITING_FIRST = ("tests/faults/", "tests/browser/", "tests/devstack/")


def _priority(scope: str) -> int:
    for index, prefix in enumerate(WAITING_FIRST):
        if scope.startswith(prefix):
            return index
    return len(WAITING_FIRST)


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pytest-xdist is a dev dependency; without it the suite runs serially
    LoadScopeScheduling = object


class FileScheduling(LoadScopeScheduling):
    """xdist's `loadfile`, with ONE_UNIT folders kept whole and WAITING_FIRST first."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return next((prefix for prefix in ONE_UNIT if path.startswith(prefix)), path)

    def _assign_work_unit(self, node) -> None:
        # The queue is complete at the first assignment: reorder it once, stably.
        if not self._ordered:
            self._ordered = True
            ordered = sorted(self.workqueue.items(), key=lambda item: _priority(item[0]))
            self.workqueue.clear()
            self.workqueue.update(ordered)
        super()._assign_work_unit(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log) -> FileScheduling | None:
    """xdist asks the plugins for a scheduler; `--dist loadfile` gets FileScheduling."""
    if config.getvalue("dist") == "loadfile":
        return FileScheduling(config, log)
    return None
