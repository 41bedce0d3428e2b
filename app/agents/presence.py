"""Agent states and what an agent may switch to by hand."""

from __future__ import annotations

STATES = ("offline", "available", "ringing", "on_call", "wrap_up", "away")
# Ringing and on_call are entered and left by calls, never by a button.
CHOOSABLE = ("offline", "available", "away")
