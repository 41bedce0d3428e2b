"""The offline test phone page: dial in through the emulator from a browser tab.

`/test-phone` (offline mode only): call in as any number, read the prompts as the emulator
speaks them, press keys, say words, hang up; the page talks to the app, which drives the
emulator's control API (`/_sim/...`).
"""

from flask import Blueprint

bp = Blueprint('testphone', __name__, url_prefix='/test-phone', template_folder="templates",
               static_folder="static")

from app.testphone import pages  # noqa: E402,F401  (attach to bp)
