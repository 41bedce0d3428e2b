"""The app's typed, read-only view of its settings: `app_settings(app)`.

Flask's config mapping stays the source (Flask and its extensions read their keys from it);
`SettingsConfig` keeps one `AppSettings` built from it and drops it whenever a key changes,
so a test (or a CLI command) that sets `app.config[...]` after `create_app` is read too.
"""

from __future__ import annotations

from typing import Any

from flask import Config, Flask, current_app

from config.settings import AppSettings


class SettingsConfig(Config):
    """Flask's config, keeping its typed view until a key changes."""

    _typed: AppSettings | None = None

    def typed(self) -> AppSettings:
        view = self._typed
        if view is None:
            view = self._typed = AppSettings.from_mapping(self)
        return view

    # Every way a dict changes: the view is rebuilt on its next read.
    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._typed = None

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._typed = None

    def __ior__(self, other: Any) -> SettingsConfig:
        self.update(other)
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._typed = None

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._typed = None
        return super().setdefault(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        self._typed = None
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self._typed = None
        return super().popitem()

    def clear(self) -> None:
        super().clear()
        self._typed = None


def app_settings(app: Flask | None = None) -> AppSettings:
    """The settings of `app` (default: the current app), typed and read-only."""
    config = (app or current_app).config
    if isinstance(config, SettingsConfig):
        return config.typed()
    return AppSettings.from_mapping(config)
