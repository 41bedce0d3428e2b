"""The IVR cache may remember the configuration version between requests (a process-wide
poll interval); off by default, so another process's edit is heard on the very next call."""

from __future__ import annotations

from app.floor.cache import DEFAULT_VERSION_POLL_SECONDS, ConfigCache


def test_off_by_default_every_request_reads_the_version():
    assert DEFAULT_VERSION_POLL_SECONDS == 0
    shared = ConfigCache(max_age=60)
    shared.remember_version("7")
    assert shared.remembered_version() is None


def test_with_a_poll_interval_the_version_is_remembered_until_cleared():
    shared = ConfigCache(max_age=60, version_poll=3600)
    assert shared.remembered_version() is None
    shared.remember_version("7")
    assert shared.remembered_version() == "7"
    shared.clear()  # what cache.changed() does in the process that made the edit
    assert shared.remembered_version() is None
