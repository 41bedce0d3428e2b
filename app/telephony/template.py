"""TwiML documents rendered once by twilio, with holes for the words that change per call.

The incoming-call webhook answers the same document to every caller of a language, but for
the caller's name inside the greeting. Building and serialising a `VoiceResponse` costs more
than anything else the webhook does but the Redis round trip, so the document is rendered
once per configuration, by `VoiceResponse` as always, with a marker where each value goes;
a call then only escapes its values into the text between the markers.

That is only the same document if every hole is plain text of an element (where XML escapes
`&`, `<` and `>` only) and the value reaches it unchanged: not cut by a format spec, not in
an attribute. The IVR's prompts allow plain placeholders only, but a template is checked when
it is built all the same: it must render a probe value exactly as a full render does, or it
is not used and every call renders in full.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from xml.sax.saxutils import escape

from twilio.twiml.voice_response import VoiceResponse

from app.telephony.webhook import twiml_text

# Private-use characters: valid XML that ElementTree writes as they are, and that no prompt
# or name of ours contains.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}([0-9]+){_CLOSE}")
# Everything escaping or a format spec could change: markup characters, quotes and
# whitespace an attribute would escape, both cases, and longer than a short precision.
_PROBE = "Probe <Ünïcode> & \"quoted\" 'apostrophe'\n\tTAB\r ǅǈ σς 0123456789"


class TwimlTemplate:
    """A rendered document and, between its parts, the fields filled in per call."""

    def __init__(self, parts: tuple[str, ...], fields: tuple[str, ...]) -> None:
        self.parts = parts
        self.fields = fields

    @classmethod
    def of(cls, build: Callable[..., VoiceResponse], *fields: str) -> TwimlTemplate | None:
        """`build(**values)` rendered once with markers for `fields`; None if a probe value
        does not come out of the template exactly as out of a full render."""
        document = twiml_text(build(**{f: f"{_OPEN}{i}{_CLOSE}" for i, f in enumerate(fields)}))
        pieces = _MARKER.split(document)
        template = cls(tuple(pieces[0::2]), tuple(fields[int(i)] for i in pieces[1::2]))
        probe = {field: f"{_PROBE} {field}" for field in fields}
        # A marker a format spec cut short, or one in an attribute, fails here.
        return template if template.fill(probe) == twiml_text(build(**probe)) else None

    def fill(self, values: Mapping[str, str]) -> str:
        """The document with `values` escaped into their places (as VoiceResponse would)."""
        parts = self.parts
        out = [parts[0]]
        for field, part in zip(self.fields, parts[1:], strict=True):
            out.append(twiml_text(escape(values[field])))
            out.append(part)
        return "".join(out)
