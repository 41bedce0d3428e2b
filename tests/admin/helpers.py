"""Posting the administration pages' forms as a browser does (with the page's CSRF token)."""

from __future__ import annotations

from tests.dashboard.conftest import page_csrf


def post_form(client, path: str, data: dict, *, follow: bool = True):
    token = page_csrf(client.get("/admin"))
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=follow)


def text(response) -> str:
    return response.get_data(as_text=True)
