"""Draws the application icon with Qt and writes packaging/gov-report.png (256 px), gov-report-48.png,
gov-report.svg and gov-report.ico (16-256 px, PNG entries) for the bundle, the .desktop entry and the
Windows executable. Run it again after changing the drawing: QT_QPA_PLATFORM=offscreen .venv/bin/python
packaging/make_icon.py. The design: a red rounded square, a white sheet with a folded corner, a table of
three rows on it and a green tick (a report, checked)."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen
from PySide6.QtSvg import QSvgGenerator

HERE = Path(__file__).resolve().parent
RED = QColor("#c8102e")
SHEET = QColor("#ffffff")
FOLD = QColor("#f2c9cf")
INK = QColor("#7a1020")
TICK = QColor("#1e8e3e")
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def draw(painter: QPainter, size: float) -> None:
    """The icon on a square of `size` (units of 1/256 of it below)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    u = size / 256.0
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(RED)
    painter.drawRoundedRect(QRectF(8 * u, 8 * u, 240 * u, 240 * u), 44 * u, 44 * u)

    left, top, right, bottom, fold = 60 * u, 36 * u, 196 * u, 220 * u, 40 * u
    sheet = QPainterPath()
    sheet.moveTo(left, top)
    sheet.lineTo(right - fold, top)
    sheet.lineTo(right, top + fold)
    sheet.lineTo(right, bottom)
    sheet.lineTo(left, bottom)
    sheet.closeSubpath()
    painter.setBrush(SHEET)
    painter.drawPath(sheet)
    corner = QPainterPath()
    corner.moveTo(right - fold, top)
    corner.lineTo(right - fold, top + fold)
    corner.lineTo(right, top + fold)
    corner.closeSubpath()
    painter.setBrush(FOLD)
    painter.drawPath(corner)

    # The title line and a table of three rows and two columns.
    painter.setBrush(INK)
    painter.drawRect(QRectF(78 * u, 60 * u, 72 * u, 12 * u))
    pen = QPen(INK, max(1.0, 6 * u))
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    table = QRectF(78 * u, 92 * u, 100 * u, 84 * u)
    painter.drawRect(table)
    for i in (1, 2):
        y = table.top() + table.height() * i / 3
        painter.drawLine(QPointF(table.left(), y), QPointF(table.right(), y))
    painter.drawLine(QPointF(table.left() + 40 * u, table.top()), QPointF(table.left() + 40 * u, table.bottom()))

    # The tick, over the sheet's lower right corner.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(TICK)
    painter.drawEllipse(QPointF(182 * u, 190 * u), 42 * u, 42 * u)
    tick = QPen(SHEET, 14 * u, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(tick)
    path = QPainterPath(QPointF(162 * u, 190 * u))
    path.lineTo(176 * u, 205 * u)
    path.lineTo(202 * u, 174 * u)
    painter.drawPath(path)


def image(size: int) -> QImage:
    picture = QImage(size, size, QImage.Format.Format_ARGB32)
    picture.fill(Qt.GlobalColor.transparent)
    painter = QPainter(picture)
    draw(painter, size)
    painter.end()
    return picture


def png_bytes(picture: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    picture.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide6 takes str; its stubs say bytes
    buffer.close()
    return bytes(data.data())


def ico_bytes(sizes: tuple[int, ...]) -> bytes:
    """An .ico whose entries are PNG images (Windows Vista and later read them)."""
    pngs = [png_bytes(image(size)) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries = b""
    for size, data in zip(sizes, pngs, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(pngs)


def write_svg(path: Path) -> None:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(256, 256))
    generator.setViewBox(QRectF(0, 0, 256, 256))
    generator.setTitle("政府信息公开年报助手")
    painter = QPainter(generator)
    draw(painter, 256)
    painter.end()


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QPainter needs it)
    (HERE / "gov-report.png").write_bytes(png_bytes(image(256)))
    (HERE / "gov-report-48.png").write_bytes(png_bytes(image(48)))
    (HERE / "gov-report.ico").write_bytes(ico_bytes(ICO_SIZES))
    write_svg(HERE / "gov-report.svg")
    print(f"已生成图标：{HERE}/gov-report.png、gov-report-48.png、gov-report.svg、gov-report.ico")
    return 0


if __name__ == "__main__":
    sys.exit(main())
