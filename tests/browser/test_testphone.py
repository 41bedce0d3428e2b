"""Issue #7 in a real browser: the test phone dials in, reads the greeting, presses a key."""

from __future__ import annotations

NURUL = "+60123456789"  # demo customer, Malay


def test_the_test_phone_hears_the_greeting_and_presses_a_key(stack, sign_in, screenshot):
    from playwright.sync_api import expect

    page = sign_in("bob")  # a newcomer playing the caller in a second tab
    page.goto(f"{stack.url}/test-phone")
    page.locator(f'.chip[data-number="{NURUL}"]').click()
    expect(page.locator("#from")).to_have_value(NURUL)
    page.locator("#dial").click()

    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("Helo Nurul Aisyah", timeout=20_000)  # in Malay
    expect(page.locator("#prompting")).to_be_visible(timeout=30_000)  # the menu listens
    says_before = transcript.locator(".heard-say").count()
    page.locator('.key[data-key="2"]').click()
    expect(transcript).to_contain_text("You pressed 2")
    expect(transcript.locator(".heard-say")).not_to_have_count(says_before, timeout=20_000)
    screenshot(page, "test-phone")

    page.locator("#hangup").click()
    expect(page.locator("#status")).to_have_text("completed", timeout=15_000)
    expect(page.locator("#again")).to_be_visible()
