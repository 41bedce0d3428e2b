"""Chaos in the order callbacks arrive, as Twilio allows it, from a seed.

Twilio sends every callback as its own HTTP request and promises no order between them:
a conference's events, a leg's progress callbacks, a recording's and its transcription's, a
Dial action sent after the caller hung up (that is why conference events carry
`SequenceNumber` and `Timestamp`). A request retried after a timeout arrives twice. The
emulator, left alone, delivers them in the order they happen, one at a time.

`emu.set_chaos(seed)` makes every such callback (everything sent through
`webhooks.notify`):

- **late**: held back a random while (up to `max_delay` seconds of emulator time), so it
  may arrive after callbacks that happened later, and after the TwiML requests of the call
  (a Dial or Record action, which drives the call and is never held back, can overtake it);
- **twice**: with probability `duplicate`, a second copy (a retried connection) comes later;
- **concurrent**: with probability `concurrent`, its request is sent on its own thread while
  the emulator goes on with whatever else is due at that instant (other callbacks, a call's
  TwiML requests), so the app handles them at the same time; time does not move on until
  all of them are answered.

The TwiML requests that drive a call (voice URL, Gather/Record/Dial/Enqueue actions, wait
and hold music) are never reordered: Twilio needs each answer to go on. Every draw comes from
`random.Random(seed)` in the order the engine asks, so a seed replays the same run, up to the
order in which concurrent requests' threads finish.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Chaos:
    seed: int
    late: float = 0.6
    max_delay: float = 0.8
    duplicate: float = 0.2
    concurrent: float = 0.3
    random: random.Random = field(init=False, repr=False)
    # What it did, for a failing test's message: (purpose, delays of each copy).
    plan: list[tuple[str, list[float]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def deliveries(self, purpose: str, delay: float) -> list[float]:
        """When each copy of one callback is sent, in seconds from now."""
        first = delay + (self.random.uniform(0, self.max_delay)
                         if self.random.random() < self.late else 0.0)
        waits = [round(first, 3)]
        if self.random.random() < self.duplicate:
            waits.append(round(first + self.random.uniform(0.05, self.max_delay), 3))
        self.plan.append((purpose, waits))
        return waits

    def detach(self) -> bool:
        """Send this callback on its own thread, alongside what else is due now?"""
        return self.random.random() < self.concurrent
