"""环境自检：依赖能否导入，Qt 能否在 offscreen 平台下创建窗口并绘制中文。

由 scripts/setup.sh 与 scripts/setup.ps1 在安装依赖后调用，也可手动运行：
    .venv/bin/python scripts/check_env.py
成功退出码为 0；失败时打印原因并以 1 退出。缺少中文字体只给出警告。
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

MODULES = [
    "PySide6.QtCore",
    "PySide6.QtGui",
    "PySide6.QtWidgets",
    "docx",
    "reportlab",
    "sqlite_utils",
    "platformdirs",
    "pytest",
    "pytestqt",
    "hypothesis",
]

SAMPLE = "政府信息公开工作年度报告"


def check_imports() -> bool:
    ok = True
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:  # ImportError，或 Qt 缺少 .so 时的 OSError 等
            print(f"  无法导入 {name}：{exc}", file=sys.stderr)
            ok = False
    return ok


def check_qt() -> bool:
    # 必须在创建 QApplication 之前设置；只影响本进程。
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([])

    zh_families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    if not zh_families:
        print(
            "  警告：Qt 找不到支持简体中文的字体，界面与导出的中文可能显示为方框。"
            " Debian/Ubuntu 请安装 fonts-wqy-zenhei。",
            file=sys.stderr,
        )
    family = next((f for f in zh_families if "Zen Hei" in f), zh_families[0] if zh_families else "")

    # 1) 窗口部件：创建、显示、抓图
    label = QLabel(SAMPLE)
    if family:
        label.setFont(QFont(family, 14))
    label.resize(320, 40)
    label.show()
    app.processEvents()
    if label.grab().isNull():
        print("  QWidget.grab() 返回空图像。", file=sys.stderr)
        return False
    label.close()

    # 2) QPainter 在内存图像上绘制中文，确认确实画出了像素
    image = QImage(320, 60, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    if family:
        painter.setFont(QFont(family, 20))
    painter.setPen(QColor("black"))
    painter.drawText(QRect(0, 0, 320, 60), Qt.AlignmentFlag.AlignCenter, SAMPLE)
    painter.end()
    white = QColor("white").rgb()
    inked = sum(1 for y in range(0, 60, 2) for x in range(0, 320, 2) if image.pixel(x, y) != white)
    if inked == 0:
        print("  QPainter 没有画出任何文字像素（字体不可用？）。", file=sys.stderr)
        return False

    shown = family or "（默认字体）"
    print(
        f"  Qt 平台 {QGuiApplication.platformName()}，中文字体 {shown}，文字像素 {inked}。",
        file=sys.stderr,
    )
    return True


def main() -> int:
    if not check_imports():
        print("依赖导入失败。", file=sys.stderr)
        return 1
    try:
        if not check_qt():
            print("Qt 绘制自检失败。", file=sys.stderr)
            return 1
    except Exception:
        traceback.print_exc()
        print("Qt 绘制自检出错。", file=sys.stderr)
        return 1
    print("  自检通过。", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
