"""The interactive voice response: the first thing every caller hears.

One blueprint carries the webhooks (/ivr/...), the prompt and department API (/api/...) and
three CLI groups (`flask prompts`, `flask departments`, `flask ivr`), so registering it is all
the app factory does. No URL prefix: the API lives under /api like every other package's.
"""

from flask import Blueprint, Flask

bp = Blueprint("ivr", __name__, cli_group=None)


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.floor.prompts import register_defaults
    from app.ivr.prompt_defaults import IVR_PROMPTS

    app.register_blueprint(bp)

    register_defaults(app, IVR_PROMPTS)


from app.ivr import api, cli, webhooks  # noqa: E402,F401  (attach to bp)
