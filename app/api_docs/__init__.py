"""The OpenAPI document of the JSON API, merged from each package's openapi.yaml."""

from flask import Blueprint

bp = Blueprint("api_docs", __name__)

from app.api_docs import pages  # noqa: E402,F401  (attach to bp)
