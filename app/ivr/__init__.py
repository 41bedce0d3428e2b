"""The interactive voice response: the first thing every caller hears.

One blueprint carries the webhooks (/ivr/...), the prompt and department API (/api/...) and
three CLI groups (`flask prompts`, `flask departments`, `flask ivr`), so registering it is all
the app factory does. No URL prefix: the API lives under /api like every other package's.
"""

from flask import Blueprint

bp = Blueprint("ivr", __name__, cli_group=None)

from app.ivr import api, cli, routes  # noqa: E402,F401  (attach to bp)
