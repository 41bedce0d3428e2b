"""Issue #7, item 6, as one story in a real browser, every role on screen at once.

Four browser contexts: Sam the supervisor watches the floor throughout; Alice and Bob work
their consoles; a newcomer plays the caller on the test phone page (typing the number,
reading the prompts, pressing keys: nothing on the caller's side goes through the
emulator's control API). Each step is asserted where a user sees it, and the floor is
checked after each one, live (the page is never reloaded).

The story: Alice signs in, goes available, steps away for a break; Jordan dials in on the
test phone and waits in the support queue with his hold clock ticking; Alice comes back and
her console rings with the screen-pop; she answers, warm-transfers him to Bob, who answers
in his own console; she completes and wraps up; Jordan hangs up on Bob. Then everyone of
sales has gone home: a new caller leaves a message, which appears in Alice's callback list
and the floor's backlog; she plays it, claims it and clears it, and it leaves both lists.
"""

from __future__ import annotations

import re

JORDAN = "+12025550143"  # demo customer, English, account 100004
NEW_CALLER = "+14155550123"  # nobody on file: greeted in English, asked for a language
MESSAGE = ("Hello, this is Morgan. I would like to hear about your family plans for three "
           "phones. Please call me back this afternoon.")
# Alice's wrap-up notes after handing Jordan over.
NOTES = "Wants a faster plan; Bob in support takes the router question."


def test_a_call_from_the_test_phone_to_a_transfer_a_wrap_up_and_a_voicemail(
        stack, sign_in, screenshot):
    from playwright.sync_api import expect

    def expect_state(page, label: str, timeout: float = 15_000) -> None:
        expect(page.get_by_test_id("agent-state")).to_have_text(label, timeout=timeout)

    # --- The supervisor opens the floor and keeps it open. ---------------------------------
    floor = sign_in("sam", landing="**/supervisor")
    expect(floor.locator("#live")).to_have_text("Live")
    agents_panel = floor.locator("#panel-agents")

    def floor_agent(identity: str):
        return agents_panel.locator(f'tr[data-agent="{identity}"]')

    # --- Alice signs in, goes available, then steps away. ----------------------------------
    alice = sign_in("alice")
    expect(alice.get_by_test_id("softphone")).to_contain_text("Emulator · ready")
    alice.get_by_test_id("go-available").click()
    expect_state(alice, "Available")
    expect(floor_agent("alice")).to_contain_text("available")
    alice.get_by_label("Reason for being away").select_option("Break")
    alice.get_by_test_id("go-away").click()
    expect_state(alice, "Away")
    expect(floor_agent("alice")).to_contain_text("away")
    expect(floor_agent("alice")).to_contain_text("Break")

    # --- Jordan dials in on the test phone page. -------------------------------------------
    phone = sign_in("sam", landing="**/supervisor")  # a newcomer's tab; any sign-in will do
    phone.goto(f"{stack.url}/test-phone")
    phone.locator("#from").fill(JORDAN)
    phone.locator("#dial").click()
    transcript = phone.locator("#transcript")
    expect(phone.locator("#calling-as")).to_have_text(JORDAN)
    expect(transcript).to_contain_text("Hello Jordan", timeout=20_000)
    expect(transcript).to_contain_text("Please choose a department", timeout=20_000)
    expect(phone.locator("#prompting")).to_be_visible(timeout=20_000)
    phone.locator('.key[data-key="2"]').click()  # technical support
    expect(transcript).to_contain_text("You pressed 2")
    sid = phone.locator("#call-sid").inner_text().strip()
    assert sid.startswith("CA")

    # The floor: Jordan waits in the support queue, his hold clock ticking in the browser.
    waiting = floor.locator(f'[data-queue="support"] tr[data-call="{sid}"]')
    expect(waiting).to_be_visible(timeout=20_000)
    expect(waiting).to_contain_text("Jordan")
    expect(waiting).to_contain_text("waiting")
    clock = waiting.locator(".clock")
    expect(clock).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(clock).not_to_have_text(clock.inner_text(), timeout=5_000)
    expect(floor.get_by_test_id("waiting-count")).to_have_text("1")
    expect(floor.locator("#feed")).to_contain_text("Jordan")
    screenshot(floor, "story-floor-waiting")

    # --- Alice comes back: her console rings with the screen-pop. --------------------------
    alice.get_by_test_id("go-available").click()
    ringing = alice.get_by_test_id("ringing")
    expect(ringing).to_be_visible(timeout=30_000)
    expect(ringing).to_contain_text("Jordan")
    expect(alice.get_by_test_id("screen-pop")).to_contain_text("100004")
    expect(alice.get_by_test_id("caller-number")).to_contain_text(JORDAN)
    expect(alice.get_by_test_id("caller-number")).to_contain_text("Technical support")
    expect(waiting).to_contain_text("ringing alice")
    screenshot(alice, "story-console-ringing")

    # --- Alice answers: the floor has them talking. ----------------------------------------
    alice.get_by_test_id("answer").click()
    expect_state(alice, "On a call")
    expect(alice.get_by_test_id("softphone")).to_contain_text("On the line")
    live = floor.locator(f'#panel-calls tr[data-call="{sid}"]')
    expect(live).to_contain_text("talking", timeout=20_000)
    expect(live).to_contain_text("alice")
    expect(live).to_contain_text("Technical support")
    expect(waiting).to_have_count(0)
    expect(floor_agent("alice")).to_contain_text("on a call")
    expect(transcript).to_contain_text("Connected with", timeout=20_000)
    screenshot(phone, "story-test-phone")
    screenshot(floor, "story-floor-talking")

    # --- Bob signs in and goes available; Alice warm-transfers Jordan to him. --------------
    bob = sign_in("bob")
    bob.get_by_test_id("go-available").click()
    expect_state(bob, "Available")
    expect(floor_agent("bob")).to_contain_text("available")

    alice.get_by_test_id("transfer-open").click()
    expect(alice.get_by_test_id("transfer-form")).to_be_visible()
    alice.get_by_test_id("transfer-kind").select_option("agent")
    alice.get_by_test_id("transfer-agent").select_option("bob")
    alice.get_by_test_id("transfer-start").click()
    expect(alice.get_by_test_id("transfer-live")).to_be_visible()
    complete = alice.get_by_test_id("transfer-complete")
    expect(complete).to_be_disabled()  # until Bob has joined
    expect(live).to_contain_text("transferring", timeout=20_000)
    expect(live).to_contain_text("→ bob")

    bob_ringing = bob.get_by_test_id("ringing")
    expect(bob_ringing).to_be_visible(timeout=30_000)
    expect(bob_ringing).to_contain_text("Jordan")
    expect(complete).to_be_disabled()
    bob.get_by_test_id("answer").click()
    expect(alice.get_by_test_id("transfer-state")).to_have_text("consulting", timeout=20_000)
    expect(complete).to_be_enabled()
    expect(live).to_contain_text("→ bob")
    screenshot(floor, "story-floor-transfer")
    screenshot(alice, "story-console-transfer")
    complete.click()

    # The floor: Bob has Jordan now.
    expect(live).to_contain_text("bob", timeout=20_000)
    expect(live).to_contain_text("talking", timeout=20_000)
    expect(live).not_to_contain_text("alice")
    expect(floor_agent("bob")).to_contain_text("on a call")
    expect_state(bob, "On a call")
    expect(bob.get_by_test_id("caller-name")).to_have_text("Jordan")
    expect(phone.locator("#status")).to_have_text("in the call room")

    # --- Alice wraps up and is available again. --------------------------------------------
    wrapup = alice.get_by_test_id("wrapup")
    expect(wrapup).to_be_visible(timeout=20_000)
    expect_state(alice, "Wrap-up")
    # Jordan stays on her card for the wrap-up, but he is Bob's now: no controls for her.
    expect(alice.get_by_test_id("caller-name")).to_have_text("Jordan")
    expect(alice.get_by_test_id("call-state")).to_have_text("Ended")
    expect(alice.get_by_test_id("hangup")).to_be_hidden()
    expect(alice.get_by_test_id("hold-clock")).to_be_hidden()
    expect(floor_agent("alice")).to_contain_text("wrap up")
    alice.get_by_test_id("wrapup-notes").fill(NOTES)
    alice.get_by_test_id("wrapup-outcome").select_option("transferred")
    wrapup.get_by_text("Marketing suggestion").click()
    alice.get_by_test_id("wrapup-anything-else").check()
    screenshot(alice, "story-console-wrap-up")
    alice.get_by_test_id("wrapup-submit").click()
    expect(wrapup).to_be_hidden()
    expect_state(alice, "Available")
    expect(floor_agent("alice")).to_contain_text("available")

    # --- Jordan hangs up on the test phone; Bob wraps up. ----------------------------------
    phone.locator("#hangup").click()
    expect(phone.locator("#status")).to_have_text("completed", timeout=15_000)
    expect(live).to_have_count(0, timeout=15_000)
    expect(bob.get_by_test_id("wrapup")).to_be_visible(timeout=15_000)
    expect(floor_agent("bob")).to_contain_text("wrap up")
    bob.get_by_test_id("wrapup-outcome").select_option("resolved")
    bob.get_by_test_id("wrapup-submit").click()
    expect(bob.get_by_test_id("wrapup")).to_be_hidden()
    expect_state(bob, "Available")
    expect(floor_agent("bob")).to_contain_text("available")
    expect(floor.locator("#feed")).to_contain_text("bob is available (wrap-up submitted)")

    # --- Everyone of sales goes home; a new caller leaves a message. -----------------------
    alice.get_by_role("button", name="Offline").click()
    expect_state(alice, "Offline")
    expect(floor.locator("#panel-agents")).to_contain_text(re.compile(r"Offline:.*Alice"))

    phone.locator("#again").click()
    phone.locator("#from").fill(NEW_CALLER)
    phone.locator("#dial").click()
    expect(phone.locator("#calling-as")).to_have_text(NEW_CALLER)
    # This caller knows the menus: each key goes in as soon as its prompt starts (menus may
    # be answered while they are being spoken, as on a real phone).
    expect(transcript).to_contain_text("For English, press 1", timeout=20_000)
    phone.locator('.key[data-key="1"]').click()
    expect(transcript).to_contain_text("If you do not have one, press star", timeout=20_000)
    phone.locator('.key[data-key="*"]').click()  # no account
    expect(transcript).to_contain_text("Please choose a department", timeout=20_000)
    phone.locator('.key[data-key="3"]').click()  # sales: nobody signed in
    expect(transcript).to_contain_text("nobody in Sales can take your call", timeout=20_000)
    expect(transcript).to_contain_text("To leave a message, press 2", timeout=20_000)
    phone.locator('.key[data-key="2"]').click()  # without waiting for the rest of the menu
    expect(transcript).to_contain_text("leave your name and message after the tone",
                                       timeout=20_000)
    expect(phone.locator("#status")).to_have_text("recording", timeout=20_000)
    phone.locator("#say-text").fill(MESSAGE)
    phone.get_by_role("button", name="Say").click()
    expect(transcript).to_contain_text("You said: Hello, this is Morgan")
    # Then silence: the line ends the recording after it (the emulator has the words last as
    # long as they take to say, and a message under VOICEMAIL_MIN_SECONDS is not kept, so
    # pressing # at once would cut it short).
    expect(transcript).to_contain_text("Your message has been saved", timeout=40_000)
    expect(phone.locator("#status")).to_have_text("completed", timeout=20_000)
    screenshot(phone, "story-test-phone-message")
    voicemail_sid = phone.locator("#call-sid").inner_text().strip()
    assert voicemail_sid != sid

    # The floor's backlog has it, due within the target.
    backlog = floor.locator("#panel-callbacks")
    message_on_floor = backlog.locator("tr[data-callback]").filter(has_text=NEW_CALLER)
    expect(message_on_floor).to_be_visible(timeout=20_000)
    expect(message_on_floor).to_contain_text("voicemail")
    expect(message_on_floor).to_contain_text("Sales")
    callback_id = message_on_floor.get_attribute("data-callback")
    backlog.scroll_into_view_if_needed()
    screenshot(floor, "story-floor-callbacks")

    # Alice's console lists it with the transcription (Twilio's callback comes a few seconds
    # after the message) by itself: nobody presses Refresh and the page is never reloaded.
    # Her event stream tells the page the list changed (the activity line says so: the
    # console's 30 s poll, which might also have caught the row, writes none).
    row = alice.locator(f'[data-testid="callback-row"][data-callback="{callback_id}"]')
    expect(row).to_contain_text("family plans", timeout=10_000)
    expect(row).to_contain_text("Due")
    expect(alice.get_by_test_id("activity")).to_contain_text("New voicemail")
    screenshot(alice, "story-console-callbacks")

    # She plays it, claims it (the floor shows who has it), and clears it with an outcome.
    row.get_by_test_id("callback-play").click()
    audio = row.locator("audio")
    expect(audio).to_be_visible()
    assert (audio.get_attribute("src") or "").startswith(f"/api/callbacks/{callback_id}")
    row.get_by_test_id("callback-claim").click()
    expect(row).to_contain_text("Claimed by you")
    expect(message_on_floor).to_contain_text("alice", timeout=15_000)
    row.get_by_test_id("callback-clear").click()
    row.get_by_test_id("callback-outcome").select_option("left_message")
    row.get_by_label("Note").fill("Rang back, no answer; left the family plan prices.")
    row.get_by_test_id("callback-clear-save").click()
    expect(row).to_have_count(0)
    expect(message_on_floor).to_have_count(0, timeout=15_000)
    expect(floor.locator("#live")).to_have_text("Live")

    for page in (alice, bob):
        page.get_by_role("button", name="Offline").click()
        expect_state(page, "Offline")
    expect(floor.locator("#panel-agents")).to_contain_text(re.compile(r"Offline:.*Bob"))
