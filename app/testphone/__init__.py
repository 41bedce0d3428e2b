"""The offline test phone page: dial in through the emulator from a browser tab.

`/test-phone` (offline mode only): call in as any number, read the prompts as the emulator
speaks them, press keys, say words, hang up; the page talks to the app, which drives the
emulator's control API (`/_sim/...`).
"""

from flask import Blueprint, Flask

bp = Blueprint('testphone', __name__, url_prefix='/test-phone', template_folder="templates",
               static_folder="static")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI)."""
    app.register_blueprint(bp)


from app.testphone import pages  # noqa: E402,F401  (attach to bp)
