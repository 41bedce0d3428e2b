"""The OpenAPI document: merged from every package's fragment, covering every JSON route,
naming nothing the app does not serve, and errors always in the one shape."""

from __future__ import annotations

import re

import pytest
import yaml

from app.api_docs.document import FragmentConflict, build_document, fragment_files
from tests.security.conftest import routes, webhook_kind

METHODS = ("get", "post", "put", "patch", "delete")
NOT_IN_THE_API = {"/api/openapi.json", "/api/docs", "/api/docs/<any('docs.js', 'docs.css'):name>"}


def json_routes(app, everything: bool = False) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every JSON API route the app serves (with `everything`,
    of every route but the webhooks)."""
    found = set()
    for rule, method in routes(app):
        if webhook_kind(app, rule) or rule.rule in NOT_IN_THE_API:
            continue
        if not everything and "/api/" not in rule.rule:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        found.add((path, method.lower()))
    return found


def documented(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items()
            for method in METHODS if method in item}


def test_the_app_serves_the_merged_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer",
                                 "description": schemes["bearer"]["description"]}
    assert (schemes["session"]["in"], schemes["csrf"]["name"]) == ("cookie", "X-CSRF-Token")
    assert set(document["components"]["schemas"]["Error"]["properties"]) == {"error"}
    # Every package that documents itself is in it.
    for fragment in fragment_files():
        paths = (yaml.safe_load(fragment.read_text()) or {}).get("paths") or {}
        assert set(paths) <= set(document["paths"]), fragment


def test_every_json_route_is_documented(app):
    missing = json_routes(app) - documented(build_document())
    assert not missing, "Document these in app/<package>/openapi.yaml:\n" + "\n".join(
        f"{m.upper()} {p}" for p, m in sorted(missing))


def test_nothing_documented_that_the_app_does_not_serve(app):
    stale = documented(build_document()) - json_routes(app, everything=True)
    assert not stale, "Documented but not served:\n" + "\n".join(
        f"{m.upper()} {p}" for p, m in sorted(stale))


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_reference_resolves_and_every_error_is_the_error_shape():
    document = build_document()
    components = document["components"]
    for ref in set(_refs(document)):
        _, _, section, name = ref.split("/")
        assert name in components.get(section, {}), f"unresolved {ref}"
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            responses = item[method].get("responses") or {}
            assert responses, f"{method.upper()} {path} documents no response"
            for code, response in responses.items():
                if not str(code).startswith(("4", "5")):
                    continue
                if "$ref" in response:
                    response = components["responses"][response["$ref"].split("/")[-1]]
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, code)


def test_two_fragments_that_disagree_are_refused(tmp_path):
    def fragment(name: str, method: str, summary: str):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"paths": {"/api/x": {method: {
            "summary": summary, "responses": {"200": {"description": summary}}}}}}))
        return path

    with pytest.raises(FragmentConflict):
        build_document([fragment("one", "get", "one"), fragment("two", "get", "two")])
    merged = build_document([fragment("one", "get", "one"), fragment("two", "post", "two")])
    assert set(merged["paths"]["/api/x"]) == {"get", "post"}


def test_the_docs_page_reads_the_document_from_this_origin_only(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert '<script src="/api/docs/docs.js">' in html
    assert "http" not in html.replace("/api/", "")  # no CDN
    script = client.get("/api/docs/docs.js")
    assert script.status_code == 200 and b"/api/openapi.json" in script.get_data()
    assert client.get("/api/docs/other.js").status_code == 404
