"""Settings classes read from the environment (and a `.env` file).

Every setting has a development default so `make run` works with no configuration; each one
set in the environment overrides its default on its own. See docs/configuration.md.
"""

from config.settings import (
    DevelopmentConfig,
    ProductionConfig,
    Settings,
    TestingConfig,
    config_for,
)

__all__ = ["Settings", "DevelopmentConfig", "TestingConfig", "ProductionConfig", "config_for"]
