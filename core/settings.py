"""User settings kept beside the database (settings.json): things that are not part of a report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.paths import data_dir
from core.reportfile import write_atomic

SETTINGS_FILE = "settings.json"


def settings_path() -> Path:
    return data_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> dict[str, Any]:
    """The settings; a missing or unreadable file gives the defaults (the file is left alone)."""
    target = path or settings_path()
    try:
        data = json.loads(target.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_settings(settings: dict[str, Any], path: Path | None = None) -> None:
    target = path or settings_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, (json.dumps(settings, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def pdf_font_overrides(settings: dict[str, Any]) -> dict[str, str]:
    """Font files the user chose for the PDF roles (song, hei, kai, fang, title)."""
    fonts = settings.get("pdf_fonts", {})
    if not isinstance(fonts, dict):
        return {}
    return {str(k): str(v) for k, v in fonts.items() if isinstance(v, str) and v}
