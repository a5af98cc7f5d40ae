"""帮助 → 关于: the version (from pyproject.toml), how the app runs, the data folder, the database and its
backups, the PDF fonts per role and the rule packs, and 复制信息; and core/version.py's order of sources."""

from __future__ import annotations

import platform
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from core import rulepack, version
from core.backup import backups_dir
from core.paths import data_dir
from exports.fonts import ROLE_NAMES, ROLE_USES, ROLES
from tests.conftest import open_window
from ui.about import AboutDialog, about_text

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: str = data["project"]["version"]
    return found


@pytest.fixture
def clipboard() -> Iterator[None]:
    """The test may put text on the clipboard; it is cleared afterwards."""
    yield
    QApplication.clipboard().clear()


def test_version_comes_from_pyproject_beside_the_code() -> None:
    assert version.app_version() == _pyproject_version()
    assert version.install_kind().startswith("源代码文件夹")


def test_version_sources_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    def no_metadata(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", no_metadata)
    assert version.find_version(tmp_path) == version.UNKNOWN
    # A bundle's resources/version.txt (one line; blank lines and spaces ignored).
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "version.txt").write_text("\n 2.3.4 \nsomething else\n", encoding="utf-8")
    assert version.find_version(tmp_path) == "2.3.4"
    # Another project's pyproject.toml is not ours; a broken one is passed over.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "9.9"\n', encoding="utf-8")
    assert version.find_version(tmp_path) == "2.3.4"
    (tmp_path / "pyproject.toml").write_text("[project\nname = ", encoding="utf-8")
    assert version.find_version(tmp_path) == "2.3.4"
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "{version.DIST_NAME}"\nversion = "1.2.0"\n', encoding="utf-8"
    )
    assert version.find_version(tmp_path) == "1.2.0"
    # Neither file: the installed package's metadata.
    monkeypatch.setattr(metadata, "version", lambda name: "0.9.1" if name == version.DIST_NAME else "x")
    assert version.find_version(tmp_path / "elsewhere") == "0.9.1"


def test_frozen_bundle_reads_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PyInstaller sets sys.frozen and sys._MEIPASS (the unpacked folder); the executable sits beside it."""
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "version.txt").write_text("3.1.0\n", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path.parent / "gov-report"))
    assert version.code_root() == tmp_path
    assert version.find_version(version.code_root()) == "3.1.0"
    assert version.run_mode() == f"打包程序（PyInstaller），位于 {tmp_path.parent.resolve()}"
    assert version.install_kind() == f"打包程序内 {tmp_path}"


def test_run_mode_names_the_virtualenv_or_the_system_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "prefix", "/opt/venv")
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    assert version.run_mode().startswith("虚拟环境 /opt/venv")
    monkeypatch.setattr(sys, "prefix", "/usr")
    assert version.run_mode() == f"系统 Python {sys.executable}"


def test_about_text_says_where_everything_is(tmp_path: Path) -> None:
    db = tmp_path / "office" / "reports.sqlite3"
    text = about_text(db)
    lines = text.splitlines()
    assert lines[0] == "政府信息公开年报助手"
    assert f"版本：{_pyproject_version()}" in lines
    assert f"数据文件夹：{data_dir()}" in lines
    assert f"数据库：{db}" in lines
    assert f"备份文件夹：{backups_dir(db)}" in lines
    assert f"Python：{platform.python_version()}" in text
    assert f"操作系统：{platform.platform()}" in lines
    assert "PySide6 " in text
    assert "地方规则包：未安装" in lines


def test_fonts_listed_per_role_with_substitutions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from exports.fonts import FontFile, FontSet

    song = FontFile(tmp_path / "song.ttf", name="某宋体")
    hei = FontFile(tmp_path / "hei.ttc", index=1, name="某黑体")
    borrowed = frozenset({"kai", "fang", "title"})
    fontset = FontSet(song=song, hei=hei, kai=song, fang=song, title=hei, substituted=borrowed)
    monkeypatch.setattr("exports.fonts.find_fonts", lambda overrides=None: fontset)
    text = about_text()
    for role in ROLES:
        assert f"{ROLE_USES[role]}（{ROLE_NAMES[role]}）" in text
    assert f"{ROLE_USES['kai']}（{ROLE_NAMES['kai']}）（未找到，代用宋体）：某宋体  {song.path}" in text
    assert f"{ROLE_USES['title']}（{ROLE_NAMES['title']}）（未找到，代用黑体）：某黑体  {hei.path}#1" in text
    assert f"{ROLE_USES['song']}（{ROLE_NAMES['song']}）：某宋体" in text


def test_no_font_says_so_instead_of_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    from exports.fonts import FontError

    def none(overrides: object = None) -> object:
        raise FontError("没有找到可用的中文 TrueType 字体")

    monkeypatch.setattr("exports.fonts.find_fonts", none)
    assert "PDF 字体：\n  没有找到可用的中文 TrueType 字体\n" in about_text()


def test_installed_rule_packs_are_named() -> None:
    rulepack.install_text(rulepack.example_text(), "example.json")
    (pack,) = rulepack.installed_packs()
    assert f"地方规则包：{pack.name}（{pack.years_text}）" in about_text().splitlines()


def test_dialog_shows_the_text_and_copies_it(qtbot: QtBot, tmp_path: Path, clipboard: None) -> None:
    db = tmp_path / "reports.sqlite3"
    dialog = AboutDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "关于"
    assert dialog.info.isReadOnly()
    text = dialog.text()
    assert f"版本：{_pyproject_version()}" in text and f"数据库：{db}" in text
    heading = dialog.findChild(QLabel, "about_heading")
    assert heading is not None and _pyproject_version() in heading.text()
    assert dialog.status.text() == ""
    QApplication.clipboard().setText("旧内容")
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == text
    assert dialog.status.text() == "已复制"
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_help_menu_opens_about_on_the_open_database(qtbot: QtBot, db_path: Path) -> None:
    window, store = open_window(qtbot, db_path)
    (action,) = [a for a in window.findChildren(type(window.act_history)) if a.objectName() == "about"]
    assert action.text() == "关于"
    action.trigger()
    dialogs = [d for d in window.findChildren(AboutDialog) if d.isVisible()]
    assert len(dialogs) == 1
    assert f"数据库：{store.path}" in dialogs[0].text()
    dialogs[0].close()
    dialog = window.about()
    assert dialog.isVisible() and f"数据库：{db_path}" in dialog.text()
    dialog.close()


# --- 扫描件识别: the OCR extra -------------------------------------------------------------------------


@pytest.fixture
def without_onnxruntime(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """onnxruntime cannot be imported (as where the extra is not installed); reading.scan asks afresh."""
    from reading import scan

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    scan._engine_error.cache_clear()
    yield
    scan._engine_error.cache_clear()


def _ocr_line(text: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith("扫描件识别：")]
    return line


def test_ocr_installed_names_the_model_and_onnxruntime() -> None:
    import onnxruntime

    assert _ocr_line(about_text()) == f"扫描件识别：已安装（PP-OCRv4 识别模型，onnxruntime {onnxruntime.__version__}）"


def test_ocr_missing_says_how_to_install_it_from_the_source_folder(without_onnxruntime: None) -> None:
    assert _ocr_line(about_text()) == (
        '扫描件识别：未安装（安装方法：在程序目录运行 bash scripts/setup.sh，或 pip install -e ".[ocr]"）'
    )


def test_ocr_missing_in_an_installed_package_names_the_kit_and_the_extras_packages(
    without_onnxruntime: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reading import scan

    monkeypatch.setattr(version, "install_kind", lambda: "已安装的软件包 /opt/venv/lib/python3.11/site-packages")
    line = _ocr_line(about_text())
    assert line.startswith("扫描件识别：未安装（安装方法：用离线安装包运行 sh install.sh --ocr")
    # The packages named are those of pyproject.toml's extra `ocr`, for the Python running the app.
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert [name.strip('"') for name in scan.OCR_PACKAGES] == extra["ocr"]
    assert line.endswith(f"{sys.executable} -m pip install \"onnxruntime>=1.17\" \"numpy>=1.24\"）")


def test_ocr_missing_in_a_bundle_points_to_the_ocr_flavour(
    without_onnxruntime: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert _ocr_line(about_text()) == (
        "扫描件识别：未安装（安装方法：改用带扫描件识别的打包程序"
        "（gov-report-ocr 文件夹，或文件名带 ocr 的 .deb 安装包））"
    )


def test_ocr_without_its_model_says_to_reinstall(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from reading import scan

    monkeypatch.setattr(scan, "MODEL", tmp_path / "ch_PP-OCRv4_rec_infer.onnx")
    scan._engine_error.cache_clear()
    try:
        line = _ocr_line(about_text())
    finally:
        scan._engine_error.cache_clear()
    assert line == f"扫描件识别：未安装（缺少识别模型 {tmp_path / 'ch_PP-OCRv4_rec_infer.onnx'}，请重新安装本程序）"
