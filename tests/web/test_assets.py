"""The layout's static files: versioned URLs cached for a year, plain URLs revalidated."""

from __future__ import annotations

import re

from tests.web.conftest import sign_in


def test_pages_link_versioned_assets_that_browsers_keep(client, people):
    sign_in(client)
    html = client.get("/console").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="(/static/web/[^"]+)"', html)
    assert any("css/app.css?v=" in url for url in urls)
    assert any("js/console.js?v=" in url for url in urls)
    for url in urls:
        assert "?v=" in url, url
        response = client.get(url)
        assert response.status_code == 200, url
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_an_unversioned_asset_is_revalidated(client):
    response = client.get("/static/web/css/app.css")
    assert response.status_code == 200
    assert "max-age=31536000" not in response.headers.get("Cache-Control", "")
    assert response.headers.get("ETag") or response.headers.get("Last-Modified")
