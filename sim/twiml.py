"""Strict TwiML parsing: a document that is not TwiML is Twilio's error 12100."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree import ElementTree

PARSE_ERROR = 12100

# Which children each element may have. Say may also hold SSML, so its children are free.
_VERBS = {
    "Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Reject", "Record", "Enqueue",
    "Leave", "Dial",
}
_CHILDREN: dict[str, set[str] | None] = {
    "Response": _VERBS,
    "Gather": {"Say", "Play", "Pause"},
    "Dial": {"Number", "Client", "Conference", "Queue", "Sip", "Sim"},
    "Client": {"Identity", "Parameter"},
    "Enqueue": {"Task"},
    "Say": None,
}
_LEAVES = {"Play", "Pause", "Redirect", "Hangup", "Reject", "Record", "Leave", "Number",
           "Conference", "Queue", "Identity", "Parameter", "Sip", "Sim", "Task"}


class TwimlError(ValueError):
    """The document is not TwiML; `code` is what Twilio reports (12100)."""

    code = PARSE_ERROR


@dataclass
class Node:
    """One TwiML element: its name, attributes, text and child elements."""

    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""
    children: list[Node] = field(default_factory=list)

    def get(self, attr: str, default: str | None = None) -> str | None:
        return self.attrs.get(attr, default)

    def flag(self, attr: str, default: bool) -> bool:
        value = self.attrs.get(attr)
        if value is None or value == "":
            return default
        return value.strip().lower() == "true"

    def number(self, attr: str, default: float) -> float:
        value = self.attrs.get(attr)
        try:
            return float(value) if value not in (None, "") else default
        except ValueError:
            # Twilio warns (13xxx) and keeps the default rather than failing the call.
            return default

    def child(self, name: str) -> Node | None:
        return next((c for c in self.children if c.name == name), None)


def parse(body: bytes | str) -> list[Node]:
    """The verbs of a `<Response>` document, or TwimlError if it is not one."""
    if isinstance(body, str):
        body = body.encode()
    if not body.strip():
        raise TwimlError("empty document")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise TwimlError(f"not well-formed XML: {exc}") from exc
    if root.tag != "Response":
        raise TwimlError(f"root element is <{root.tag}>, not <Response>")
    return [_node(el, "Response") for el in root]


def _node(el: ElementTree.Element, parent: str) -> Node:
    allowed = _CHILDREN.get(parent)
    if allowed is not None and el.tag not in allowed:
        raise TwimlError(f"<{el.tag}> is not allowed in <{parent}>")
    if el.tag == "Say":
        text = "".join(el.itertext())
        return Node("Say", dict(el.attrib), " ".join(text.split()))
    if el.tag in _LEAVES and len(el):
        raise TwimlError(f"<{el.tag}> cannot contain <{el[0].tag}>")
    children = [_node(c, el.tag) for c in el]
    return Node(el.tag, dict(el.attrib), (el.text or "").strip(), children)
