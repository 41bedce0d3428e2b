"""Voicemail boxes and agent accounts, managed from the pages."""

from __future__ import annotations

from app.agents import services as agents
from app.extensions import db
from app.queue import queue_services
from app.voicemail import boxes
from tests.admin.helpers import post_form, text
from tests.dashboard.conftest import PASSWORD, sign_in


def billing_box(app) -> int:
    with app.app_context():
        box = boxes.department_box("billing")
        db.session.commit()
        return box.id


def test_a_box_greeting_per_language_and_its_limits(app, supervisor):
    box_id = billing_box(app)
    page = post_form(supervisor, f"/admin/voicemail/{box_id}", {
        "name": "Billing", "max_length_seconds": "90", "callback_target_minutes": "10",
        "greeting-en": "You have reached billing. Leave your account number after the tone.",
        "greeting-hi": "", "greeting-bn": "", "greeting-ms": ""})
    assert "Box billing saved." in text(page)
    with app.app_context():
        box = boxes.find_box(box_id)
        assert box.max_length_seconds == 90 and box.callback_target_minutes == 10
        assert boxes.greeting(box, "en").startswith("You have reached billing.")
        assert boxes.greeting(box, "hi") != ""  # the shipped Hindi greeting still applies
    listing = text(supervisor.get("/admin/voicemail"))
    assert "90 s" in listing and "10 min" in listing and "billing agents" in listing


def test_a_box_limit_out_of_range_is_explained(app, supervisor):
    box_id = billing_box(app)
    page = post_form(supervisor, f"/admin/voicemail/{box_id}", {
        "name": "Billing", "max_length_seconds": "2", "callback_target_minutes": "10"})
    assert "is a whole number from 5 to 3600" in text(page)


def create_form(**overrides) -> dict:
    return {"name": "Ben Agent", "identity": "ben", "role": "agent", "password": "longenough1",
            "confirm": "longenough1", "departments": ["billing"], **overrides}


def test_a_new_agent_can_sign_in_with_their_departments(app, supervisor):
    page = post_form(supervisor, "/admin/agents", create_form())
    assert "ben can sign in now." in text(page)
    with app.app_context():
        assert agents.find_agent("ben").department_slugs == ["billing"]
    other = app.test_client()
    sign_in(other, "ben", "longenough1")
    assert other.get("/console").status_code == 200


def test_creating_an_agent_explains_what_is_wrong(supervisor):
    assert "The two passwords differ." in text(
        post_form(supervisor, "/admin/agents", create_form(confirm="different1")))
    assert "letters, digits and underscores only" in text(
        post_form(supervisor, "/admin/agents", create_form(identity="ben smith")))
    assert "An agent with this identity exists." in text(
        post_form(supervisor, "/admin/agents", create_form(identity="amy")))


def test_changing_departments_moves_an_available_agent_to_the_new_lines(app, supervisor):
    with app.app_context():
        from app.floor.models import Department

        db.session.add(Department(slug="support", name="Support", menu_key="2", settings={}))
        db.session.commit()
        queue_services().store.set_agent_state("amy", "available", ["billing"], 1000.0)
    page = post_form(supervisor, "/admin/agents/amy",
                     {"name": "Amy Agent", "role": "supervisor", "departments": ["support"],
                      "languages": ["en"]})
    assert "amy saved." in text(page)
    with app.app_context():
        store = queue_services().store
        assert agents.find_agent("amy").role == "supervisor"
        assert store.available_agents("support") == ["amy"]
        assert store.available_agents("billing") == []


def test_a_new_agent_speaks_the_languages_ticked_or_the_floors_default(app, supervisor):
    listing = supervisor.get("/admin/agents").get_data(as_text=True)
    assert 'name="languages" value="bn"' in listing
    assert 'value="en" checked' in listing  # DEFAULT_LANGUAGE is ticked to start with
    post_form(supervisor, "/admin/agents", create_form(languages=["bn", "en"]))
    post_form(supervisor, "/admin/agents", create_form(identity="cat", name="Cat"))
    with app.app_context():
        assert agents.find_agent("ben").language_codes == ["bn", "en"]
        assert agents.find_agent("cat").language_codes == [app.config["DEFAULT_LANGUAGE"]]
    assert "বাংলা, English" in text(supervisor.get("/admin/agents"))


def test_changing_languages_moves_an_available_agent_to_the_new_lines(app, supervisor):
    with app.app_context():
        queue_services().store.set_agent_state("amy", "available", ["billing"], 1000.0,
                                      languages=["en"])
    page = supervisor.get("/admin/agents/amy").get_data(as_text=True)
    assert 'name="languages" value="en" checked' in page
    assert "amy saved." in text(post_form(supervisor, "/admin/agents/amy", {
        "name": "Amy Agent", "role": "agent", "departments": ["billing"],
        "languages": ["en", "bn"]}))
    with app.app_context():
        store = queue_services().store
        assert agents.find_agent("amy").language_codes == ["en", "bn"]
        assert store.agents_for(["billing"], "bn", False) == {"amy"}
        assert store.agent("amy")["state"] == "available"
    assert "An agent speaks at least one language." in text(post_form(
        supervisor, "/admin/agents/amy",
        {"name": "Amy Agent", "role": "agent", "departments": ["billing"]}))


def test_deactivating_signs_an_agent_out_everywhere(app, supervisor):
    amy = app.test_client()
    sign_in(amy, "amy")
    api = app.test_client()  # a script on the JSON API: bearer token, no browser session
    token = api.post("/api/agents/login", json={"identity": "amy", "password": PASSWORD}
                     ).get_json()["token"]
    with app.app_context():
        queue_services().store.set_agent_state("amy", "available", ["billing"], 1000.0)

    page = post_form(supervisor, "/admin/agents/amy/deactivate", {})
    assert "deactivated and signed out everywhere" in text(page)
    assert amy.get("/console").status_code == 302  # her browser session is over
    assert api.get("/api/agents/me", headers={"Authorization": f"Bearer {token}"}
                   ).status_code == 401
    with app.app_context():
        assert queue_services().store.agent("amy")["state"] == "offline"
    fresh = app.test_client()
    response = fresh.post("/signin", data={"identity": "amy", "password": PASSWORD})
    assert response.status_code != 302

    post_form(supervisor, "/admin/agents/amy/reactivate", {})
    sign_in(app.test_client(), "amy")


def test_a_supervisor_cannot_deactivate_themselves_or_someone_on_a_call(app, supervisor):
    assert "You cannot deactivate your own account." in text(
        post_form(supervisor, "/admin/agents/sam/deactivate", {}))
    with app.app_context():
        store = queue_services().store
        store.set_agent_state("amy", "available", ["billing"], 1000.0)
        store.redis.hset(store.keys.agent("amy"), mapping={"state": "on_call"})
    assert "Amy Agent is on a call" in text(
        post_form(supervisor, "/admin/agents/amy/deactivate", {}))


def test_a_password_reset_works_at_once_and_revokes_old_tokens(app, supervisor):
    api = app.test_client()
    token = api.post("/api/agents/login", json={"identity": "amy", "password": PASSWORD}
                        ).get_json()["token"]
    assert "The two passwords differ." in text(post_form(
        supervisor, "/admin/agents/amy/password", {"password": "newpassword1",
                                                    "confirm": "newpassword2"}))
    page = post_form(supervisor, "/admin/agents/amy/password",
                     {"password": "newpassword1", "confirm": "newpassword1"})
    assert "password is reset" in text(page)
    assert api.get("/api/agents/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401
    sign_in(app.test_client(), "amy", "newpassword1")
