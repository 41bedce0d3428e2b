"""/metrics: what a Prometheus scrape sees while callers wait, escalate and are answered."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import call_params
from tests.flows.conftest import ASHA, NUMBER


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def choose(floor, number: str = ASHA, key: str = "1"):
    call = floor.emu.dial_in(number, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press(key)
    floor.wait_until(lambda: call.in_conference, timeout=60)
    return call


def test_queue_waits_escalations_and_answers_as_a_scrape_sees_them(floor):
    client = floor.app.test_client()
    before = scrape(client)
    floor.agent("amy", ["billing"], state="away")  # signed in, so the caller waits
    call = choose(floor)
    floor.wait(25)

    waiting = scrape(client)
    assert value(waiting, "callcentre_queue_depth", department="billing") == 1
    assert value(waiting, "callcentre_queue_depth", department="sales") == 0
    assert 24 <= value(waiting, "callcentre_queue_longest_wait_seconds",
                       department="billing") <= 40
    assert value(waiting, "callcentre_agents", state="away") == 1
    # The default ladder's steps due by 25 s: announce at 0 s, raise priority at 20 s.
    assert value(waiting, "callcentre_escalations_total", step="announce") == 1
    assert value(waiting, "callcentre_escalations_total", step="raise_priority") == 1
    assert value(waiting, "callcentre_escalations_total", step="widen") == 0
    assert value(waiting, "callcentre_hold_clock_lag_seconds") < 2  # the clock keeps up
    route = value(waiting, "callcentre_webhook_duration_seconds_count",
                  route="ivr.incoming", outcome="ok")
    assert route >= 1 + value(before, "callcentre_webhook_duration_seconds_count",
                              route="ivr.incoming", outcome="ok")

    floor.wait(10)  # widen at 30 s
    again, third = scrape(client), scrape(client)
    # Counters only go up, and a second scrape does not count an escalation twice.
    for scraped in (again, third):
        assert value(scraped, "callcentre_escalations_total", step="announce") == 1
        assert value(scraped, "callcentre_escalations_total", step="widen") == 1
    assert value(again, "callcentre_queue_depth", department="billing") == 1
    assert call.in_conference


def test_answered_waits_land_in_the_histogram(floor):
    client = floor.app.test_client()
    amy = floor.agent("amy", ["billing"], state="away")
    call = choose(floor)
    floor.wait(12)
    floor.set_state("amy", ["billing"], "available")
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    amy.answer()
    floor.wait_until(lambda: floor.call_state(call.sid).get("state") == "connected", timeout=30)
    samples = scrape(client)
    assert value(samples, "callcentre_answered_wait_seconds_count") == 1
    assert value(samples, "callcentre_answered_wait_seconds_bucket", le="10.0") == 0
    assert value(samples, "callcentre_answered_wait_seconds_bucket", le="20.0") == 1
    assert value(samples, "callcentre_queue_depth", department="billing") == 0


def test_errors_and_forged_webhooks_are_counted(app, client, signed_post, monkeypatch):
    before = scrape(client)
    client.post("/ivr/incoming", data=call_params(), headers={"X-Twilio-Signature": "x"})
    monkeypatch.setattr("app.ivr.flow.CallFlow.incoming",
                        lambda self, call: (_ for _ in ()).throw(RuntimeError("down")))
    signed_post("/ivr/incoming", call_params())
    after = scrape(client)
    for kind in ("signature_rejected", "webhook_fallback"):
        assert value(after, "callcentre_errors_total", kind=kind, route="ivr.incoming") == \
            value(before, "callcentre_errors_total", kind=kind, route="ivr.incoming") + 1


def test_callback_backlog_by_box(app, client):
    from datetime import timedelta

    from app.clock import now
    from app.extensions import db
    from app.voicemail.models import Callback, VoicemailBox

    with app.app_context():
        box = VoicemailBox(slug="general", name="General")
        db.session.add(box)
        db.session.flush()
        for due in (now() - timedelta(minutes=5), now() + timedelta(minutes=10)):
            db.session.add(Callback(kind="voicemail", status="open", box=box, due_at=due))
        db.session.add(Callback(kind="voicemail", status="closed", box=box, due_at=now()))
        db.session.commit()
    samples = scrape(client)
    assert value(samples, "callcentre_callbacks_open", box="general") == 2
    assert value(samples, "callcentre_callbacks_overdue", box="general") == 1


def test_metrics_token_when_set(app, client):
    app.config["METRICS_TOKEN"] = "scrape-me-please"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    scrape(client, Authorization="Bearer scrape-me-please")
    scrape(client, Authorization="Bearer dev-admin-token")


def test_several_worker_processes_add_up_in_multiprocess_mode(tmp_path):
    """gunicorn with several workers: each writes its own files; any one of them answers
    the scrape with the sum."""
    script = textwrap.dedent("""
        import sys
        from app.observability.metrics import exposition, observe_webhook
        if sys.argv[1] == "serve":
            for _ in range(int(sys.argv[2])):
                with observe_webhook("queue.wait"):
                    pass
        else:
            sys.stdout.write(exposition().decode())
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in (3, 4):
        subprocess.run([sys.executable, "-c", script, "serve", str(count)], env=env, check=True,
                       cwd=os.getcwd(), timeout=60)
    out = subprocess.run([sys.executable, "-c", script, "scrape"], env=env, check=True,
                         capture_output=True, text=True, timeout=60).stdout
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in text_string_to_metric_families(out) for s in f.samples}
    assert samples[("callcentre_webhook_duration_seconds_count",
                    (("outcome", "ok"), ("route", "queue.wait")))] == 7
