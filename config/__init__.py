"""Settings read from the environment (and a `.env` file).

Every setting is declared once, in `config.settings.AppSettings` (name, type, default, what
it does), and has a development default so `make run` works with no configuration; each one
set in the environment overrides its default on its own. The app reads them through
`app_settings()`, typed and read-only. README ("Configuration") and docs/ document them.
"""

from config.access import SettingsConfig, app_settings
from config.settings import (
    AppSettings,
    DevelopmentConfig,
    ProductionConfig,
    Settings,
    TestingConfig,
    config_for,
)

__all__ = ["AppSettings", "Settings", "DevelopmentConfig", "TestingConfig", "ProductionConfig",
           "SettingsConfig", "app_settings", "config_for"]
