"""GET /api/openapi.json (the merged document) and GET /api/docs (a page that reads it)."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, jsonify, send_from_directory

from app.api_docs import bp
from app.api_docs.document import build_document

CACHE_KEY = "api_docs.document"
STATIC = Path(__file__).resolve().parent / "static"
# The page runs only its own script and reads only this origin.
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'"


def document() -> dict:
    """Built once per app: the fragments are files shipped with the code."""
    built = current_app.extensions.get(CACHE_KEY)
    if built is None:
        built = current_app.extensions[CACHE_KEY] = build_document()
    return built


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    return jsonify(document())


def _static(name: str) -> Response:
    response = send_from_directory(STATIC, name, max_age=300)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/api/docs")
def docs_page() -> Response:
    return _static("docs.html")


@bp.get("/api/docs/<any('docs.js', 'docs.css'):name>")
def docs_asset(name: str) -> Response:
    return _static(name)
