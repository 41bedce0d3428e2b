"""After the call: wrap-up notes, outcome and feedback tags, and the post-call survey.

`register(app)` is all it takes: it brings the JSON API, the survey's webhook,
the `flask wrapup` commands, the survey prompts in the catalogue, the queue's after-call
hook (the survey, when the agent hangs up first) and the screen-pop's wrap-up fields.
"""

from flask import Blueprint, Flask

bp = Blueprint('wrapup', __name__, cli_group='wrapup')


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.customers.hooks import screen_pop_hooks
    from app.floor.prompts import register_defaults
    from app.queue.hooks import queue_hooks
    from app.wrapup.context import interaction_wrapups, last_wrapup
    from app.wrapup.phrases import SURVEY_PROMPTS
    from app.wrapup.survey import offer_survey

    app.register_blueprint(bp)

    register_defaults(app, SURVEY_PROMPTS)
    queue_hooks(app).after_call = offer_survey
    screen_pop_hooks(app).contribute("last_wrapup", last_wrapup)
    screen_pop_hooks(app).interaction_fields("wrapup", interaction_wrapups)


from app.wrapup import api, cli, webhooks  # noqa: E402,F401  (attach to bp)
