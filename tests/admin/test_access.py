"""Administration is for supervisors."""

from __future__ import annotations

import pytest

PAGES = ["/admin", "/admin/prompts", "/admin/departments", "/admin/departments/billing",
         "/admin/voicemail", "/admin/agents", "/admin/agents/amy"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, people, path):
    response = client.get(path)
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_agents_are_refused(agent_browser, path):
    assert agent_browser.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_supervisors_see_every_page(supervisor, path):
    response = supervisor.get(path)
    assert response.status_code == 200
    assert 'aria-label="Administration"' in response.get_data(as_text=True)


def test_an_agent_cannot_change_anything(agent_browser):
    from tests.admin.helpers import text

    token_page = agent_browser.get("/console")
    import re

    token = re.search(r'name="csrf-token" content="([^"]+)"', text(token_page)).group(1)
    response = agent_browser.post("/admin/prompts/greeting.unknown/en",
                                  data={"csrf_token": token, "text": "Hacked"})
    assert response.status_code == 403


def test_a_form_without_the_csrf_token_changes_nothing(supervisor):
    response = supervisor.post("/admin/prompts/greeting.unknown/en", data={"text": "No token"})
    assert response.status_code in (302, 403)
    assert "No token" not in supervisor.get("/admin/prompts?lang=en").get_data(as_text=True)


def test_a_page_about_something_gone_says_so(supervisor):
    response = supervisor.get("/admin/agents/nobody")
    assert response.status_code == 404
    assert "No such agent." in response.get_data(as_text=True)
    assert supervisor.get("/admin/departments/gone").status_code == 404
