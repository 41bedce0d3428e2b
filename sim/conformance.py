"""Every REST request the emulator receives, checked against Twilio's OpenAPI description.

The emulator keeps one `Conformance` (`emu.conformance`): each request's `Verdict`
(`sim/openapi.py`), in order. Tests read it; `sim.testing.emulator_for` fails a test at exit
if any request broke the description, so every whole-call test is a conformance test too.

`refusal` says what Twilio answers a request that breaks the description; None when Twilio
carries on (unknown parameters: ignored, with warning 20001 in the debugger).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import TYPE_CHECKING

from sim.openapi import (
    ENUM,
    METHOD,
    PATH,
    PATTERN,
    REQUIRED,
    TYPE,
    UNKNOWN,
    Spec,
    Verdict,
    Violation,
    twilio_v2010,
)

if TYPE_CHECKING:
    from sim.emulator import Emulator

# Twilio's error dictionary: 21201 "No 'To' number specified", 21213 "Caller phone number is
# required" (both for creating a call; a participant is a call too).
PARTY_REQUIRED = {"To": (21201, "No 'To' number is specified"),
            "From": (21213, "'From' phone number is required")}


class Conformance:
    """The verdicts on every REST request one emulator received."""

    def __init__(self, spec: Spec | None = None) -> None:
        self._spec = spec
        self._lock = threading.Lock()
        self.verdicts: list[Verdict] = []
        # A test that sends bad requests on purpose (to see the emulator refuse them) sets
        # this, so the teardown check does not fail it.
        self.expect_violations = False

    @property
    def spec(self) -> Spec:
        return self._spec or twilio_v2010()

    def check(self, emu: Emulator, method: str, path: str, form: dict[str, list[str]],
              query: dict[str, list[str]]) -> Verdict:
        """Check one request, keep its verdict, and log what Twilio's debugger would show."""
        verdict = self.spec.check(method, path, form, query)
        with self._lock:
            self.verdicts.append(verdict)
        for v in verdict.violations:
            if v.warning:
                emu.log("debugger_warning", code=20001, message="Unknown parameters",
                        method=verdict.method, path=path, detail=v.message)
            else:
                emu.log("spec_violation", kind=v.kind, name=v.name, method=verdict.method,
                        path=path, detail=v.message)
        return verdict

    def violations(self) -> list[tuple[Verdict, Violation]]:
        with self._lock:
            return [(verdict, v) for verdict in self.verdicts for v in verdict.violations]

    def counts(self) -> Counter[str]:
        """How many requests were checked, per operation (`CreateParticipant`, ...)."""
        with self._lock:
            return Counter(v.operation or "(undeclared)" for v in self.verdicts)

    def assert_clean(self) -> None:
        """Fail if any request broke the description (unknown parameters included)."""
        found = self.violations()
        if found:
            lines = "\n".join(
                f"{verdict.method} {verdict.path}: {v.message}"
                + (f" {json.dumps(v.name)}" if v.kind == UNKNOWN else "")
                for verdict, v in found)
            raise AssertionError(
                f"{len(found)} REST request(s) broke Twilio's OpenAPI description:\n{lines}")


def refusal(verdict: Verdict) -> tuple[int, int, str] | None:
    """(HTTP status, Twilio error code, message) for a request Twilio refuses, else None."""
    for v in verdict.violations:
        if v.kind in (PATH, PATTERN):
            return 404, 20404, f"The requested resource {verdict.path} was not found"
        if v.kind == METHOD:
            return 405, 20004, "Method not allowed"
    for v in verdict.of(REQUIRED):
        name = v.name or ""
        if name in PARTY_REQUIRED:
            return 400, *PARTY_REQUIRED[name]
        # Not in the error dictionary for these resources; Twilio's APIs answer a missing
        # parameter with this message and code (docs/emulator.md, "How faithful it is").
        return 400, 20001, f"Missing required parameter {name} in the post body"
    for v in verdict.of(ENUM, TYPE):
        name = v.name or ""
        if name.endswith("Method"):
            return 400, 21209, f"Invalid {name}: {v.message}"  # "Invalid Method"
        calls = (verdict.operation or "").endswith("Call")
        # 21200 "Calls Resource" covers the Calls resource; elsewhere Twilio documents no
        # code, and the emulator answers the dictionary's generic 400 "Bad Request".
        return 400, 21200 if calls else 400, f"Invalid value: {v.message}"
    return None
