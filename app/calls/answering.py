"""An agent's answer whose news has not reached the app yet.

Twilio's callback saying an agent's softphone answered (the agent leg's `in-progress`
progress event) comes a moment after the media connects, a second or two under load. By
then the agent may be talking to the caller and press a button that needs a connected call
(transfer, hold) while the queue still has the caller as ringing them. Refusing would show
an error to an agent who is plainly on the call, so the call controls ask Twilio about the
agent's leg first, and record the answer themselves if it is in progress.
"""

from __future__ import annotations

from app.calls.factory import Controls
from app.queue.livecall import CallState, LiveCall

IN_PROGRESS = "in-progress"


def confirm_answer(c: Controls, call_sid: str, call: LiveCall | None) -> LiveCall | None:
    """The call as it stands once Twilio has said whether the agent it rings answered.

    Only a call offered to an agent on a known leg is asked about; any other comes back
    unchanged. When the leg is in progress the answer is recorded by
    `QueueService.agent_answered`, the very step the callback runs: one compare-and-set
    (offered to this agent -> connected), so of the two only one records the answer and
    the callback, when it comes, finds the call connected and changes nothing.

    The answer is recorded at the time of this check (the interaction's `answered_at`, its
    `wait_seconds` and the `answered` event): the callback's `Timestamp`, the answer's own
    time, is not known yet, and the Call resource's `start_time` is when the leg was
    dialled, not answered. The wait on record is longer than the caller's by at most the
    callback's delay, never shorter.
    """
    if call is None or call.state is not CallState.OFFERED or not call.agent_leg or not call.agent:
        return call
    leg, agent = call.agent_leg, call.agent
    # A TelephonyError (Twilio cannot be asked) goes up: the agent is told to try again
    # (502 telephony_failed), not that a call they may be talking on is unanswered.
    status = c.gateway.fetch_call_status(leg)
    if status != IN_PROGRESS:
        return call
    c.queue.agent_answered(call_sid, agent, leg=leg)
    return c.call(call_sid)
