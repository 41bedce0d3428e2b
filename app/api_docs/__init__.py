"""The OpenAPI document of the JSON API, merged from each package's openapi.yaml."""

from flask import Blueprint

bp = Blueprint('api_docs', __name__)
