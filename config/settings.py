"""Every setting declared once (`AppSettings`), and the Flask config classes read from the
environment by those declarations (`DevelopmentConfig`, `TestingConfig`, `ProductionConfig`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"

# Fixed, obviously fake credentials so the app and the emulator agree out of the box.
# They are only defaults for development/testing; production requires real ones.
DEV_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEV_AUTH_TOKEN = "dev-auth-token-not-a-secret"
DEV_API_KEY = "SK" + "0" * 31 + "1"
DEV_API_SECRET = "dev-api-secret-not-a-secret-0123456789"
DEV_TWIML_APP_SID = "AP" + "0" * 31 + "1"
DEV_NUMBER = "+15005550006"
# Public in this repository, so never good enough for production or for real Twilio.
DEV_SECRET_KEY = "dev-secret-key-change-me"
DEV_ADMIN_API_TOKEN = "dev-admin-token"
# Settings whose development value would let anyone in: signed sessions, the operators' API,
# and forged Twilio webhooks (the signature check uses the auth token).
GUARDED_SECRETS = {
    "SECRET_KEY": DEV_SECRET_KEY,
    "ADMIN_API_TOKEN": DEV_ADMIN_API_TOKEN,
    "TWILIO_AUTH_TOKEN": DEV_AUTH_TOKEN,
}


def database_uri(url: str) -> str:
    """Hosts hand out `postgres://` or bare `postgresql://` URLs; the driver we ship is psycopg 3.

    SQLAlchemy refuses `postgres://` and reads a bare `postgresql://` as psycopg2, which is
    not installed.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _origin(url: str) -> str:
    return url.rstrip("/")


# A setting's environment variable is its own name unless it says otherwise ("": its own
# name); None: not read from the environment at all.
_OWN_NAME = ""


def setting(default: Any, doc: str, *, env: str | None = _OWN_NAME,
            convert: Callable[[Any], Any] | None = None) -> Any:
    """Declare one setting of `AppSettings`: its default and one line on what it does.

    `default` is a value or a function of the settings declared above it (a URL built from
    the port); `convert` normalises what the environment gives (and the default).
    """
    return field(metadata={"default": default, "doc": doc, "env": env, "convert": convert})


@dataclass(frozen=True)
class AppSettings:
    """Every setting of the app, declared once: name, type, default and what it does.

    The app reads them through `config.app_settings()`, a typed and read-only view of Flask's
    config; nothing outside this class restates a default (tests/config checks app/ for
    `config.get(...)`, and that README/docs document every setting here). Each is read from
    the environment variable of the same name (or a `.env` file) unless it says otherwise.
    """

    APP_ENV: str = setting("production", "development, testing or production: the settings "
                           "class (config_for)", env=None)
    PORT: int = setting(5000, "web port")
    # Where `make run` binds the web server. Loopback by default: the demo sign-ins are
    # printed on the screen. The Procfile binds ${WEB_HOST:-0.0.0.0}, as platforms expect.
    WEB_HOST: str = setting("127.0.0.1", "the address `make run` binds the web server to")
    SECRET_KEY: str = setting(DEV_SECRET_KEY, "signs sessions; required in production")
    SQLALCHEMY_DATABASE_URI: str = setting(
        f"sqlite:///{VAR / 'callcentre.sqlite3'}", "SQLAlchemy URL of the database",
        env="DATABASE_URL", convert=database_uri)
    REDIS_URL: str = setting("redis://127.0.0.1:6389/0", "Redis: queues, hold clock, presence")
    RQ_QUEUE: str = setting("default", "the RQ queue web enqueues on and the worker listens to")

    # Twilio: conventional names. TWILIO_MODE=emulator points the REST client at the
    # offline emulator (TWILIO_API_BASE_URL); TWILIO_MODE=live talks to api.twilio.com.
    TWILIO_MODE: str = setting("emulator", "emulator or live (live by default in production)")
    TWILIO_ACCOUNT_SID: str = setting(DEV_ACCOUNT_SID, "the Twilio account")
    TWILIO_AUTH_TOKEN: str = setting(DEV_AUTH_TOKEN, "checks webhook signatures; REST auth")
    TWILIO_API_KEY: str = setting(DEV_API_KEY, "signs the softphones' access tokens")
    TWILIO_API_SECRET: str = setting(DEV_API_SECRET, "signs the softphones' access tokens")
    TWILIO_TWIML_APP_SID: str = setting(DEV_TWIML_APP_SID, "the softphones' TwiML App")
    TWILIO_PHONE_NUMBER: str = setting(DEV_NUMBER, "the number callers dial; our caller ID")
    TWILIO_API_BASE_URL: str = setting("http://127.0.0.1:8099", "the emulator's REST API")
    EMULATOR_PORT: int = setting(8099, "the port `make run` gives the emulator")
    # Twilio's REST API failing or slow (docs/faults.md): how long one request may take,
    # and how often a request that is safe to repeat is retried.
    TWILIO_REST_TIMEOUT_SECONDS: float = setting(3.0, "how long one REST request may take")
    TWILIO_REST_RETRIES: int = setting(2, "retries of a REST request that is safe to repeat")
    TWILIO_REST_POOL_SIZE: int = setting(32, "REST connections kept alive, one per thread")
    # The account's calls-per-second limit (Twilio's default is 1): the budget every process
    # shares for the calls the app creates over the API (docs/queue.md, docs/deploy.md).
    TWILIO_CPS: float = setting(1.0, "the account's calls per second, shared by every process")

    # The URL Twilio uses to reach us. Signatures are computed over it, so behind a
    # proxy the app must rebuild it from this rather than from the request's Host.
    PUBLIC_BASE_URL: str = setting(lambda s: f"http://127.0.0.1:{s['PORT']}",
                                   "the URL Twilio reaches the app at", convert=_origin)

    ORGANISATION_NAME: str = setting("Example Support", "said in the greeting")
    DEFAULT_REGION: str = setting("US", "region of numbers written without a country code")
    DEFAULT_LANGUAGE: str = setting("en", "the language unknown callers are greeted in")
    # Empty: every language of app/floor/locales, in their menu order (docs/ivr.md).
    IVR_LANGUAGES: str = setting("", "languages offered, in menu order (codes, comma-separated)")
    IVR_MAX_ATTEMPTS: int = setting(3, "menu tries before the default department")
    # Of those, how many a caller who gives no input at all gets (R3, R4): one round of
    # the menu (~17 s with the demo's three departments) puts them in line within 30 s
    # of the greeting, where three rounds took ~59 s (docs/ivr.md).
    IVR_NO_INPUT_ATTEMPTS: int = setting(1, "menu tries a silent caller gets")
    IVR_GATHER_TIMEOUT: int = setting(5, "seconds to wait for a key")
    IVR_ACCOUNT_TIMEOUT: int = setting(10, "seconds to wait for account digits")
    IVR_CACHE_SECONDS: float = setting(60.0, "how long prompts and departments are cached")
    # 0: the config-version counter is read on every request (bench/README.md).
    IVR_VERSION_POLL_SECONDS: float = setting(0.0, "how often a process rereads the IVR "
                                              "configuration's version counter")
    LOG_LEVEL: str = setting("INFO", "Python logging level")
    # Bearer token for operators and scripts on the JSON API (agents get their own later).
    ADMIN_API_TOKEN: str = setting(DEV_ADMIN_API_TOKEN, "operators' JSON API bearer token")
    # Queue and hold clock (see docs/queue.md).
    REDIS_KEY_TAG: str = setting("cc", "prefix (and cluster hash tag) of every Redis key")
    LOG_FORMAT: str = setting("text", "text or json (one object a line)")
    METRICS_TOKEN: str = setting("", "when set, GET /metrics wants it as a bearer token")
    HOLD_MUSIC_URL: str = setting(
        "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3",
        "what callers hear on hold")
    RING_TIMEOUT_SECONDS: int = setting(20, "how long an offered agent's phone rings")
    # line: an agent whose console holds its persistent line is offered on the console and
    # moved into the caller's room (no call created); anyone else is rung over the API.
    # ring: every agent is rung over the API (docs/queue.md, "The agent's line").
    AGENT_RING_MODE: str = setting("line", "line or ring: how agents are offered callers")
    WRAP_UP_SECONDS: int = setting(30, "an agent's wrap-up after a call")
    # A clock process killed mid-step leaves its claim; another takes it over after this.
    # Above the longest step (a REST request and its retries: 3 x 3 s), and short enough
    # that an offer due at 45 s and retaken after a crash still comes before 60 s.
    HOLD_CLOCK_LEASE_SECONDS: float = setting(10.0, "how long a clock's claim on a step lasts")
    # Threads sending the offers' REST redirects, per clock process: each sends about one
    # per Twilio round trip (~0.2 s), so 16 threads ~80 offers a second (docs/queue.md).
    HOLD_CLOCK_OFFER_THREADS: int = setting(16, "threads sending offers, per clock process")
    # Call controls (see docs/call-controls.md): agent hold warnings and limit, transfers.
    AGENT_HOLD_WARNINGS: str = setting("30,45", "seconds on agent hold the agent is warned at")
    AGENT_HOLD_LIMIT_SECONDS: int = setting(55, "longest agent hold")
    TRANSFER_RING_TIMEOUT_SECONDS: int = setting(20, "how long a transfer target rings")
    # Wrap-up form choices (see docs/call-controls.md); empty: the shipped lists.
    WRAPUP_OUTCOMES: str = setting("", 'wrap-up outcomes, "id:Label,..."')
    WRAPUP_TAGS: str = setting("", 'wrap-up tags, "id=department:Label,..."')
    AGENT_TOKEN_HOURS: int = setting(12, "lifetime of an agent's API token")
    EMBEDDED_REDIS_PORT: int = setting(6389, "port of the embedded Redis of `make run`")
    # Voicemail and callbacks (see docs/voicemail.md).
    VOICEMAIL_MAX_SECONDS: int = setting(120, "longest voicemail recording")
    VOICEMAIL_MIN_SECONDS: int = setting(2, "shorter recordings are not kept")
    VOICEMAIL_RETENTION_DAYS: int = setting(90, "how long voicemails are kept")
    CALLBACK_TARGET_MINUTES: int = setting(15, "when a callback is due")
    CALLBACK_MAX_ATTEMPTS: int = setting(3, "callback attempts before giving up")
    CALLBACK_RETRY_MINUTES: int = setting(30, "between callback attempts")
    CALLBACK_REALERT_MINUTES: int = setting(30, "an unanswered callback alert is repeated")
    CALLBACK_CALLER_ID: str = setting("", "caller ID of callbacks (empty: our number)")
    # Browser sign-in (see docs/console.md): sessions, cookies, failed sign-in limits.
    SESSION_HOURS: int = setting(12, "lifetime of a browser session")
    SESSION_COOKIE_NAME: str = setting("callcentre_session", "the session cookie's name")
    SESSION_COOKIE_SECURE: bool = setting(lambda s: s["PUBLIC_BASE_URL"].startswith("https://"),
                                          "session cookie sent over HTTPS only")
    SIGNIN_WINDOW_SECONDS: int = setting(900, "window failed sign-ins are counted over")
    SIGNIN_MAX_FAILURES: int = setting(5, "failed sign-ins per identity a window")
    SIGNIN_MAX_FAILURES_PER_ADDRESS: int = setting(20, "failed sign-ins per address a window")

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> AppSettings:
        """The typed view of a complete config mapping (Flask's); a missing key is a bug."""
        return cls(**{name: coerce(name, config[name]) for name in declared()})


def declared() -> dict[str, Field[Any]]:
    """The settings `AppSettings` declares, by name, in declaration order."""
    return _DECLARED


def declared_default(name: str) -> Any:
    """The declared default of `name` (a setting whose default is a value, not derived)."""
    return _DECLARED[name].metadata["default"]


def environment_name(name: str) -> str | None:
    """The environment variable `name` is read from (None: fixed by the settings class)."""
    env = _DECLARED[name].metadata["env"]
    return name if env == _OWN_NAME else env


def coerce(name: str, value: Any) -> Any:
    """`value` (from the environment, an override or a test) as the declared type of `name`."""
    kind = _TYPES[name]
    if kind is bool:
        return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
    if kind is str:
        return "" if value is None else str(value)
    return kind(value)


def from_environment(name: str, given: Mapping[str, Any] | None = None) -> Any:
    """The setting `name` as the environment gives it, else its declared default.

    `given` holds the settings already read, for a default derived from them.
    """
    meta = _DECLARED[name].metadata
    env = environment_name(name)
    raw = os.environ.get(env) if env else None
    value = meta["default"] if raw in (None, "") else raw
    if callable(value):
        value = value(given or {})
    if meta["convert"] is not None:
        value = meta["convert"](value)
    return coerce(name, value)


def read_environment(defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every setting read from the environment; `defaults` replaces some declared defaults."""
    values: dict[str, Any] = {}
    for name in _DECLARED:
        if defaults and name in defaults and not os.environ.get(environment_name(name) or ""):
            values[name] = coerce(name, defaults[name])
        else:
            values[name] = from_environment(name, values)
    return values


_TRUE = {"1", "true", "yes", "on"}
_DECLARED = {f.name: f for f in fields(AppSettings)}
_TYPES = get_type_hints(AppSettings)


class Settings:
    """A Flask config class: every declared setting (AppSettings) read at instantiation, so
    tests can set the environment first, plus Flask's own fixed keys."""

    ENV_NAME = "base"
    # Declared defaults this settings class replaces.
    DEFAULTS: dict[str, Any] = {}

    def __init__(self, **overrides: Any) -> None:
        load_dotenv(ROOT / ".env", override=False)
        for name, value in read_environment(self.DEFAULTS).items():
            setattr(self, name, value)
        # Flask's and its extensions' keys, fixed here rather than settings of ours.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.VALIDATE_TWILIO_SIGNATURE = True
        self.PERMANENT_SESSION_LIFETIME = self.SESSION_HOURS * 3600
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        for key, value in overrides.items():
            setattr(self, key, value)
        self.APP_ENV = self.ENV_NAME
        self.validate(overrides)

    def validate(self, overrides: dict[str, Any]) -> None:
        """Refuse to start with settings that would be unsafe (RuntimeError)."""
        if self.TWILIO_MODE == "live":
            # Whatever APP_ENV says: real callers must not reach an app anyone can sign into.
            self.refuse_development_secrets()

    def development_secrets(self) -> list[str]:
        """The guarded settings still holding the public development value."""
        return [name for name, dev in GUARDED_SECRETS.items() if getattr(self, name) == dev]

    def refuse_development_secrets(self) -> None:
        found = self.development_secrets()
        if found:
            raise RuntimeError(
                f"{', '.join(found)} still the public development value: set real ones "
                f"(TWILIO_MODE={self.TWILIO_MODE}, APP_ENV={self.ENV_NAME})")

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k.isupper()}


class DevelopmentConfig(Settings):
    ENV_NAME = "development"


class TestingConfig(Settings):
    ENV_NAME = "testing"

    def __init__(self, **overrides: Any) -> None:
        super().__init__(**overrides)
        self.TESTING = True


class ProductionConfig(Settings):
    ENV_NAME = "production"
    DEFAULTS = {"TWILIO_MODE": "live"}

    def validate(self, overrides: dict[str, Any]) -> None:
        missing = [
            name
            for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TWILIO_ACCOUNT_SID",
                         "ADMIN_API_TOKEN",
                         "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")
            if not os.environ.get(name) and name not in overrides
        ]
        if missing:
            raise RuntimeError(f"production settings need: {', '.join(missing)} (APP_ENV is "
                               "production when unset; APP_ENV=development for a checkout)")
        self.refuse_development_secrets()


_BY_NAME = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Settings]:
    """The settings class named by `name` or the APP_ENV variable.

    Production when unset: a deployment that forgets APP_ENV must not start with the public
    development secrets. `make`, the checkout's .flaskenv and the tests say which they want.
    """
    load_dotenv(ROOT / ".env", override=False)  # where the other settings may come from too
    name = (name or os.environ.get("APP_ENV") or declared_default("APP_ENV")).lower()
    try:
        return _BY_NAME[name]
    except KeyError:
        raise RuntimeError(f"unknown APP_ENV {name!r}; use one of {sorted(_BY_NAME)}") from None
