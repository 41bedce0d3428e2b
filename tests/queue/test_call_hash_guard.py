"""Only the queue reads the call hash: every other package asks app.queue.livecall."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _reads_the_call_hash(tree: ast.AST) -> list[int]:
    """Lines that build the call hash's key (`<x>.keys.call(...)`, `keys.call(...)`,
    `Keys(...).call(...)`), spell it in a string (`...:call:...`), or take its raw fields
    instead of a LiveCall (`<x>.store.call(...)`, `store.call(...)`, `read_fields`)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "call":
            owner = node.value
            name = (owner.attr if isinstance(owner, ast.Attribute)
                    else owner.id if isinstance(owner, ast.Name)
                    else owner.func.id if isinstance(owner, ast.Call)
                    and isinstance(owner.func, ast.Name) else "")
            if name in ("keys", "Keys", "store", "queue_store"):
                lines.append(node.lineno)
        elif ((isinstance(node, ast.Attribute) and node.attr == "read_fields")
              or (isinstance(node, ast.Name) and node.id == "read_fields")
              or (isinstance(node, ast.alias) and node.name == "read_fields")):
            lines.append(getattr(node, "lineno", 0))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and (":call:" in node.value or "'call'" in node.value)):
            lines.append(node.lineno)
    return lines


def test_only_the_queue_reads_the_call_hash():
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path.is_relative_to(APP / "queue"):
            continue
        for line in _reads_the_call_hash(ast.parse(path.read_text(), str(path))):
            offenders.append(f"{path.relative_to(APP.parent)}:{line}")
    assert offenders == [], ("read the call through app.queue.livecall "
                             "(QueueStore.live / live_many: a LiveCall)")


def test_the_guard_sees_a_direct_read():
    # The guard above must fail on the ways the hash used to be read outside the queue.
    for source in ("store.redis.hgetall(store.keys.call(sid))",
                   "pipe.hmget(keys.call(sid), 'number')",
                   "r.hgetall(Keys('cc').call(sid))",
                   "r.hgetall(f'{prefix}:call:{sid}')",
                   "queue_services().store.call(sid).get('agent')",
                   "self.store.call(sid)",
                   "store.call(sid)['state']",
                   "from app.queue.livecall import read_fields",
                   "livecall.read_fields(client, sid)",
                   "LUA = \"local ck = k('call', ARGV[2])\""):
        assert _reads_the_call_hash(ast.parse(source)), source


def test_every_script_says_its_keys_and_arguments():
    from app.queue import lua

    scripts = lua.scripts()
    assert len(scripts) >= 25
    for name, script in scripts.items():
        starts = [line.split(":")[0] for line in script.doc.splitlines()]
        assert "KEYS" in starts and "ARGV" in starts, name
        if not script.floor:
            # A script that declares its keys builds none: no prefix, no key builder.
            assert "prefix" not in script.source and "k(" not in script.source, name
