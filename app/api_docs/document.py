"""The OpenAPI document: base.yaml here plus every package's `app/<pkg>/openapi.yaml`.

Each fragment has top-level `paths:` and optionally `components:` and `tags:`. Fragments may
not disagree: the same operation (path and method) or the same component name defined twice
differently is an error, raised when the document is built (and so in the tests).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

APP_DIR = Path(__file__).resolve().parent.parent
BASE = Path(__file__).resolve().parent / "base.yaml"


class FragmentConflict(ValueError):
    pass


def fragment_files(app_dir: Path = APP_DIR) -> list[Path]:
    return sorted(app_dir.glob("*/openapi.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise FragmentConflict(f"{path}: not a mapping")
    return data


def _merge_paths(into: dict[str, Any], paths: dict[str, Any], source: str) -> None:
    for path, item in (paths or {}).items():
        target = into.setdefault(path, {})
        for key, value in (item or {}).items():
            if key in target and target[key] != value:
                if key == "parameters":
                    # Path-level parameters shared by two fragments: both must agree.
                    raise FragmentConflict(f"{source}: {path} parameters differ")
                raise FragmentConflict(f"{source}: {key.upper()} {path} is defined twice")
            target[key] = value


def _merge_components(into: dict[str, Any], components: dict[str, Any], source: str) -> None:
    for section, items in (components or {}).items():
        target = into.setdefault(section, {})
        for name, value in (items or {}).items():
            if name in target and target[name] != value:
                raise FragmentConflict(f"{source}: components.{section}.{name} differs from "
                                       "another fragment's")
            target[name] = value


def build_document(files: list[Path] | None = None, base: Path = BASE) -> dict[str, Any]:
    document = copy.deepcopy(_load(base))
    document.setdefault("paths", {})
    document.setdefault("components", {})
    tags = {t["name"]: t for t in document.get("tags", [])}
    for path in fragment_files() if files is None else files:
        fragment = _load(path)
        source = f"{path.parent.name}/{path.name}"
        _merge_paths(document["paths"], fragment.get("paths") or {}, source)
        _merge_components(document["components"], fragment.get("components") or {}, source)
        for tag in fragment.get("tags") or []:
            tags.setdefault(tag["name"], tag)
    document["tags"] = list(tags.values())
    document["paths"] = dict(sorted(document["paths"].items()))
    return document
