"""Issue #7 in a real browser: the supervisor's floor, live, and the administration pages.

A supervisor watches the floor while a caller dials in: the caller appears in their queue
with the hold clock ticking, each escalation step shows as it fires (the feed and the
ladder chips), and a reassignment from the dialog moves them to another queue, all without
a page reload.
"""

from __future__ import annotations

import re
import time

import requests

from tests.browser.harness import PASSWORD, Caller

RAHIM = "+8801712345678"  # demo customer, Bengali


def agent_api(stack, identity: str) -> requests.Session:
    """An agent on the JSON API (bearer token), as a script or softphone would be."""
    api = requests.Session()
    login = api.post(f"{stack.url}/api/agents/login",
                     json={"identity": identity, "password": PASSWORD}, timeout=10)
    login.raise_for_status()
    api.headers["Authorization"] = f"Bearer {login.json()['token']}"
    return api


def test_the_floor_shows_a_caller_waiting_and_each_step_firing_live(stack, sign_in, screenshot):
    from playwright.sync_api import expect

    # Bob (support) is signed in but away: a caller for support waits for him.
    bob = agent_api(stack, "bob")
    bob.post(f"{stack.url}/api/agents/me/state", json={"state": "away", "reason": "training"},
             timeout=10).raise_for_status()
    page = sign_in("sam", landing="**/supervisor")
    expect(page.locator("#live")).to_have_text("Live")
    agents = page.locator("#panel-agents")
    expect(agents.locator('tr[data-agent="bob"]')).to_contain_text("away")
    expect(agents.locator('tr[data-agent="bob"]')).to_contain_text("training")

    caller = Caller(stack, RAHIM)
    try:
        caller.wait_until(lambda i: i["activity"] == "gather", what="at the menu")
        caller.press("2")  # technical support

        # The caller appears in the support queue, without a reload, with their clock running.
        row = page.locator(f'[data-queue="support"] tr[data-call="{caller.sid}"]')
        expect(row).to_be_visible(timeout=20_000)
        expect(row).to_contain_text("Rahim")
        expect(page.get_by_test_id("waiting-count")).to_have_text("1")
        clock = row.locator(".clock")
        first = clock.text_content()
        expect(clock).not_to_have_text(first, timeout=3_000)  # ticking in the browser
        feed = page.locator("#feed")
        expect(feed).to_contain_text("Rahim: apology and position announced at 0 s")
        expect(row.locator(".step-announce.fired")).to_be_visible()

        # The 20-second step fires while we watch: the chip fills in, the feed says so.
        expect(row.locator(".step-raise_priority.fired")).to_be_visible(timeout=30_000)
        expect(feed).to_contain_text("Rahim: priority raised at 20 s")
        expect(row.locator(".step-offer")).not_to_have_class(re.compile(r"\bfired\b"))
        screenshot(page, "dashboard")

        # Reassign from the dialog: the caller moves to the sales queue.
        row.get_by_role("button", name="Reassign").click()
        dialog = page.locator("#reassign-dialog")
        expect(dialog).to_be_visible()
        dialog.locator("select[name=department]").select_option("sales")
        screenshot(page, "dashboard-reassign")
        dialog.get_by_role("button", name="Reassign").click()
        moved = page.locator(f'[data-queue="sales"] tr[data-call="{caller.sid}"]')
        expect(moved).to_be_visible(timeout=15_000)
        expect(row).to_be_hidden()
    finally:
        caller.hangup()
        bob.post(f"{stack.url}/api/agents/me/state", json={"state": "offline"}, timeout=10)
    expect(page.locator(f'tr[data-call="{caller.sid}"]')).to_have_count(0, timeout=15_000)
    expect(page.locator("#feed")).to_contain_text("Rahim hung up after waiting")


def test_administration_pages_look_like_a_product(stack, sign_in, screenshot):
    from playwright.sync_api import expect

    page = sign_in("sam", landing="**/supervisor")
    page.goto(f"{stack.url}/admin")
    expect(page.get_by_role("heading", name="Administration", exact=True)).to_be_visible()
    screenshot(page, "admin")

    page.goto(f"{stack.url}/admin/departments/support")
    expect(page.locator("#ladder")).to_contain_text("Escalation ladder")
    # A ladder without an offer is refused, with the reason, and the rows stay as typed.
    for index in range(8):
        select = page.locator(f"select[name=step-{index}-action]")
        if select.count() and select.input_value() == "offer":
            select.select_option("")
    page.get_by_role("button", name="Save ladder").click()
    expect(page.locator("#flashes")).to_contain_text("needs an 'offer' step before 60 s")
    page.locator("#ladder").scroll_into_view_if_needed()
    screenshot(page, "admin-ladder")

    page.goto(f"{stack.url}/admin/prompts?lang=hi")
    expect(page.locator("textarea[name=text]").first).to_be_visible()
    screenshot(page, "admin-prompts")

    page.goto(f"{stack.url}/admin/agents")
    expect(page.locator("table")).to_contain_text("Alice Martin")
    screenshot(page, "admin-agents")


def test_a_supervisor_listens_then_whispers_on_a_live_call(stack, sign_in, screenshot):
    from playwright.sync_api import expect

    # Bob's softphone answers by itself after a second (the emulator plays it).
    stack.sim("POST", "/softphones", {"identity": "bob", "answer_after": 1})
    bob = agent_api(stack, "bob")
    bob.post(f"{stack.url}/api/agents/me/state", json={"state": "available"},
             timeout=10).raise_for_status()
    page = sign_in("sam", landing="**/supervisor")
    caller = Caller(stack, RAHIM)
    try:
        caller.wait_until(lambda i: i["activity"] == "gather", what="at the menu")
        caller.press("2")  # technical support: Bob
        row = page.locator(f'#panel-calls tr[data-call="{caller.sid}"]')
        expect(row).to_contain_text("talking", timeout=30_000)
        expect(row).to_contain_text("bob")
        expect(page.locator("#feed")).to_contain_text("bob answered Rahim")

        row.get_by_role("button", name="Listen").click()
        bar = page.get_by_test_id("monitor-bar")
        expect(bar).to_contain_text("Listening to the call with Rahim")
        # The supervisor's (emulated) softphone is rung into the caller's room and answered.
        deadline = time.monotonic() + 20
        while not any(e["kind"] == "conference" for e in stack.sim(
                "GET", "/parties/client:sam/events?since=0")["events"]):
            assert time.monotonic() < deadline, "the supervisor's softphone never joined"
            time.sleep(0.3)
        screenshot(page, "dashboard-monitor")
        row.get_by_role("button", name="Whisper").click()
        expect(bar).to_contain_text("Whispering to the agent on the call with Rahim")
        bar.get_by_role("button", name="Leave").click()
        expect(page.get_by_test_id("monitor-bar")).to_have_count(0)
        page.locator("#figures").scroll_into_view_if_needed()
        screenshot(page, "dashboard-today")
    finally:
        caller.hangup()
        stack.sim("DELETE", "/softphones/bob")
        for _ in range(20):  # wrap-up follows the call; then Bob may sign out
            if bob.post(f"{stack.url}/api/agents/me/state", json={"state": "offline"},
                        timeout=10).status_code == 200:
                break
            time.sleep(0.5)
