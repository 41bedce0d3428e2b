"""One REST request checked against Twilio's OpenAPI description of the 2010-04-01 API.

The description is Twilio's own (`sim/spec/twilio_api_v2010.json`, from GitHub
twilio/twilio-oai; see `sim/spec/README.md`). A request is held to it as the emulator's REST
API receives it: the path must match a declared path and that path must declare the method,
path parameters must match their schemas (a conference's `Sid` is `^CF[0-9a-fA-F]{32}$` where
the description says so), every form field and query parameter must be declared for the
operation, required fields must be present, and values must fit their schema (enumerations,
integers, booleans; each value of a repeated field such as `StatusCallbackEvent`).

What a violation costs the caller is Twilio's business, not this module's: `sim/rest.py`
answers path violations with 404 / 20404, records unknown parameters as warning 20001 and
refuses missing or invalid values with 400 (`rest_error`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).parent / "spec" / "twilio_api_v2010.json"
METHODS = ("get", "post", "delete")

# Kinds of violation. `unknown` is a warning at Twilio (20001: "were not recognized and were
# ignored"); the others are refused.
PATH, METHOD, PATTERN, UNKNOWN, REQUIRED, ENUM, TYPE = (
    "path", "method", "pattern", "unknown", "required", "enum", "type")

# Documented by Twilio but absent from the description: a recording's media, fetched by its
# SID with `.mp3`, `.wav` or no extension (Recording resource, "Fetch a Recording media file").
MEDIA = re.compile(r"^/2010-04-01/Accounts/(?P<AccountSid>[^/]+)/Recordings/"
                   r"(?P<Sid>RE[0-9a-fA-F]{32})(\.mp3|\.wav)?$")


@dataclass(frozen=True)
class Violation:
    kind: str
    name: str | None
    message: str

    @property
    def warning(self) -> bool:
        return self.kind == UNKNOWN

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "message": self.message}


@dataclass
class Verdict:
    """What the description says of one request: its operation (None when no path or
    method matched) and everything wrong with it."""

    method: str
    path: str
    operation: str | None = None
    template: str | None = None
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def of(self, *kinds: str) -> list[Violation]:
        return [v for v in self.violations if v.kind in kinds]

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "operation": self.operation,
                "violations": [v.as_dict() for v in self.violations]}


@dataclass
class _Operation:
    operation_id: str
    path_params: dict[str, dict[str, Any]]
    query_params: dict[str, dict[str, Any]]
    body: dict[str, dict[str, Any]]
    required: frozenset[str]


@dataclass
class _Path:
    template: str
    regex: re.Pattern[str]
    operations: dict[str, _Operation]


class Spec:
    """The paths and operations of an OpenAPI 3 document, ready to check requests."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._schemas = document.get("components", {}).get("schemas", {})
        self.paths = [self._path(t, item) for t, item in document["paths"].items()]
        # Literal paths first: `/Calls/Events.json`-style siblings must not be taken as a SID.
        self.paths.sort(key=lambda p: p.template.count("{"))

    @classmethod
    def load(cls, path: str | Path = SPEC_PATH) -> Spec:
        with open(path, encoding="utf-8") as fh:
            return cls(json.load(fh))

    def check(self, method: str, path: str, form: Mapping[str, Iterable[str]] | None = None,
              query: Mapping[str, Iterable[str]] | None = None) -> Verdict:
        """Check one request: `path` as sent (percent-decoded), `form` and `query` as
        name -> list of values (a repeated field has several)."""
        verb = method.lower()
        form = {k: list(v) for k, v in (form or {}).items()}
        query = {k: list(v) for k, v in (query or {}).items()}
        verdict = Verdict(method.upper(), path)
        if verb == "get" and MEDIA.match(path):
            verdict.operation, verdict.template = "FetchRecordingMedia", MEDIA.pattern
            return verdict
        matched = [(p, m) for p in self.paths if (m := p.regex.match(path))]
        if not matched:
            verdict.violations.append(Violation(PATH, None, f"no declared path matches {path}"))
            return verdict
        with_method = [(p, m) for p, m in matched if verb in p.operations]
        if not with_method:
            verdict.violations.append(Violation(
                METHOD, None, f"{method.upper()} is not declared for {matched[0][0].template}"))
            return verdict
        spec_path, match = with_method[0]
        op = spec_path.operations[verb]
        verdict.operation, verdict.template = op.operation_id, spec_path.template
        for name, value in match.groupdict().items():
            schema = op.path_params.get(name, {})
            problem = self._value_problem(schema, value)
            if problem:
                verdict.violations.append(Violation(
                    PATTERN, name, f"path parameter {name}={value!r} {problem}"))
        verdict.violations += self._fields(op.body, op.required, form, "form field")
        verdict.violations += self._fields(op.query_params, frozenset(), query,
                                           "query parameter")
        return verdict

    # -- building --------------------------------------------------------------------------

    def _path(self, template: str, item: Mapping[str, Any]) -> _Path:
        pattern = "".join(
            f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", template) if part)
        operations = {verb: self._operation(item[verb]) for verb in METHODS if verb in item}
        return _Path(template, re.compile(f"^{pattern}$"), operations)

    def _operation(self, op: Mapping[str, Any]) -> _Operation:
        params = op.get("parameters", [])
        body = (op.get("requestBody", {}).get("content", {})
                .get("application/x-www-form-urlencoded", {}).get("schema", {}))
        return _Operation(
            op.get("operationId", "?"),
            {p["name"]: self._resolve(p.get("schema", {})) for p in params if p["in"] == "path"},
            {p["name"]: self._resolve(p.get("schema", {})) for p in params if p["in"] == "query"},
            {name: self._resolve(s) for name, s in body.get("properties", {}).items()},
            frozenset(body.get("required", [])),
        )

    def _resolve(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if ref and ref.startswith("#/components/schemas/"):
            return {**self._resolve(self._schemas[ref.rsplit("/", 1)[1]]),
                    **{k: v for k, v in schema.items() if k != "$ref"}}
        out = dict(schema)
        if isinstance(out.get("items"), Mapping):
            out["items"] = self._resolve(out["items"])
        return out

    # -- checking --------------------------------------------------------------------------

    def _fields(self, declared: Mapping[str, dict[str, Any]], required: frozenset[str],
                given: Mapping[str, list[str]], what: str) -> list[Violation]:
        out: list[Violation] = []
        unknown = sorted(name for name in given if name not in declared)
        if unknown:
            out.append(Violation(UNKNOWN, ", ".join(unknown),
                                 f"unknown {what}(s): {', '.join(unknown)}"))
        out += [Violation(REQUIRED, name, f"required {what} {name} is missing")
                for name in sorted(required)
                if not any(v != "" for v in given.get(name, []))]
        for name, values in given.items():
            schema = declared.get(name)
            if schema is None:
                continue
            if schema.get("type") == "array":
                item = schema.get("items", {})
            else:
                item = schema
                if len(values) > 1:
                    out.append(Violation(TYPE, name, f"{what} {name} is not a list but was "
                                                     f"sent {len(values)} times"))
            for value in values:
                problem = self._value_problem(item, value)
                if problem:
                    kind = ENUM if "enum" in item and problem.startswith("is not one of") \
                        else TYPE
                    out.append(Violation(kind, name, f"{what} {name}={value!r} {problem}"))
        return out

    @staticmethod
    def _value_problem(schema: Mapping[str, Any], value: str) -> str | None:
        """Why `value` (as sent: form values are strings) does not fit `schema`, or None."""
        if "enum" in schema and value not in schema["enum"]:
            return f"is not one of {schema['enum']}"
        kind = schema.get("type")
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            return "is not an integer"
        if kind == "boolean" and value.lower() not in ("true", "false"):
            return "is not true or false"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return f"does not match {schema['pattern']}"
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"is shorter than {schema['minLength']}"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"is longer than {schema['maxLength']}"
        return None


@lru_cache(maxsize=1)
def twilio_v2010() -> Spec:
    """Twilio's description of the 2010-04-01 API, read once per process."""
    return Spec.load()
