"""Nobody ignored (R14), in a real browser: a caller who hangs up while waiting appears in
the console's callback list as a missed call. The department's threshold is lowered to 2 s
through the departments API so the real-time wait stays short."""

from __future__ import annotations

import time

import requests

from tests.browser.test_console import JORDAN, expect_state, ring_through_the_menu

OPERATOR = {"Authorization": "Bearer dev-admin-token"}  # ADMIN_API_TOKEN in development


def set_threshold(stack, seconds: int) -> None:
    response = requests.patch(f"{stack.url}/api/departments/support", headers=OPERATOR,
                              json={"missed_call_after_seconds": seconds}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["missed_call_after_seconds"] == seconds


def test_a_caller_who_hangs_up_waiting_is_in_the_callback_list(stack, sign_in, screenshot):
    from playwright.sync_api import expect

    set_threshold(stack, 2)
    try:
        page = sign_in("alice")
        page.get_by_test_id("go-away").click()  # signed in, busy: the caller waits in line
        expect_state(page, "Away")
        caller = ring_through_the_menu(stack, "2")
        caller.wait_until(lambda i: i["activity"] == "conference", what="waiting in line")
        time.sleep(4)  # real time: longer than the department's 2 s
        caller.hangup()
        caller.wait_until(lambda i: i["status"] == "completed", what="hung up")

        row = page.get_by_test_id("callback-row").filter(has_text="Jordan")
        for _ in range(20):  # the hang-up's news reaches the app a moment later
            page.get_by_role("button", name="Refresh").click()
            if row.count():
                break
            page.wait_for_timeout(500)
        expect(row).to_contain_text(JORDAN)
        expect(row.get_by_test_id("callback-hung-up")).to_have_text("Hung up while waiting")
        expect(row).to_contain_text("Technical support")
        screenshot(page, "console-missed-call")

        # Cleared here, so the other browser tests start with an empty list.
        row.get_by_test_id("callback-clear").click()
        row.get_by_test_id("callback-outcome").select_option("reached")
        row.get_by_test_id("callback-clear-save").click()
        expect(row).to_have_count(0)
        page.get_by_role("button", name="Offline").click()
    finally:
        set_threshold(stack, 20)
