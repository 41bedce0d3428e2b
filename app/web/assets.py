"""Static files that browsers keep: URLs carry a version, so they can be cached for a year.

`asset_url("css/app.css")` -> /static/web/css/app.css?v=<hash of its size and mtime>. A new
build changes the hash, so a browser never runs a stale script; an unversioned URL is still
served, revalidated every time as before.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Blueprint, current_app, request, url_for

YEAR = 365 * 24 * 3600


class AssetsBlueprint(Blueprint):
    def get_send_file_max_age(self, filename: str | None) -> int | None:
        if request.args.get("v"):
            return YEAR
        return super().get_send_file_max_age(filename)


def _version(static_folder: str, filename: str) -> str:
    cache: dict[str, str] = current_app.extensions.setdefault("web.asset_versions", {})
    version = cache.get(filename)
    if version is None:
        try:
            stat = os.stat(os.path.join(static_folder, filename))
            version = hashlib.sha1(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:10]
        except OSError:
            version = ""
        # In debug, files change under a running server: look again next time.
        if not current_app.debug:
            cache[filename] = version
    return version


def asset_url(filename: str, **values: Any) -> str:
    """The URL of a file in app/web/static, with its version for long caching."""
    from app.web import bp

    version = _version(bp.static_folder or "", filename)
    return url_for("web.static", filename=filename, **({"v": version} if version else {}),
                   **values)
