"""Administration pages for supervisors: prompts, departments, ladder, boxes, agents.

Server-rendered forms (CSRF field on each); every change goes through the owning package's
service and its validation, and a refused change is shown with its reason.
"""

from flask import Blueprint, Flask

bp = Blueprint('admin', __name__, url_prefix='/admin', template_folder="templates")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI)."""
    app.register_blueprint(bp)


from app.admin import (  # noqa: E402,F401  (attach to bp)
    agents_pages,
    departments_pages,
    pages,
    prompts_pages,
    voicemail_pages,
)
