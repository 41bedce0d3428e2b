"""Issue 17, language as a skill, in a real browser: the floor shows a Bengali caller's
language and that nobody free could take them; the console of the English-only agent who
gets them after the ladder's any_language step (20 s) shows the language, big, and that it
is not one of theirs."""

from __future__ import annotations

import requests

from config.settings import declared_default
from tests.browser.harness import Caller
from tests.browser.test_dashboard import RAHIM, agent_api
from tests.conftest import EVERY_LANGUAGE


def set_languages(stack, identity: str, languages: list[str]) -> None:
    response = requests.put(
        f"{stack.url}/api/agents/{identity}/languages", json={"languages": languages},
        headers={"Authorization": f"Bearer {declared_default('ADMIN_API_TOKEN')}"}, timeout=10)
    response.raise_for_status()


def test_a_bengali_callers_language_on_the_floor_and_the_console(stack, sign_in, screenshot):
    from playwright.sync_api import expect

    bob = agent_api(stack, "bob")
    bob.post(f"{stack.url}/api/agents/me/state", json={"state": "away", "reason": "training"},
             timeout=10).raise_for_status()
    set_languages(stack, "alice", ["en"])
    floor = sign_in("sam", landing="**/supervisor")
    console = sign_in("alice")
    caller = Caller(stack, RAHIM)
    try:
        console.get_by_test_id("go-available").click()
        expect(console.get_by_test_id("agent-state")).to_have_text("Available")
        caller.wait_until(lambda i: i["activity"] == "gather", what="at the menu")
        caller.press("2")  # technical support: Alice (English only) is free, Bob is away

        row = floor.locator(f'[data-queue="support"] tr[data-call="{caller.sid}"]')
        expect(row).to_be_visible(timeout=20_000)
        expect(row.get_by_test_id("caller-language")).to_contain_text("বাংলা")
        could_take = row.get_by_test_id("could-take")
        expect(could_take).to_have_attribute("data-count", "0")
        expect(could_take).to_have_text("none")
        expect(floor.locator('#panel-agents tr[data-agent="alice"]')).to_contain_text("EN")
        screenshot(floor, "dashboard-language")
        expect(console.get_by_test_id("ringing")).to_be_hidden()

        # At 20 s any agent of support may take him: Alice's phone rings.
        ringing = console.get_by_test_id("ringing")
        expect(ringing).to_be_visible(timeout=30_000)
        expect(console.get_by_test_id("ringing-language")).to_have_text("Speaks বাংলা")
        badge = console.get_by_test_id("caller-language")
        expect(badge).to_have_text("বাংলা · BN")
        expect(badge).to_have_attribute("lang", "bn")
        expect(console.get_by_test_id("language-not-yours")).to_contain_text(
            "Not one of your languages")
        screenshot(console, "console-language")
        # Reject: the caller goes back in line (and hangs up below), Alice is away.
        console.get_by_test_id("reject").click()
        expect(ringing).to_be_hidden(timeout=15_000)
    finally:
        caller.hangup()
        set_languages(stack, "alice", EVERY_LANGUAGE)
        for identity in ("alice", "bob"):
            agent_api(stack, identity).post(f"{stack.url}/api/agents/me/state",
                                            json={"state": "offline"}, timeout=10)
