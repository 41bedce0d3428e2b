"""The agent's own words in a real browser (R9, R11): on answer the console shows the
greeting with the agent's name, the organisation and the department; Hang up asks
"anything else?" first; what the agent confirmed goes with the wrap-up."""

from __future__ import annotations

from tests.browser.test_console import expect_state, ring_through_the_menu

GREETING = ("Hello, thank you for calling Example Support, Technical support. My name is "
            "Alice Martin. How can I help you today?")
ANYTHING_ELSE = "Is there anything else I can help you with today?"


def test_the_greeting_and_anything_else_are_confirmed_and_kept(stack, sign_in, screenshot):
    from playwright.sync_api import expect

    page = sign_in("alice")
    page.get_by_test_id("go-available").click()
    expect_state(page, "Available")
    caller = ring_through_the_menu(stack, "2")  # Jordan, English, technical support
    expect(page.get_by_test_id("ringing")).to_be_visible(timeout=30_000)
    page.get_by_test_id("answer").click()
    expect_state(page, "On a call")
    caller.wait_until(lambda i: i["status"] == "in-progress" and i["activity"] == "conference",
                      what="talking to the agent")

    words = page.get_by_test_id("agent-words")
    expect(words).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("words-greeting")).to_contain_text(GREETING)
    expect(page.get_by_test_id("words-language")).to_have_text("English")
    expect(page.get_by_test_id("words-apology")).to_have_count(0)  # answered at once
    page.get_by_test_id("words-confirm-greeting").click()
    expect(page.get_by_test_id("words-said-greeting")).to_be_visible()
    screenshot(page, "console-agent-words")
    page.reload()  # the ticks survive a reload
    expect(page.get_by_test_id("words-said-greeting")).to_be_visible(timeout=15_000)

    # Hang up asks first; going back keeps the call, asking then hangs up.
    page.get_by_test_id("hangup").click()
    asked = page.get_by_test_id("anything-else")
    expect(asked).to_be_visible()
    expect(asked).to_contain_text(ANYTHING_ELSE)
    screenshot(page, "console-anything-else")
    page.get_by_test_id("anything-else-back").click()
    expect(asked).to_be_hidden()
    expect(page.get_by_test_id("call-state")).to_have_text("Talking")
    assert caller.info()["status"] == "in-progress"
    page.get_by_test_id("hangup").click()
    page.get_by_test_id("anything-else-confirm").click()

    wrapup = page.get_by_test_id("wrapup")
    expect(wrapup).to_be_visible()
    expect(page.get_by_test_id("wrapup-anything-else")).to_be_checked()
    page.get_by_test_id("wrapup-outcome").select_option("resolved")
    with page.expect_response("**/wrapup") as saved:
        page.get_by_test_id("wrapup-submit").click()
    assert saved.value.status == 200
    assert saved.value.json()["words_confirmed"] == ["greeting", "anything_else"]
    expect(wrapup).to_be_hidden()
    page.get_by_role("button", name="Offline").click()
