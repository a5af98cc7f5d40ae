"""帮助 → 关于: what the app is and where it keeps things: the version, how it runs (a bundle, a virtualenv,
the system's Python), Python, Qt and the system, the data folder, the database and its backups, whether
scans can be read (the OCR extra) and how to add it, the fonts PDF export embeds (and which roles stand in
for others), and the local rule packs. One plain text, with a
button 复制信息 that puts it on the clipboard for a support request."""

from __future__ import annotations

import importlib.util
import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from core import version
from core.paths import data_dir, default_db_path
from ui.widgets import push_button

APP_TITLE = "政府信息公开年报助手"


def _fonts_text() -> str:
    """The font of each role, as `main.py fonts` prints it (代用 where a role borrows another's)."""
    from core.errors import UserError
    from core.settings import load_settings, pdf_font_overrides
    from exports.fonts import find_fonts

    try:
        fontset = find_fonts(pdf_font_overrides(load_settings()) or None)
    except UserError as exc:  # no usable font, or a broken setting: say so, as the export would
        return f"  {exc}"
    return "\n".join(f"  {line}" for line in fontset.describe().splitlines())


def _ocr_text() -> str:
    """Whether scans can be read here (reading.scan's engine), and if not, how to make them readable."""
    from reading import scan

    if scan.ocr_available():
        return f"已安装（{scan.engine_description()}）"
    if any(importlib.util.find_spec(name) is None for name in ("onnxruntime", "numpy")):
        return f"未安装（安装方法：{scan.install_hint()}）"
    return f"未安装（缺少识别模型 {scan.MODEL}，请重新安装本程序）"


def _rule_packs_text() -> str:
    from core import rulepack

    packs = rulepack.installed_packs()
    names = "、".join(f"{pack.name}（{pack.years_text}）" for pack in packs) if packs else "未安装"
    problems = rulepack.pack_problems()
    if problems:
        names += f"；{len(problems)} 个文件无法使用"
    return names


def about_text(db_path: Path | None = None) -> str:
    """Everything the dialog shows, as plain text (what 复制信息 copies)."""
    from core.backup import backups_dir

    db = db_path if db_path is not None else default_db_path()
    lines = [
        APP_TITLE,
        f"版本：{version.app_version()}",
        f"运行方式：{version.run_mode()}",
        f"程序文件：{version.install_kind()}",
        f"Python：{platform.python_version()}（{platform.python_implementation()}，{sys.executable}）",
        f"Qt：{qVersion()}（PySide6 {PySide6.__version__}）",
        f"操作系统：{platform.platform()}",
        f"数据文件夹：{data_dir()}",
        f"数据库：{db}",
        f"备份文件夹：{backups_dir(db)}",
        f"扫描件识别：{_ocr_text()}",
        "PDF 字体：",
        _fonts_text(),
        f"地方规则包：{_rule_packs_text()}",
    ]
    return "\n".join(lines)


class AboutDialog(QDialog):
    def __init__(self, db_path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about")
        self.setWindowTitle("关于")
        layout = QVBoxLayout(self)

        heading = QLabel(f"<b>{APP_TITLE}</b>　版本 {version.app_version()}")
        heading.setObjectName("about_heading")
        layout.addWidget(heading)
        layout.addWidget(QLabel("离线填写、检查、打印和发布政府信息公开工作年度报告。寻求帮助时，请把下面的信息一并发送。"))

        self.info = QPlainTextEdit()
        self.info.setObjectName("about_info")
        self.info.setReadOnly(True)
        self.info.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.info.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.info.setPlainText(about_text(db_path))
        layout.addWidget(self.info, 1)

        buttons = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName("about_status")
        self.copy_button = push_button("about_copy", "复制信息", self.copy, "把以上信息复制到剪贴板")
        self.close_button = push_button("about_close", "关闭", self.close)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(900, 480)

    def text(self) -> str:
        return self.info.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.status.setText("已复制")
