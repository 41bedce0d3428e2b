"""Prompts per language: an edit is heard on the very next call."""

from __future__ import annotations

import pytest

from tests.admin.helpers import post_form, text
from tests.conftest import PUBLIC_BASE_URL, call_params, parse_twiml, sign


@pytest.fixture
def twilio(app):
    """Twilio's side: signed webhooks from a client with no browser session."""
    phone = app.test_client()

    def post(path: str, params: dict):
        return phone.post(path, data=params,
                          headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, params)})

    return post


def greeting(post) -> str:
    root = parse_twiml(post("/ivr/incoming", call_params(From="+14155550199")))
    return " ".join(say.text or "" for say in root.iter("Say"))


def test_an_edited_greeting_is_spoken_on_the_next_call_and_can_be_reset(supervisor,
                                                                        twilio):
    assert "We are here to help." in greeting(twilio)
    page = post_form(supervisor, "/admin/prompts/greeting.unknown/en",
                     {"text": "Welcome to {organisation}, the friendliest help desk."})
    assert "Saved greeting.unknown (English). The next call hears it." in text(page)
    assert "edited" in text(page)
    assert "Welcome to Example Support, the friendliest help desk." in greeting(twilio)

    page = post_form(supervisor, "/admin/prompts/greeting.unknown/en/reset", {})
    assert "back to the shipped text" in text(page)
    assert "We are here to help." in greeting(twilio)


def test_each_language_has_its_own_tab_and_text(supervisor):
    page = text(supervisor.get("/admin/prompts?lang=hi"))
    assert 'aria-current="page">हिन्दी<' in page
    assert "नमस्ते {name}" in page
    page = text(post_form(supervisor, "/admin/prompts/greeting.known/hi",
                          {"text": "नमस्कार {name}, {organisation} में आपका स्वागत है।"}))
    assert "नमस्कार {name}, {organisation} में आपका स्वागत है।" in page


def test_an_unknown_placeholder_is_refused_with_the_reason(supervisor, twilio):
    page = post_form(supervisor, "/admin/prompts/greeting.unknown/en",
                     {"text": "Hello {customer_name}!"})
    assert "Unknown placeholder(s) {customer_name} for greeting.unknown." in text(page)
    assert "Hello" not in greeting(twilio)


def test_search_finds_prompts_by_words(supervisor):
    page = text(supervisor.get("/admin/prompts?lang=en&q=account number"))
    assert 'id="prompt-account.ask"' in page
    assert 'id="prompt-greeting.known"' not in page
