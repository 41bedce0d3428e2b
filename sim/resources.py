"""Resources as Twilio's REST API shows them (the JSON twilio-python parses)."""

from __future__ import annotations

import io
import wave
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sim.clock import rfc2822

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call, Conference, Participant, Queue, QueueMember, Recording

API = "/2010-04-01"


def _d(dt: datetime | None) -> str | None:
    return rfc2822(dt) if dt else None


def account_uri(emu: Emulator) -> str:
    return f"{API}/Accounts/{emu.account_sid}"


def call_json(emu: Emulator, call: Call) -> dict[str, Any]:
    base = f"{account_uri(emu)}/Calls/{call.sid}"
    ended = call.ended
    return {
        "sid": call.sid, "account_sid": emu.account_sid, "api_version": "2010-04-01",
        "date_created": _d(call.created), "date_updated": _d(call.updated or call.created),
        "parent_call_sid": call.parent_call_sid, "to": call.to, "to_formatted": call.to,
        "from": call.from_, "from_formatted": call.from_,
        "phone_number_sid": call.phone_number_sid, "status": call.status,
        "start_time": _d(call.start_time), "end_time": _d(call.end_time),
        "duration": str(call.duration(emu.sched.now())) if ended else None,
        "price": None, "price_unit": "USD", "direction": call.direction, "answered_by": None,
        "annotation": None, "forwarded_from": call.forwarded_from, "group_sid": None,
        "caller_name": call.caller_name, "queue_time": str(call.queue_time), "trunk_sid": None,
        "uri": f"{base}.json",
        "subresource_uris": {
            "recordings": f"{base}/Recordings.json", "notifications": f"{base}/Notifications.json",
            "events": f"{base}/Events.json", "payments": f"{base}/Payments.json",
        },
    }


def conference_json(emu: Emulator, conf: Conference) -> dict[str, Any]:
    base = f"{account_uri(emu)}/Conferences/{conf.sid}"
    return {
        "sid": conf.sid, "account_sid": emu.account_sid, "api_version": "2010-04-01",
        "friendly_name": conf.friendly_name, "region": "us1", "status": conf.status,
        "date_created": _d(conf.created), "date_updated": _d(conf.updated or conf.created),
        "reason_conference_ended": conf.reason_ended,
        "call_sid_ending_conference": conf.call_sid_ending,
        "uri": f"{base}.json",
        "subresource_uris": {"participants": f"{base}/Participants.json",
                             "recordings": f"{base}/Recordings.json"},
    }


def participant_status(emu: Emulator, p: Participant) -> str:
    if p.status != "queued":
        return p.status
    call = emu.store.calls.get(p.call_sid)
    return {"initiated": "connecting", "ringing": "ringing"}.get(call.status if call else "",
                                                                 "queued")


def participant_json(emu: Emulator, p: Participant,
                     queue_time: int | None = None) -> dict[str, Any]:
    """`queue_time` (ms) only in the create response, as Twilio's description says."""
    return {
        "account_sid": emu.account_sid, "call_sid": p.call_sid, "label": p.label,
        "call_sid_to_coach": p.call_sid_to_coach, "coaching": p.coaching,
        "conference_sid": p.conference_sid, "date_created": _d(p.created),
        "date_updated": _d(p.updated or p.created),
        "end_conference_on_exit": p.end_conference_on_exit, "muted": p.muted, "hold": p.hold,
        "start_conference_on_enter": p.start_conference_on_enter,
        "status": participant_status(emu, p),
        "queue_time": None if queue_time is None else str(queue_time),
        "uri": f"{account_uri(emu)}/Conferences/{p.conference_sid}/Participants/{p.call_sid}.json",
    }


def recording_json(emu: Emulator, rec: Recording) -> dict[str, Any]:
    base = f"{account_uri(emu)}/Recordings/{rec.sid}"
    return {
        "sid": rec.sid, "account_sid": emu.account_sid, "api_version": "2010-04-01",
        "call_sid": rec.call_sid, "conference_sid": rec.conference_sid,
        "date_created": _d(rec.created), "date_updated": _d(rec.created),
        "start_time": _d(rec.start_time), "duration": str(rec.duration), "price": None,
        "price_unit": "USD", "status": rec.status, "channels": rec.channels,
        "source": rec.source, "error_code": None, "encryption_details": None,
        "track": "both", "uri": f"{base}.json", "media_url": emu.recording_url(rec.sid),
        "subresource_uris": {"add_on_results": f"{base}/AddOnResults.json",
                             "transcriptions": f"{base}/Transcriptions.json"},
    }


def queue_json(emu: Emulator, q: Queue) -> dict[str, Any]:
    return {
        "sid": q.sid, "account_sid": emu.account_sid, "friendly_name": q.friendly_name,
        "current_size": len(q.members), "max_size": q.max_size,
        "average_wait_time": q.average_wait(), "date_created": _d(q.created),
        "date_updated": _d(q.updated or q.created),
        "uri": f"{account_uri(emu)}/Queues/{q.sid}.json",
    }


def member_json(emu: Emulator, q: Queue, m: QueueMember, position: int) -> dict[str, Any]:
    return {
        "call_sid": m.call_sid, "queue_sid": q.sid, "position": position,
        "date_enqueued": _d(m.enqueued), "wait_time": int(emu.sched.now() - m.enqueued_at),
        "uri": f"{account_uri(emu)}/Queues/{q.sid}/Members/{m.call_sid}.json",
    }


def page(key: str, items: list[dict[str, Any]], path: str, args: dict[str, str]) -> dict:
    """One page of a list, with the paging keys twilio-python expects (one list key only)."""
    size = max(1, min(int(args.get("PageSize", 50) or 50), 1000))
    number = max(0, int(args.get("Page", 0) or 0))
    filters = {k: v for k, v in args.items() if k not in ("Page", "PageSize", "PageToken")}

    def uri(n: int) -> str:
        return f"{path}?{urlencode({**filters, 'PageSize': size, 'Page': n})}"

    chunk = items[number * size:(number + 1) * size]
    has_next = (number + 1) * size < len(items)
    return {
        key: chunk,
        "first_page_uri": uri(0),
        "next_page_uri": uri(number + 1) if has_next else None,
        "previous_page_uri": uri(number - 1) if number > 0 else None,
        "page": number, "page_size": size,
        "start": number * size, "end": number * size + max(len(chunk) - 1, 0),
        "uri": uri(number),
    }


def wav_bytes(seconds: int) -> bytes:
    """A valid (silent) 8 kHz mono WAV of the recording's length, capped to keep it small."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * 8000 * max(1, min(seconds, 5)))
    return buf.getvalue()


def mp3_bytes(seconds: int) -> bytes:
    """Silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz): valid, tiny, decodable."""
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    return frame * (38 * max(1, min(seconds, 5)))
