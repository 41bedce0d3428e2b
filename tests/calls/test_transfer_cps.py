"""A warm transfer's target leg is an API-created call: it books the account's CPS budget
like the router's rings, so a ring booked after it starts a slot later."""

from __future__ import annotations

from app.queue import queue_services
from tests.calls.conftest import talking


def booked(floor) -> list[tuple[str, float]]:
    with floor.app.app_context():
        store = queue_services().store
        return store.redis.zrange(f"{store.keys.prefix}:cps", 0, -1, withscores=True)


def test_a_warm_transfer_books_a_slot_for_its_target(floor, amy, bob):
    call = talking(floor, amy)
    before = booked(floor)
    response = amy.transfer(call, "warm", "agent", "bob")
    assert response.status_code == 201, response.get_json()
    after = booked(floor)
    mine = [(m, at) for m, at in after if m.startswith(f"transfer:{call.sid}:")]
    assert len(mine) == 1
    # Its slot follows the ring that connected amy (if that one is still in the budget).
    assert all(mine[0][1] >= at + 1 - 1e-6 for _, at in before)
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=5)
