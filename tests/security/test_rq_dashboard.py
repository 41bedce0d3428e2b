"""The RQ dashboard at /admin/rq: supervisors look, the operator may change things, nobody
else gets in."""

from __future__ import annotations

from app.extensions import rq_queue


def test_a_supervisor_sees_the_queues_and_their_jobs(app, cast):
    with app.app_context():
        rq_queue().enqueue("tests.observability.jobs.log_for_call", "CA" + "1" * 32)
    browser = cast["supervisor"].browser
    page = browser.get("/admin/rq/")
    assert page.status_code == 200
    assert b"RQ" in page.get_data()
    queues = browser.get("/admin/rq/0/data/queues.json")
    assert queues.status_code == 200
    [default] = [q for q in queues.get_json()["queues"] if q["name"] == "default"]
    assert default["count"] == 1


def test_only_the_operator_may_change_anything(app, cast):
    with app.app_context():
        rq_queue().enqueue("tests.observability.jobs.log_for_call", "CA" + "1" * 32)
    supervisor = cast["supervisor"]
    empty = "/admin/rq/queue/default/queued/empty"
    refused = supervisor.browser.post(empty, headers={"X-CSRF-Token": supervisor.csrf})
    assert refused.status_code == 403
    assert supervisor.browser.get("/admin/rq/requeue/default").status_code == 403
    with app.app_context():
        assert rq_queue().count == 1
    done = cast.anonymous().post(empty, headers=cast["admin"].bearer)
    assert done.status_code == 200
    with app.app_context():
        assert rq_queue().count == 0


def test_agents_and_strangers_are_kept_out(cast):
    assert cast["agent"].browser.get("/admin/rq/").status_code == 403
    stranger = cast.anonymous().get("/admin/rq/")
    assert stranger.status_code == 302 and "/signin" in stranger.headers["Location"]
    forged = cast.anonymous().get("/admin/rq/", headers={"Authorization": "Bearer nope"})
    assert forged.status_code == 302
