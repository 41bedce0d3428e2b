from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


def _env(name: str, default: Any) -> Any:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def database_uri(url: str) -> str:
    """Hosts hand out `postgres://` or bare `postgresql://` URLs; the driver we ship is psycopg 3.

    SQLAlchemy refuses `postgres://` and reads a bare `postgresql://` as psycopg2, which is
    not installed.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Settings:
    """Base settings. Read at instantiation, so tests can set the environment first."""

    ENV_NAME = "base"
    DEFAULT_TWILIO_MODE = "emulator"

    def __init__(self, **overrides: Any) -> None:
        load_dotenv(ROOT / ".env", override=False)
        port = int(_env("PORT", 5000))
        self.PORT = port
        # Where `make run` binds the web server. Loopback by default: the demo sign-ins are
        # printed on the screen. The Procfile binds ${WEB_HOST:-0.0.0.0}, as platforms expect.
        self.WEB_HOST = _env("WEB_HOST", "127.0.0.1")
        self.SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = database_uri(
            _env("DATABASE_URL", f"sqlite:///{VAR / 'callcentre.sqlite3'}")
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = _env("REDIS_URL", "redis://127.0.0.1:6389/0")
        self.RQ_QUEUE = _env("RQ_QUEUE", "default")

        # Twilio: conventional names. TWILIO_MODE=emulator points the REST client at the
        # offline emulator (TWILIO_API_BASE_URL); TWILIO_MODE=live talks to api.twilio.com.
        self.TWILIO_MODE = _env("TWILIO_MODE", self.DEFAULT_TWILIO_MODE)
        self.TWILIO_ACCOUNT_SID = _env("TWILIO_ACCOUNT_SID", DEV_ACCOUNT_SID)
        self.TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN", DEV_AUTH_TOKEN)
        self.TWILIO_API_KEY = _env("TWILIO_API_KEY", DEV_API_KEY)
        self.TWILIO_API_SECRET = _env("TWILIO_API_SECRET", DEV_API_SECRET)
        self.TWILIO_TWIML_APP_SID = _env("TWILIO_TWIML_APP_SID", DEV_TWIML_APP_SID)
        self.TWILIO_PHONE_NUMBER = _env("TWILIO_PHONE_NUMBER", DEV_NUMBER)
        self.TWILIO_API_BASE_URL = _env("TWILIO_API_BASE_URL", "http://127.0.0.1:8099")
        self.EMULATOR_PORT = int(_env("EMULATOR_PORT", 8099))
        # Twilio's REST API failing or slow (docs/faults.md): how long one request may take,
        # and how often a request that is safe to repeat is retried.
        self.TWILIO_REST_TIMEOUT_SECONDS = float(_env("TWILIO_REST_TIMEOUT_SECONDS", 3))
        self.TWILIO_REST_RETRIES = int(_env("TWILIO_REST_RETRIES", 2))

        # The URL Twilio uses to reach us. Signatures are computed over it, so behind a
        # proxy the app must rebuild it from this rather than from the request's Host.
        self.PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}").rstrip("/")
        self.VALIDATE_TWILIO_SIGNATURE = True

        self.ORGANISATION_NAME = _env("ORGANISATION_NAME", "Example Support")
        self.DEFAULT_REGION = _env("DEFAULT_REGION", "US")
        self.DEFAULT_LANGUAGE = _env("DEFAULT_LANGUAGE", "en")
        self.IVR_LANGUAGES = _env("IVR_LANGUAGES", "en,hi,bn,ms")  # offered, in menu order
        self.IVR_MAX_ATTEMPTS = int(_env("IVR_MAX_ATTEMPTS", 3))  # menu tries before default
        # Of those, how many a caller who gives no input at all gets (R3, R4): one round of
        # the menu (~17 s with the demo's three departments) puts them in line within 30 s
        # of the greeting, where three rounds took ~59 s (docs/ivr.md).
        self.IVR_NO_INPUT_ATTEMPTS = int(_env("IVR_NO_INPUT_ATTEMPTS", 1))
        self.IVR_GATHER_TIMEOUT = int(_env("IVR_GATHER_TIMEOUT", 5))  # seconds to wait for a key
        self.IVR_ACCOUNT_TIMEOUT = int(_env("IVR_ACCOUNT_TIMEOUT", 10))  # for account digits
        self.IVR_CACHE_SECONDS = float(_env("IVR_CACHE_SECONDS", 60))  # prompt/department cache
        self.LOG_LEVEL = _env("LOG_LEVEL", "INFO")
        # Bearer token for operators and scripts on the JSON API (agents get their own later).
        self.ADMIN_API_TOKEN = _env("ADMIN_API_TOKEN", DEV_ADMIN_API_TOKEN)
        # Queue and hold clock (see docs/queue.md).
        self.REDIS_KEY_TAG = _env("REDIS_KEY_TAG", "cc")
        self.LOG_FORMAT = _env("LOG_FORMAT", "text")  # text or json (one object a line)
        # When set, GET /metrics wants it as a bearer token (docs/observability.md).
        self.METRICS_TOKEN = _env("METRICS_TOKEN", "")
        self.HOLD_MUSIC_URL = _env(
            "HOLD_MUSIC_URL", "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3"
        )
        self.RING_TIMEOUT_SECONDS = int(_env("RING_TIMEOUT_SECONDS", 20))
        self.WRAP_UP_SECONDS = int(_env("WRAP_UP_SECONDS", 30))
        # A clock process killed mid-step leaves its claim; another takes it over after this.
        # Above the longest step (a REST request and its retries: 3 x 3 s), and short enough
        # that an offer due at 45 s and retaken after a crash still comes before 60 s.
        self.HOLD_CLOCK_LEASE_SECONDS = float(_env("HOLD_CLOCK_LEASE_SECONDS", 10))
        # Threads sending the offers' REST redirects, per clock process: each sends about one
        # per Twilio round trip (~0.2 s), so 16 threads ~80 offers a second (docs/queue.md).
        self.HOLD_CLOCK_OFFER_THREADS = int(_env("HOLD_CLOCK_OFFER_THREADS", 16))
        # Call controls (see docs/call-controls.md): agent hold warnings and limit, transfers.
        self.AGENT_HOLD_WARNINGS = _env("AGENT_HOLD_WARNINGS", "30,45")
        self.AGENT_HOLD_LIMIT_SECONDS = int(_env("AGENT_HOLD_LIMIT_SECONDS", 55))
        self.TRANSFER_RING_TIMEOUT_SECONDS = int(_env("TRANSFER_RING_TIMEOUT_SECONDS", 20))
        # Wrap-up form choices (see docs/call-controls.md); empty: the shipped lists.
        self.WRAPUP_OUTCOMES = _env("WRAPUP_OUTCOMES", "")  # "id:Label,..."
        self.WRAPUP_TAGS = _env("WRAPUP_TAGS", "")  # "id=department:Label,..."
        self.AGENT_TOKEN_HOURS = int(_env("AGENT_TOKEN_HOURS", 12))
        self.EMBEDDED_REDIS_PORT = int(_env("EMBEDDED_REDIS_PORT", 6389))
        # Voicemail and callbacks (see docs/voicemail.md).
        self.VOICEMAIL_MAX_SECONDS = int(_env("VOICEMAIL_MAX_SECONDS", 120))
        self.VOICEMAIL_MIN_SECONDS = int(_env("VOICEMAIL_MIN_SECONDS", 2))
        self.VOICEMAIL_RETENTION_DAYS = int(_env("VOICEMAIL_RETENTION_DAYS", 90))
        self.CALLBACK_TARGET_MINUTES = int(_env("CALLBACK_TARGET_MINUTES", 15))
        self.CALLBACK_MAX_ATTEMPTS = int(_env("CALLBACK_MAX_ATTEMPTS", 3))
        self.CALLBACK_RETRY_MINUTES = int(_env("CALLBACK_RETRY_MINUTES", 30))
        self.CALLBACK_REALERT_MINUTES = int(_env("CALLBACK_REALERT_MINUTES", 30))
        self.CALLBACK_CALLER_ID = _env("CALLBACK_CALLER_ID", "")
        # Browser sign-in (see docs/console.md): sessions, cookies, failed sign-in limits.
        self.SESSION_HOURS = int(_env("SESSION_HOURS", 12))
        self.PERMANENT_SESSION_LIFETIME = self.SESSION_HOURS * 3600
        self.SESSION_COOKIE_NAME = _env("SESSION_COOKIE_NAME", "callcentre_session")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _env_bool(
            "SESSION_COOKIE_SECURE", self.PUBLIC_BASE_URL.startswith("https://"))
        self.SIGNIN_WINDOW_SECONDS = int(_env("SIGNIN_WINDOW_SECONDS", 900))
        self.SIGNIN_MAX_FAILURES = int(_env("SIGNIN_MAX_FAILURES", 5))  # per identity a window
        self.SIGNIN_MAX_FAILURES_PER_ADDRESS = int(_env("SIGNIN_MAX_FAILURES_PER_ADDRESS", 20))
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
    DEFAULT_TWILIO_MODE = "live"

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
    name = (name or os.environ.get("APP_ENV") or "production").lower()
    try:
        return _BY_NAME[name]
    except KeyError:
        raise RuntimeError(f"unknown APP_ENV {name!r}; use one of {sorted(_BY_NAME)}") from None
