"""Sign-in, sessions, CSRF and the failed sign-in limit, as a browser meets them."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from tests.web.conftest import PASSWORD, page_csrf, sign_in


def test_sign_in_page_has_a_form_with_a_csrf_token(client, people):
    response = client.get("/signin")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="identity"' in html and 'type="password"' in html
    assert f'name="csrf_token" value="{page_csrf(response)}"' in html


def test_agent_signs_in_lands_on_the_console_and_sees_their_name(client, people):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console"
    page = client.get("/console").get_data(as_text=True)
    assert "Amy Agent" in page
    # Agents get no link to the supervisors' pages.
    assert 'href="/supervisor"' not in page


def test_supervisor_lands_on_the_floor(client, people):
    response = sign_in(client, "sam")
    assert response.headers["Location"] == "/supervisor"


def test_the_session_cookie_is_http_only_and_same_site(client, people):
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Only two random strings travel in the cookie; the password never does.
    assert PASSWORD not in cookie


def test_next_brings_the_agent_back_but_only_to_this_site(client, people):
    assert client.get("/console").headers["Location"] == "/signin?next=/console"
    assert sign_in(client, next="/console?tab=callbacks").headers["Location"] == \
        "/console?tab=callbacks"
    client.post("/signout", data={"csrf_token": page_csrf(client.get("/console"))})
    assert sign_in(client, next="//evil.example/").headers["Location"] == "/console"


def test_wrong_password_shows_the_form_again_with_a_message(client, people):
    response = sign_in(client, password="nope nope")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Unknown identity or wrong password." in html
    assert 'value="amy"' in html  # the identity stays filled in
    assert client.get("/console").status_code == 302


def test_unknown_identity_gets_the_same_answer(client, people):
    response = sign_in(client, identity="nobody")
    assert response.status_code == 401
    assert "Unknown identity or wrong password." in response.get_data(as_text=True)


def test_sign_in_without_the_forms_csrf_token_is_refused(client, people):
    client.get("/signin")
    response = client.post("/signin", data={"identity": "amy", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/console").status_code == 302


def test_five_failures_lock_the_identity_for_the_window(client, people):
    with freeze_time("2026-03-02 09:00:00") as frozen:
        for _ in range(5):
            assert sign_in(client, password="wrong wrong").status_code == 401
        # Even the right password is refused now, with the time to wait.
        response = sign_in(client)
        assert response.status_code == 429
        assert "Too many failed sign-ins" in response.get_data(as_text=True)
        assert 0 < int(response.headers["Retry-After"]) <= 900
        # Another identity from the same address is not locked out by Amy's failures.
        assert sign_in(client, "sam").status_code == 302
        client.post("/signout", data={"csrf_token": page_csrf(client.get("/console"))})
        frozen.tick(timedelta(minutes=16))
        assert sign_in(client).status_code == 302


def test_a_success_forgets_the_identitys_failures(client, people):
    with freeze_time("2026-03-02 09:00:00"):
        for _ in range(4):
            sign_in(client, password="wrong wrong")
        assert sign_in(client).status_code == 302
        client.post("/signout", data={"csrf_token": page_csrf(client.get("/console"))})
        for _ in range(4):
            assert sign_in(client, password="wrong wrong").status_code == 401
        assert sign_in(client).status_code == 302


def test_sign_out_needs_the_csrf_token_then_ends_the_session(amy_browser):
    client, token = amy_browser
    refused = client.post("/signout", data={})
    assert refused.status_code in (302, 403)
    assert client.get("/console").status_code == 200  # still signed in
    response = client.post("/signout", data={"csrf_token": token})
    assert response.headers["Location"] == "/signin"
    assert "You are signed out." in client.get("/signin").get_data(as_text=True)
    assert client.get("/console").status_code == 302


def test_a_stolen_cookie_is_worthless_after_sign_out(app, amy_browser):
    client, token = amy_browser
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.post("/signout", data={"csrf_token": token})
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert thief.get("/api/agents/me").status_code == 401


def test_the_api_accepts_the_session_cookie(amy_browser):
    client, _ = amy_browser
    response = client.get("/api/agents/me")
    assert response.status_code == 200
    assert response.get_json()["identity"] == "amy"


def test_api_state_changes_by_cookie_need_the_csrf_header(amy_browser):
    client, token = amy_browser
    refused = client.post("/api/agents/me/state", json={"state": "available"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["id"] == "csrf_failed"
    forged = client.post("/api/agents/me/state", json={"state": "available"},
                         headers={"X-CSRF-Token": "guessed"})
    assert forged.status_code == 403
    response = client.post("/api/agents/me/state", json={"state": "available"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert response.get_json()["state"] == "available"


def test_bearer_tokens_work_as_before_without_csrf(client, people):
    token = client.post("/api/agents/login",
                        json={"identity": "amy", "password": PASSWORD}).get_json()["token"]
    response = client.post("/api/agents/me/state", json={"state": "available"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_an_agent_is_refused_a_supervisor_page(app, client, people):
    from app.auth import login_required

    @login_required(role="supervisor")
    def floor():
        return "the floor"

    app.add_url_rule("/test-only-floor", "test_only_floor", floor)
    sign_in(client)
    response = client.get("/test-only-floor")
    assert response.status_code == 403
    assert "This page is for supervisors" in response.get_data(as_text=True)
    client.post("/signout", data={"csrf_token": page_csrf(client.get("/console"))})
    sign_in(client, "sam")
    assert client.get("/test-only-floor").get_data(as_text=True) == "the floor"


def test_signing_out_sets_the_agent_offline(amy_browser):
    client, token = amy_browser
    client.post("/api/agents/me/state", json={"state": "available"},
                headers={"X-CSRF-Token": token})
    client.post("/signout", data={"csrf_token": token})
    sign_in(client)
    assert client.get("/api/agents/me").get_json()["state"] == "offline"


def test_a_deactivated_agent_is_signed_out_at_once(app, amy_browser):
    from app.agents.services import find_agent
    from app.extensions import db

    client, _ = amy_browser
    with app.app_context():
        find_agent("amy").active = False
        db.session.commit()
    assert client.get("/console").status_code == 302
    assert client.get("/api/agents/me").status_code == 401
