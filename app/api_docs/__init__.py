"""The OpenAPI document of the JSON API, merged from each package's openapi.yaml."""

from flask import Blueprint, Flask

bp = Blueprint("api_docs", __name__)


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI)."""
    app.register_blueprint(bp)


from app.api_docs import pages  # noqa: E402,F401  (attach to bp)
