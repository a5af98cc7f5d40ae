"""Where the app keeps its files: one place, so tests can point it elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "gov-disclosure-annual-report"
# Tests and portable installs set this to keep everything in one folder.
DATA_DIR_ENV = "GOV_REPORT_DATA_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Files the app can make again at will (parsed fonts): <data dir>/cache when the data folder is
    set, else the user's cache folder (Linux ~/.cache/…, Windows %LOCALAPPDATA%\\…\\Cache)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override) / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "reports.sqlite3"
