"""Twilio's REST API, behind methods named for what the call centre does with it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Flask, current_app
from requests.exceptions import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from app.telephony.http_client import RebasedTwilioHttpClient, tune_for_threads
from config import AppSettings

log = logging.getLogger(__name__)

# Twilio's call statuses that are final: the call is over, however it went.
CALL_OVER = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


class TelephonyError(Exception):
    """Twilio refused or failed a request; carries Twilio's error code."""

    def __init__(self, message: str, code: int | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


def _wrap(exc: TwilioRestException) -> TelephonyError:
    return TelephonyError(exc.msg, code=exc.code, status=exc.status)


# Twilio's answers that say "try again": rate limited, or trouble on its side.
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# Twilio adds this to the `Timeout` of every call it creates over the REST API (the
# Participants API's `Timeout` description): a ring asked for 20 s rings about 25 s.
RING_BUFFER_SECONDS = 5
MIN_TIMEOUT = 5  # Participants' `Timeout` is 5-600
# Agent legs were all labelled "agent" before each had its own label; still recognised so a
# leg created before an upgrade is found.
LEGACY_AGENT_LABEL = "agent"
T = TypeVar("T")


def _transient(exc: Exception) -> bool:
    """Twilio failed or did not answer in time (the request may or may not have happened)."""
    if isinstance(exc, TwilioRestException):
        return exc.status in RETRYABLE_STATUS
    return isinstance(exc, RequestException)


def _telephony_error(exc: Exception) -> TelephonyError:
    if isinstance(exc, TwilioRestException):
        return _wrap(exc)
    return TelephonyError(f"Twilio did not answer: {type(exc).__name__}: {exc}")


class PlacedCall(str):
    """The SID of a call Twilio was asked to create, with `queue_seconds`: how long Twilio
    said it waits for the account's calls-per-second limit before it is placed (the create
    response's `queue_time`)."""

    queue_seconds: float = 0.0


def _placed(call_sid: str, queue_time: str | None) -> PlacedCall:
    placed = PlacedCall(call_sid)
    try:
        placed.queue_seconds = max(0.0, int(queue_time or 0) / 1000)
    except (TypeError, ValueError):
        placed.queue_seconds = 0.0
    return placed


def ring_timeout(seconds: int) -> int:
    """The `Timeout` to ask Twilio for a ring of about `seconds`: less its 5-second buffer.

    Twilio takes no less than 5, so a ring is never shorter than ~10 s; a caller who cannot
    wait that long is protected by the app ending the ring itself (app/queue/services.py).
    """
    return max(MIN_TIMEOUT, int(seconds) - RING_BUFFER_SECONDS)


def agent_label(identity: str) -> str:
    """The conference label of `identity`'s leg: one per agent, so legs never collide."""
    return f"agent-{identity}"


class TwilioGateway:
    """One `twilio.rest.Client` per process; its base URL is the emulator's unless live."""

    def __init__(self, client: Client, *, retries: int = 2, backoff: float = 0.2,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        # Requests that are safe to repeat are retried this many times when Twilio fails or
        # is slow; creating a participant only after looking for the one it may have made.
        self.retries = max(0, retries)
        self.backoff = backoff
        self.sleep = sleep

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TwilioGateway:
        settings = AppSettings.from_mapping(config)
        timeout = settings.TWILIO_REST_TIMEOUT_SECONDS
        if settings.TWILIO_MODE != "live":
            base_url = settings.TWILIO_API_BASE_URL
            http_client = RebasedTwilioHttpClient(base_url, timeout=timeout)
        else:
            base_url = "https://api.twilio.com"
            http_client = TwilioHttpClient(timeout=timeout)
        # Shared by the hold clock's offer threads (and a web process's threads).
        tune_for_threads(http_client, base_url, settings.TWILIO_REST_POOL_SIZE)
        client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client
        )
        return cls(client, retries=settings.TWILIO_REST_RETRIES)

    def _pause(self, attempt: int) -> None:
        self.sleep(self.backoff * (2 ** attempt))

    def _retrying(self, what: str, request: Callable[[], T]) -> T:
        """Run a request that is safe to repeat (a read, or an update that sets a state)."""
        for attempt in range(self.retries + 1):
            try:
                return request()
            except (TwilioRestException, RequestException) as exc:
                if not _transient(exc) or attempt == self.retries:
                    raise _telephony_error(exc) from exc
                log.warning("Twilio failed to %s (%s); retrying", what, exc)
            self._pause(attempt)
        raise AssertionError("unreachable")

    def redirect_call(self, call_sid: str, url: str) -> None:
        """Take a live call out of whatever it is doing and run the TwiML at `url`.

        Retried: at worst a redirect whose answer was lost runs `url` again from its start.
        """
        self._retrying("redirect a call",
                       lambda: self.client.calls(call_sid).update(url=url, method="POST"))

    def move_call(self, call_sid: str, twiml: str) -> None:
        """Run `twiml` on a live call in place of what it is doing (an agent's persistent
        line moved into a caller's room or back to its own): an update, not a creation, so
        Twilio's calls-per-second limit does not apply. Retried: the same TwiML again at worst.
        """
        self._retrying("move a call",
                       lambda: self.client.calls(call_sid).update(twiml=twiml))

    def hang_up(self, call_sid: str) -> None:
        self._retrying("hang up a call",
                       lambda: self.client.calls(call_sid).update(status="completed"))

    def add_agent_to_conference(self, conference: str, *, identity: str, caller_id: str,
                                timeout: int, status_callback: str) -> str:
        """Ring an agent's softphone into a caller's conference; returns the agent leg's SID
        (a `PlacedCall`: with Twilio's wait for the account's CPS).

        `conference` is the room's SID when known: then a ring into a room that has ended is
        refused, where a friendly name would make a new, empty one. `timeout` is how long the
        agent's phone may ring (`ring_timeout`: Twilio's buffer is allowed for).

        The agent starts the conference (the caller waits with startConferenceOnEnter=false)
        and ends it on leaving, so a caller is never left alone in a silent room.

        Each leg is labelled `agent-<identity>` (`agent_label`): a leg left in the room by
        an earlier ring of another agent cannot block this one.

        Twilio documents no error code for "label already in use" or "the room has ended",
        so a refusal is read from the room's state, not from the code: if a leg of this
        agent is in the live room, it is one an earlier ring left behind (taken out, and the
        ring tried once more) or, after a request whose answer was lost, this ring's own (its
        SID is returned); if there is none, the refusal stands.

        Creating is not idempotent: a request whose answer was lost (an error or a timeout
        after Twilio acted) may have added the agent already. Before each retry the room is
        searched for the agent's leg; if the room cannot be searched, there is no retry.
        """
        label = agent_label(identity)

        def create() -> str:
            participant = self.client.conferences(conference).participants.create(
                from_=caller_id,
                to=f"client:{identity}",
                label=label,
                timeout=ring_timeout(timeout),
                early_media=True,
                beep="false",
                start_conference_on_enter=True,
                end_conference_on_exit=True,
                status_callback=status_callback,
                status_callback_method="POST",
                # Only what the router acts on (`completed` carries no-answer, busy...): each
                # event is a webhook, and under load fewer mean the answer's news comes sooner.
                status_callback_event=["answered", "completed"],
            )
            return _placed(participant.call_sid, participant.queue_time)

        attempt = 0
        stale_removed = False
        may_have_acted = False  # an earlier request failed in a way Twilio may have acted on
        while True:
            try:
                return create()
            except (TwilioRestException, RequestException) as exc:
                error: Exception = exc
            if _transient(error):
                may_have_acted = True
                log.warning("adding agent %s to conference %s failed (%s); looking for their "
                            "leg before trying again", identity, conference, error)
                existing = self.agent_leg_in(conference, identity)
                if existing is not None:
                    return existing
                if attempt >= self.retries:
                    raise _telephony_error(error) from error
                self._pause(attempt)
                attempt += 1
                continue
            # Refused: what is in the room says why.
            try:
                existing = self.agent_leg_in(conference, identity)
            except TelephonyError:
                existing = None
            if existing is None:
                raise _telephony_error(error) from error
            if may_have_acted:
                return existing  # an earlier request of this ring made it
            if stale_removed or not self._remove_stale_leg(conference, label):
                raise _telephony_error(error) from error
            stale_removed = True

    def agent_leg_in(self, conference: str, identity: str) -> str | None:
        """The call SID of `identity`'s softphone leg in the conference `conference` (its SID,
        or its friendly name).

        Raises TelephonyError if Twilio cannot be asked: then nobody may assume it is absent.
        """
        label = agent_label(identity)

        def search() -> str | None:
            for room in self._live_rooms(conference):
                for participant in self.client.conferences(room).participants.list():
                    if participant.label not in (label, LEGACY_AGENT_LABEL):
                        continue
                    leg = self.client.calls(participant.call_sid).fetch()
                    # A ring's leg goes to the softphone; a persistent line comes from it
                    # (twilio-python keeps the `from` field as `_from`).
                    if f"client:{identity}" in (leg.to, leg._from):
                        return participant.call_sid
            return None

        try:
            return search()
        except (TwilioException, RequestException) as exc:  # a list page failing is the base
            raise TelephonyError(f"could not look for agent {identity}'s leg: {exc}") from exc

    def _live_rooms(self, conference: str) -> list[str]:
        """The SIDs of the live conferences `conference` names: a conference SID (`CF...`)
        itself while it is live, or the live rooms of that friendly name."""
        if conference.startswith("CF"):
            room = self.client.conferences(conference).fetch()
            return [] if room.status == "completed" else [room.sid]
        return [room.sid for room in self.client.conferences.list(friendly_name=conference,
                                                                  limit=20)
                if room.status != "completed"]

    def _remove_stale_leg(self, conference: str, label: str) -> bool:
        """Take the leg labelled `label` out of the live room named `conference`.

        Called only when a new ring of that agent meets it: the app rings one agent for one
        caller at a time, so a leg still there is one an earlier ring left behind (it outlived
        the app's ring timeout), and it would block the label. False if nothing was removed.
        """
        try:
            for room in self._live_rooms(conference):
                self.client.conferences(room).participants(label).delete()
                log.warning("removed a stale leg %s from conference %s", label, conference)
                return True
        except (TwilioException, RequestException) as exc:
            log.warning("could not remove stale leg %s from %s: %s", label, conference, exc)
        return False

    # -- call controls: hold, transfers (app/calls) ------------------------------------------

    def find_conference(self, friendly_name: str) -> str | None:
        """The SID of the live conference with this name (updates need the SID, not the name)."""
        try:
            found = self.client.conferences.list(friendly_name=friendly_name,
                                                 status="in-progress", limit=1)
        except TwilioRestException as exc:
            raise _wrap(exc) from exc
        return found[0].sid if found else None

    def update_participant(self, conference_sid: str, call_sid: str, *, hold: bool | None = None,
                           hold_url: str | None = None, end_conference_on_exit: bool | None = None,
                           announce_url: str | None = None) -> None:
        """Hold or unhold a participant (with the TwiML at `hold_url` playing to them), change
        whether their leaving ends the room, or play them an announcement."""
        fields: dict[str, Any] = {}
        if hold is not None:
            fields["hold"] = hold
            if hold and hold_url:
                fields.update(hold_url=hold_url, hold_method="POST")
        if end_conference_on_exit is not None:
            fields["end_conference_on_exit"] = end_conference_on_exit
        if announce_url:
            fields.update(announce_url=announce_url, announce_method="POST")
        try:
            self.client.conferences(conference_sid).participants(call_sid).update(**fields)
        except TwilioRestException as exc:
            raise _wrap(exc) from exc

    def add_participant(self, conference: str, *, to: str, from_: str, label: str, timeout: int,
                        status_callback: str, start_conference_on_enter: bool = True,
                        end_conference_on_exit: bool = False) -> str:
        """Ring someone into a conference (a transfer's target); returns their leg's SID."""
        try:
            participant = self.client.conferences(conference).participants.create(
                from_=from_, to=to, label=label, timeout=ring_timeout(timeout), early_media=True,
                beep="false", start_conference_on_enter=start_conference_on_enter,
                end_conference_on_exit=end_conference_on_exit,
                status_callback=status_callback, status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
            )
        except TwilioRestException as exc:
            raise _wrap(exc) from exc
        return participant.call_sid

    # -- supervisors: listen, whisper, barge (app/supervision) --------------------------------

    def add_monitor(self, conference: str, *, identity: str, caller_id: str, muted: bool,
                    coach_call_sid: str | None, timeout: int, status_callback: str) -> str:
        """Ring a supervisor's softphone into a caller's conference, muted (listen), coaching
        one participant (whisper: only they hear the supervisor) or open (barge). Neither
        starts nor ends the room: a supervisor never changes what happens to the call."""
        try:
            participant = self.client.conferences(conference).participants.create(
                from_=caller_id, to=f"client:{identity}", timeout=ring_timeout(timeout),
                beep="false",
                muted=muted, coaching=bool(coach_call_sid), call_sid_to_coach=coach_call_sid,
                start_conference_on_enter=False, end_conference_on_exit=False,
                status_callback=status_callback, status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
            )
        except TwilioRestException as exc:
            raise _wrap(exc) from exc
        return participant.call_sid

    def set_monitor_mode(self, conference_sid: str, call_sid: str, *, muted: bool,
                         coach_call_sid: str | None) -> None:
        """Switch a supervisor already in the room between listen, whisper and barge."""
        fields: dict[str, Any] = {"muted": muted, "coaching": bool(coach_call_sid)}
        if coach_call_sid:
            fields["call_sid_to_coach"] = coach_call_sid
        try:
            self.client.conferences(conference_sid).participants(call_sid).update(**fields)
        except TwilioRestException as exc:
            raise _wrap(exc) from exc

    def withdraw_participant(self, conference: str, call_sid: str) -> None:
        """Take a participant out of the conference named `conference` at once, ringing or
        not (a supervisor taking back an offer): the agent's label is free again for their
        next ring, which a hang-up of the leg alone does not promise."""
        try:
            for room in self.client.conferences.list(friendly_name=conference, limit=20):
                if room.status == "completed":
                    continue
                self.client.conferences(room.sid).participants(call_sid).delete()
                return
        except TwilioRestException as exc:
            if exc.status != 404:
                raise _wrap(exc) from exc
        self.hang_up(call_sid)  # not in any room (any more): end the leg itself

    def place_call(self, to: str, *, from_: str, url: str, status_callback: str,
                   timeout: int) -> str:
        """An outbound call (a callback: the agent's softphone first); returns its SID."""
        try:
            call = self.client.calls.create(
                to=to, from_=from_, url=url, method="POST", timeout=ring_timeout(timeout),
                status_callback=status_callback, status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
            )
        except TwilioRestException as exc:
            raise _wrap(exc) from exc
        return _placed(call.sid, call.queue_time)

    def delete_recording(self, sid: str) -> bool:
        """Delete a recording from Twilio; False if Twilio no longer has it."""
        try:
            return bool(self.client.recordings(sid).delete())
        except TwilioRestException as exc:
            if exc.status == 404:
                return False
            raise _wrap(exc) from exc

    def fetch_call_status(self, call_sid: str) -> str:
        return self._retrying("fetch a call", lambda: self.client.calls(call_sid).fetch().status)

    def call_ended(self, call_sid: str) -> bool:
        """Has this call ended, by Twilio's own record (its callbacks may not have said so
        yet)? False when Twilio cannot be asked: the callers decide as if it goes on."""
        try:
            return self.fetch_call_status(call_sid) in CALL_OVER
        except Exception as exc:  # noqa: BLE001 - cannot tell
            log.warning("could not fetch call %s: %s", call_sid, exc)
            return False


def init_gateway(app: Flask) -> None:
    app.extensions["twilio_gateway"] = TwilioGateway.from_config(app.config)


def gateway() -> TwilioGateway:
    """The current app's gateway (replaceable in app.extensions for a test that needs it)."""
    return current_app.extensions["twilio_gateway"]
