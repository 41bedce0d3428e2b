"""Who may do what: every route of the app, for anonymous, agent, another agent, supervisor
and the operator.

The routes come from app.url_map, so a route added later without an entry in EXPECTED fails
`test_every_route_has_an_expectation` until someone decides who may use it. Object-level rules
(an agent only on their own calls and callbacks) are in test_ownership.py.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.security.conftest import Cast, Person, routes, webhook_kind

PUBLIC = "public"  # anyone
AGENT = "agent"  # any signed-in agent or supervisor (bearer or session), and the operator
SOFTPHONE = "softphone"  # agents and supervisors only: it rings their softphone
SUPERVISOR = "supervisor"  # supervisors and the operator
ADMIN = "admin"  # the operator's token only
PAGE_AGENT = "page:agent"  # a browser page: signed in as an agent or supervisor
PAGE_SUPERVISOR = "page:supervisor"  # a browser page for supervisors
RQ = "rq"  # rq-dashboard: supervisors look, only the operator changes anything

# Paths with their converters written as <>. Checked: (path, method); then (path, "*");
# then the longest matching prefix in PREFIXES.
EXPECTED: dict[tuple[str, str], str] = {
    ("/", "GET"): PUBLIC,
    ("/healthz", "GET"): PUBLIC,
    ("/metrics", "GET"): PUBLIC,  # unless METRICS_TOKEN is set (tests/observability)
    ("/signin", "*"): PUBLIC,
    ("/signout", "POST"): PUBLIC,
    ("/api/openapi.json", "GET"): PUBLIC,
    ("/api/docs", "GET"): PUBLIC,
    ("/api/docs/<>", "GET"): PUBLIC,
    ("/api/agents/login", "POST"): PUBLIC,
    # agents
    ("/api/agents", "POST"): ADMIN,
    ("/api/agents", "GET"): SUPERVISOR,
    ("/api/agents/<>/languages", "PUT"): SUPERVISOR,
    ("/api/agents/logout", "POST"): AGENT,
    ("/api/agents/me", "GET"): AGENT,
    ("/api/agents/me/events", "GET"): AGENT,
    ("/api/agents/me/state", "POST"): AGENT,
    ("/api/agents/me/offer/accept", "POST"): AGENT,
    ("/api/agents/me/line/hangup", "POST"): AGENT,
    ("/api/agents/me/line/state", "POST"): AGENT,
    ("/api/agents/me/offer/reject", "POST"): AGENT,
    ("/api/agents/me/token", "GET"): AGENT,
    # callbacks
    ("/api/callbacks", "GET"): AGENT,
    ("/api/callbacks/<>", "GET"): AGENT,
    ("/api/callbacks/<>/assign", "POST"): SUPERVISOR,
    ("/api/callbacks/<>/call", "POST"): SOFTPHONE,
    ("/api/callbacks/<>/claim", "POST"): AGENT,
    ("/api/callbacks/<>/clear", "POST"): AGENT,
    ("/api/callbacks/<>/recording", "GET"): AGENT,
    ("/api/callbacks/<>/release", "POST"): AGENT,
    ("/api/callbacks/boxes", "GET"): AGENT,
    ("/api/callbacks/boxes/<>", "PATCH"): SUPERVISOR,
    # calls (call controls; an agent only on their own calls: test_ownership.py)
    ("/api/calls/<>", "GET"): AGENT,
    ("/api/calls/<>/context", "GET"): AGENT,
    ("/api/calls/<>/callbacks/<>/handled", "POST"): AGENT,
    ("/api/calls/<>/hangup", "POST"): AGENT,
    ("/api/calls/<>/hold", "POST"): AGENT,
    ("/api/calls/<>/resume", "POST"): AGENT,
    ("/api/calls/<>/transfer", "GET"): AGENT,
    ("/api/calls/<>/transfer/cancel", "POST"): AGENT,
    ("/api/calls/<>/transfer/accept", "POST"): AGENT,
    ("/api/calls/<>/transfer/reject", "POST"): AGENT,
    ("/api/calls/<>/transfer/complete", "POST"): AGENT,
    ("/api/calls/<>/transfer/three-way", "POST"): AGENT,
    ("/api/calls/<>/transfers", "POST"): AGENT,
    ("/api/calls/<>/wrapup", "POST"): AGENT,
    ("/api/calls/<>/words", "GET"): AGENT,
    # customers
    ("/api/customers", "*"): AGENT,
    ("/api/customers/<>", "*"): AGENT,
    ("/api/customers/<>/phones", "POST"): AGENT,
    ("/api/customers/<>/phones/<>", "DELETE"): AGENT,
    # operators' configuration
    ("/api/departments", "*"): ADMIN,
    ("/api/departments/<>", "*"): ADMIN,
    ("/api/departments/<>/holidays", "*"): ADMIN,
    ("/api/departments/<>/holidays/<>", "DELETE"): ADMIN,
    ("/api/prompts", "GET"): ADMIN,
    ("/api/prompts/<>/<>", "*"): ADMIN,
    # wrap-up and feedback
    ("/api/wrapup/options", "GET"): AGENT,
    ("/api/feedback", "GET"): SUPERVISOR,
    ("/api/wrapup/surveys", "GET"): SUPERVISOR,
    ("/api/wrapup/surveys/<>", "PUT"): SUPERVISOR,
    # supervision
    ("/api/supervisor/audit", "GET"): SUPERVISOR,
    ("/api/supervisor/calls", "GET"): SUPERVISOR,
    ("/api/supervisor/calls/<>/monitor", "*"): SUPERVISOR,
    ("/api/supervisor/calls/<>/reassign", "POST"): SUPERVISOR,
    ("/api/supervisor/calls/<>/take-back", "POST"): SUPERVISOR,
    # the agent console
    ("/console", "GET"): PAGE_AGENT,
    ("/console/directory", "GET"): AGENT,
    ("/console/events", "GET"): AGENT,
    ("/console/phone/call", "POST"): AGENT,
    ("/console/phone/line", "POST"): AGENT,
    ("/console/phone/<>", "POST"): AGENT,
    ("/console/phone/register", "POST"): AGENT,
    ("/console/phone/unregister", "POST"): AGENT,
    # the supervisors' floor
    ("/supervisor", "GET"): PAGE_SUPERVISOR,
    ("/supervisor/", "GET"): PAGE_SUPERVISOR,
    ("/supervisor/events", "GET"): PAGE_SUPERVISOR,
    ("/supervisor/api/figures", "GET"): SUPERVISOR,
    ("/supervisor/api/floor", "GET"): SUPERVISOR,
}
PREFIXES: dict[str, str] = {
    "/admin/rq": RQ,
    "/admin": PAGE_SUPERVISOR,  # the administration pages (supervisors)
    "/test-phone": PAGE_AGENT,  # offline only; the header offers it to agents
}


def normalised(rule: Rule) -> str:
    return re.sub(r"<[^>]+>", "<>", rule.rule)


def is_static(rule: Rule) -> bool:
    return rule.endpoint == "static" or rule.endpoint.endswith(".static") or \
        rule.rule.endswith("/favicon.ico")


def expectation(app: Flask, rule: Rule, method: str) -> str | None:
    if webhook_kind(app, rule):
        return "webhook"  # signature checks: test_webhook_signatures.py
    path = normalised(rule)
    if path.startswith("/admin/rq/"):
        return RQ  # its static files too: the dashboard is for supervisors only
    if is_static(rule):
        return PUBLIC
    found = EXPECTED.get((path, method)) or EXPECTED.get((path, "*"))
    if found:
        return found
    for prefix in sorted(PREFIXES, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "/"):
            return PREFIXES[prefix]
    return None


def test_every_route_has_an_expectation(app):
    missing = [f"{method} {rule.rule} ({rule.endpoint})" for rule, method in routes(app)
               if expectation(app, rule, method) is None]
    assert not missing, "Say who may use these routes (tests/security/test_access.py):\n" + \
        "\n".join(missing)


# -- the matrix ------------------------------------------------------------------------------

CALL_SID = "CA" + "0" * 32


def url_for_rule(rule: Rule) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, _, name = match.group(1).rpartition(":")
        if name == "instance_number":
            return "0"  # the one Redis the RQ dashboard knows
        if converter == "int":
            return "987654"
        if name == "call_sid":
            return CALL_SID
        return "nosuch"

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def _denied(response, level: str) -> str | None:
    """'unauthenticated', 'forbidden', or None when the request got past access control."""
    if level == PUBLIC:
        # Sign-in answers 401 to a wrong password, and / sends visitors to sign in.
        return "forbidden" if response.status_code == 403 else None
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (response.status_code in (301, 302, 303)
                                       and "/signin" in location):
        return "unauthenticated"
    if response.status_code == 403:
        return "forbidden"
    return None


def _changes_state(rule: Rule, method: str) -> bool:
    return method not in ("GET", "HEAD") or any(
        part in rule.rule for part in ("/requeue/", "/delete", "/empty", "/compact"))


def expected_outcomes(level: str, rule: Rule, method: str) -> dict[str, str | None]:
    """For each way in: None (allowed), 'unauthenticated' or 'forbidden'. A way left out is
    not meaningful for the route (an operator's token on a browser page)."""
    ok, no, out = None, "forbidden", "unauthenticated"
    human = ("agent", "other_agent", "supervisor")
    if level == PUBLIC:
        return {"anonymous": ok, **{f"{p}:session": ok for p in human}, "admin": ok}
    if level in (AGENT, SOFTPHONE, SUPERVISOR, ADMIN):
        allowed = {AGENT: set(human), SOFTPHONE: set(human), SUPERVISOR: {"supervisor"},
                   ADMIN: set()}[level]
        result: dict[str, str | None] = {"anonymous": out,
                                         "admin": no if level == SOFTPHONE else ok}
        for person in human:
            for way in ("bearer", "session"):
                result[f"{person}:{way}"] = ok if person in allowed else no
        return result
    if level in (PAGE_AGENT, PAGE_SUPERVISOR):
        allowed = {"agent", "other_agent", "supervisor"} if level == PAGE_AGENT else \
            {"supervisor"}
        return {"anonymous": out,
                **{f"{p}:session": ok if p in allowed else no for p in human}}
    if level == RQ:
        looks = not _changes_state(rule, method)
        return {"anonymous": out, "agent:session": no, "other_agent:session": no,
                "supervisor:session": ok if looks else no, "admin": ok}
    raise AssertionError(f"unknown level {level}")


def _request(cast: Cast, way: str, rule: Rule, method: str):
    url = url_for_rule(rule)
    kwargs: dict = {"method": method}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    if way == "anonymous":
        client, headers = cast.anonymous(), {}
    elif way == "admin":
        client, headers = cast.anonymous(), cast["admin"].bearer
    else:
        name, _, how = way.partition(":")
        person: Person = cast[name]
        if how == "bearer":
            client, headers = cast.anonymous(), person.bearer
        else:
            client, headers = person.browser, {"X-CSRF-Token": person.csrf}
    response = client.open(url, headers=headers, **kwargs)
    response.close()  # event streams: do not wait for the stream
    if response.status_code == 308:  # routing's canonical URL (no access decision yet)
        response = client.open(response.headers["Location"], headers=headers, **kwargs)
        response.close()
    return response


# Run last: they end the session or the token they were called with.
LAST = {("/signout", "POST"), ("/api/agents/logout", "POST")}


def test_each_role_may_do_exactly_what_it_is_allowed(app, cast):
    wrong = []
    checked = 0
    todo = [(r, m) for r, m in routes(app) if expectation(app, r, m) != "webhook"]
    todo.sort(key=lambda item: (normalised(item[0]), item[1]) in LAST)
    for rule, method in todo:
        level = expectation(app, rule, method)
        if level is None:
            continue  # reported by test_every_route_has_an_expectation
        for way, expected in expected_outcomes(level, rule, method).items():
            response = _request(cast, way, rule, method)
            checked += 1
            got = _denied(response, level)
            if got != expected:
                wrong.append(f"{method} {rule.rule} as {way}: expected "
                             f"{expected or 'allowed'}, got {response.status_code} "
                             f"{response.get_data(as_text=True)[:120]!r}")
    assert checked > 300
    assert not wrong, f"{len(wrong)} wrong answers:\n" + "\n".join(wrong)


def test_api_denials_are_in_the_one_error_shape(app, cast):
    for rule, method in routes(app):
        if not rule.rule.startswith("/api/") or expectation(app, rule, method) not in (
                AGENT, SOFTPHONE, SUPERVISOR, ADMIN):
            continue
        for response in (_request(cast, "anonymous", rule, method),
                         _request(cast, "agent:bearer", rule, method)):
            if response.status_code not in (401, 403):
                continue
            body = response.get_json()
            assert set(body) == {"error"}, (rule.rule, body)
            assert set(body["error"]) == {"id", "message", "details"}, (rule.rule, body)
            assert body["error"]["id"] in ("unauthorised", "forbidden"), (rule.rule, body)


@pytest.mark.parametrize("way", ["agent", "supervisor"])
def test_a_browser_without_the_csrf_token_changes_nothing(app, cast, way):
    """Every state-changing route that a signed-in browser could be tricked into calling."""
    person = cast[way]
    wrong = []
    for rule, method in routes(app):
        level = expectation(app, rule, method)
        if method == "GET" or level in ("webhook", None) or is_static(rule):
            continue
        response = person.browser.open(url_for_rule(rule), method=method, json={})
        response.close()
        if response.status_code != 403 and not (level == PUBLIC and rule.rule == "/signin"):
            wrong.append(f"{method} {rule.rule}: {response.status_code}")
    assert not wrong, "Accepted without the CSRF token:\n" + "\n".join(wrong)
