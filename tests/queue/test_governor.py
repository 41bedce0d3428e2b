"""The calls-per-second budget in Redis: one budget, whichever process books from it."""

from __future__ import annotations

import multiprocessing

import redis

from app import create_app
from app.queue import queue_services
from app.queue.governor import CpsGovernor
from app.queue.keys import Keys
from tests.conftest import make_settings

NOW = 1_800_000_000.0


def governor(url: str, cps: float = 1) -> CpsGovernor:
    return CpsGovernor(redis.Redis.from_url(url, decode_responses=True), Keys("t"), cps)


def spaced(slots: list[float], interval: float) -> bool:
    ordered = sorted(slots)
    return all(b - a >= interval - 1e-6 for a, b in zip(ordered, ordered[1:], strict=False))


def test_slots_are_one_interval_apart_and_the_first_is_now(store):
    g = CpsGovernor(store.redis, store.keys, 2)
    slots = [g.reserve(NOW).at for _ in range(4)]
    assert slots == [NOW, NOW + 0.5, NOW + 1.0, NOW + 1.5]
    # A second later, two slots are still to come: the budget says so.
    held = g.held_back(NOW + 0.75)
    assert held.waiting == 2 and held.longest_wait == 0.8


def test_a_slot_past_latest_is_not_booked(store):
    g = CpsGovernor(store.redis, store.keys, 1)
    assert g.reserve(NOW).granted
    refused = g.reserve(NOW, latest=NOW + 0.5)
    assert not refused.granted and refused.at == NOW + 1
    # Nothing was booked: the next caller gets that very slot.
    assert g.reserve(NOW).at == NOW + 1


def test_a_quiet_budget_starts_calls_at_once_again(store):
    g = CpsGovernor(store.redis, store.keys, 1)
    g.reserve(NOW)
    g.reserve(NOW)
    assert g.reserve(NOW + 10).at == NOW + 10
    assert g.held_back(NOW + 10).waiting == 0


def _book(url: str, count: int, queue) -> None:
    g = governor(url)
    queue.put([g.reserve(NOW).at for _ in range(count)])


def test_two_processes_booking_at_once_never_share_a_second(redis_server):
    redis.Redis.from_url(redis_server.url).flushdb()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_book, args=(redis_server.url, 25, queue))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    slots = queue.get(timeout=30) + queue.get(timeout=30)
    for worker in workers:
        worker.join(timeout=30)
    assert len(set(slots)) == 50
    assert spaced(slots, 1.0)
    assert min(slots) == NOW and max(slots) == NOW + 49


def test_two_app_instances_share_the_budget_set_by_twilio_cps(tmp_path, redis_server,
                                                              migrated_database):
    redis.Redis.from_url(redis_server.url).flushdb()
    apps = [create_app(make_settings(migrated_database, redis_server.url, TWILIO_CPS=1))
            for _ in range(2)]
    slots = []
    for _ in range(3):
        for app in apps:
            with app.app_context():
                slots.append(queue_services().governor.reserve(NOW).at)
    assert slots == [NOW + i for i in range(6)]
