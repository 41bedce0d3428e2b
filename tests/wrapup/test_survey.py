"""The post-call survey through the emulator: the agent hangs up, the caller rates the call."""

from __future__ import annotations

from app.wrapup.models import SurveyResponse
from sim.testing import assert_heard, assert_not_heard

HINDI_QUESTION = "आज आपको मिली सहायता से आप कितने संतुष्ट हैं"
HINDI_THANKS = "आपकी रेटिंग के लिए धन्यवाद"
HINDI_RETRY = "क्षमा करें, कृपया 1 से 5 के बीच कोई बटन दबाएँ।"
HINDI_GOODBYE = "कॉल करने के लिए धन्यवाद। नमस्कार।"


def enable_survey(floor, department: str = "billing", enabled: bool = True) -> None:
    floor.agent("sue", ["billing"], role="supervisor", state="away")
    response = floor.api("PUT", f"/api/wrapup/surveys/{department}", "sue",
                         json={"enabled": enabled})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"department": department, "enabled": enabled}


def test_the_caller_rates_the_call_after_the_agent_hangs_up(floor):
    enable_survey(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    amy.hangup()
    floor.wait_until(lambda: call.gathering, timeout=20)
    assert_heard(call, HINDI_QUESTION)
    assert not call.ended  # the caller stays on the line for the question
    call.press("4")
    floor.wait_until(lambda: call.ended, timeout=20)
    assert_heard(call, HINDI_THANKS)
    [row] = floor.rows(SurveyResponse)
    assert (row.rating, row.status) == (4, "answered")
    interaction = floor.interaction(call.sid)
    assert row.interaction_id == interaction.id
    assert [e.detail for e in interaction.events if e.kind == "survey_answered"] == [{"rating": 4}]
    # The agent is in wrap-up meanwhile, as after any call.
    assert floor.agent_state("amy")["state"] == "wrap_up"


def test_no_key_is_asked_once_more_then_goodbye_with_no_rating(floor):
    enable_survey(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    amy.hangup()
    floor.wait_until(lambda: call.gathering, timeout=20)
    floor.wait_until(lambda: call.has_heard(HINDI_RETRY), timeout=30)
    call.press("9")  # not a rating: no third question
    floor.wait_until(lambda: call.ended, timeout=30)
    assert call.heard_text().count(HINDI_QUESTION) == 2
    assert_heard(call, HINDI_GOODBYE)
    [row] = floor.rows(SurveyResponse)
    assert (row.rating, row.status) == (None, "no_answer")


def test_a_department_without_a_survey_just_says_goodbye(floor):
    enable_survey(floor, "support")  # another department's survey
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    amy.hangup()
    floor.wait_until(lambda: call.ended, timeout=20)
    assert_heard(call, HINDI_GOODBYE)
    assert_not_heard(call, HINDI_QUESTION)
    assert floor.rows(SurveyResponse) == []


def test_a_caller_who_hangs_up_is_not_surveyed(floor):
    enable_survey(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    call.hangup()
    floor.wait(3)
    assert_not_heard(call, HINDI_QUESTION)
    assert floor.rows(SurveyResponse) == []
    assert floor.agent_state("amy")["state"] == "wrap_up"


def test_agents_may_not_switch_surveys(floor):
    floor.agent("amy", ["billing"])
    response = floor.api("PUT", "/api/wrapup/surveys/billing", "amy", json={"enabled": True})
    assert response.status_code == 403
    assert response.get_json()["error"]["id"] == "forbidden"


def test_the_hang_up_button_also_leads_to_the_survey(floor):
    enable_survey(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    response = floor.api("POST", f"/api/calls/{call.sid}/hangup", "amy", json={})
    assert response.status_code == 200, response.get_json()
    floor.wait_until(lambda: call.gathering, timeout=20)
    call.press("5")
    floor.wait_until(lambda: call.ended, timeout=20)
    assert_heard(call, HINDI_THANKS)
    assert [r.rating for r in floor.rows(SurveyResponse)] == [5]


def test_a_survey_answer_for_a_call_never_asked_is_a_polite_goodbye(app, signed_post):
    from tests.conftest import call_params, parse_twiml

    root = parse_twiml(signed_post("/wrapup/survey?call=CA404&lang=ms&attempt=1",
                                   call_params(CallSid="CA404", Digits="3")))
    assert [el.tag for el in root] == ["Say", "Hangup"]
    assert root[0].text == "Terima kasih kerana menghubungi kami. Selamat tinggal."


def test_the_cli_switches_a_departments_survey(floor):
    runner = floor.app.test_cli_runner()
    result = runner.invoke(args=["wrapup", "survey", "billing", "on"])
    assert result.exit_code == 0 and "billing: survey on" in result.output
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    amy.hangup()
    floor.wait_until(lambda: call.gathering, timeout=20)
    assert_heard(call, HINDI_QUESTION)
    assert runner.invoke(args=["wrapup", "survey", "nowhere", "on"]).exit_code != 0
