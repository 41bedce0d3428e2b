"""What the packages above customers add to the agent's screen-pop, as one typed object per app.

Customers builds the screen-pop (the call, who is calling, their history) but the caller's
open callbacks, the transfer in progress or each earlier call's wrap-up are known by packages
above it (docs/architecture.md, "Layers"). Each of them adds its part in its `register(app)`:

    screen_pop_hooks(app).contribute("open_callbacks", open_callbacks)      # voicemail
    screen_pop_hooks(app).interaction_fields("wrapup", interaction_wrapups)  # wrap-up

Nothing is registered by importing a module: an app without voicemail has no
`open_callbacks` key, rather than one that always says "none".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from app.customers.models import Customer
from app.interactions.models import Interaction


@dataclass(frozen=True)
class CallContext:
    """What a contributor is told about the call whose screen-pop is being built."""

    interaction: Interaction
    customer: Customer | None
    caller_number: str | None  # E.164, or None when withheld


# fn(context) -> the value of its key in the screen-pop (JSON-ready).
Contributor = Callable[[CallContext], Any]
# fn(calls) -> {interaction id: {key: value}} for the calls it has something to say about;
# called once per list (a customer's history), so it answers in one query, not one per call.
InteractionFields = Callable[[Sequence[Interaction]], Mapping[int, Mapping[str, Any]]]

# The screen-pop's own keys, which no contributor may replace.
RESERVED_KEYS = frozenset({"call", "caller", "customer", "history", "unavailable"})


@dataclass
class ScreenPopHooks:
    contributors: dict[str, Contributor] = field(default_factory=dict)
    fields: dict[str, InteractionFields] = field(default_factory=dict)

    def contribute(self, key: str, fn: Contributor) -> None:
        """`fn` fills `key` in every screen-pop. One package per key: a second is a wiring
        mistake, refused rather than silently winning."""
        if key in RESERVED_KEYS or key in self.contributors:
            raise ValueError(f"the screen-pop key {key!r} is already taken")
        self.contributors[key] = fn

    def interaction_fields(self, name: str, fn: InteractionFields) -> None:
        """`fn` adds keys to each call of a history (the screen-pop's, a customer's)."""
        if name in self.fields:
            raise ValueError(f"interaction fields {name!r} are already registered")
        self.fields[name] = fn


_KEY = "customers.screen_pop_hooks"


def screen_pop_hooks(app: Flask) -> ScreenPopHooks:
    """The app's screen-pop hooks, to read them or to register one."""
    return app.extensions.setdefault(_KEY, ScreenPopHooks())
