"""The app's version and how it runs (a PyInstaller bundle, a virtualenv, the system's Python), for
帮助 → 关于 and support requests.

The version is looked for, in this order, so that it is right from a source checkout (an editable
install's metadata goes stale when pyproject.toml changes), from an installed wheel and from a frozen
bundle that has no package metadata:
1. pyproject.toml beside the code (the source tree, or the bundle folder `sys._MEIPASS` when the
   bundle carries it), if it names this project;
2. resources/version.txt beside the code (a bundle build may write it: one line, the version);
3. the installed package's metadata;
4. "未知"."""

from __future__ import annotations

import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

DIST_NAME = "gov-disclosure-annual-report"
UNKNOWN = "未知"
VERSION_FILE = Path("resources") / "version.txt"


def code_root() -> Path:
    """The folder holding the packages core/, ui/ … : the source tree, site-packages, or the unpacked
    bundle (`sys._MEIPASS`)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def _from_pyproject(path: Path) -> str | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    project = data.get("project")
    if not isinstance(project, dict) or project.get("name") != DIST_NAME:
        return None  # some other project's file
    version = project.get("version")
    return version.strip() if isinstance(version, str) and version.strip() else None


def _from_version_file(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    first = text.splitlines()[0].strip() if text else ""
    return first or None


def _from_metadata() -> str | None:
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:
        return None


def find_version(root: Path) -> str:
    """The version as seen from the code folder `root` (see the module's docstring for the order)."""
    return (
        _from_pyproject(root / "pyproject.toml")
        or _from_version_file(root / VERSION_FILE)
        or _from_metadata()
        or UNKNOWN
    )


@cache
def app_version() -> str:
    return find_version(code_root())


def run_mode() -> str:
    """How this process runs, in Chinese: the bundle's folder, the virtualenv, or the system's Python."""
    if getattr(sys, "frozen", False):
        return f"打包程序（PyInstaller），位于 {Path(sys.executable).resolve().parent}"
    if sys.prefix != sys.base_prefix:
        return f"虚拟环境 {sys.prefix}（Python：{sys.executable}）"
    return f"系统 Python {sys.executable}"


def install_kind() -> str:
    """Where the app's own code comes from, in Chinese: a source folder or an installed package."""
    root = code_root()
    if getattr(sys, "frozen", False):
        return f"打包程序内 {root}"
    if (root / "pyproject.toml").is_file():
        return f"源代码文件夹 {root}"
    return f"已安装的软件包 {root}"
