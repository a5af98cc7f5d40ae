"""Screenshots of the real app for the README, on a 1366×768 laptop screen:

    xvfb-run -a -s '-screen 0 1366x768x24' .venv/bin/python scripts/screenshots.py

The app runs on a fresh database in a temporary data folder (GOV_REPORT_DATA_DIR), so the user's
reports and settings are never touched. The main window is maximised as a clerk would have it. A
second pass, in a subprocess with QT_SCALE_FACTOR=1.5 (the logical screen is then 911×512), shows the
matrix scrolled right and down with its frozen label columns and header rows. The pictures are saved
to docs/screenshots/app-*.png, as small PNGs (256 colours when Pillow is installed)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QBuffer, QEventLoop, QIODevice, QItemSelection, QItemSelectionModel, QRect, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from core.paths import DATA_DIR_ENV  # noqa: E402

if TYPE_CHECKING:  # the app's modules are loaded once the QApplication and the data folder are set
    from core.storage import Store
    from ui.main_window import MainWindow

OUT = ROOT / "docs" / "screenshots"
SAMPLES = ROOT / "tests" / "data"  # the public sample reports kept with the tests
SCALED_PASS = "--scaled"  # the second pass: the matrix at 150 %
SCALE = "1.5"
SCREEN = "1366x768x24"
SETTLE_MS = 400  # time for layouts, the checks and deferred paints after each step
BIG_PNG = 150_000  # bytes: the README's pictures stay below this


def wait(ms: int = SETTLE_MS) -> None:
    """Let the app run (paint, lay out, finish queued work) for `ms` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(done: Callable[[], bool], timeout_ms: int = 15000) -> bool:
    """Let the app run until `done()` holds (background work finished), at most `timeout_ms`."""
    waited = 0
    while not done() and waited < timeout_ms:
        wait(100)
        waited += 100
    return done()


def maximise(window: QWidget) -> None:
    """Maximise the window and wait for its geometry to settle. Plain Xvfb runs no window manager to
    honour the request, so after a moment the script does what one would: give the window the
    screen's available area (the flag is then dropped, which only matters to the temporary settings)."""
    window.showMaximized()
    screen = window.screen().availableGeometry()
    if not wait_for(lambda: window.geometry() == screen, 1000):
        window.setGeometry(screen)
    last = QRect()
    while window.geometry() != last:  # settled: the same geometry after a pause
        last = window.geometry()
        wait()


def save(pixmap: QPixmap, name: str) -> Path:
    """Save a grab as docs/screenshots/app-<name>.png, as small as a lossless-looking PNG gets: a
    256-colour palette (UI pictures have few colours) when Pillow is there, else Qt's best compression."""
    path = OUT / f"app-{name}.png"
    image = pixmap.toImage()
    try:
        from PIL import Image
    except ImportError:
        image.save(str(path), "PNG", 0)  # Qt's quality 0 = zlib's strongest compression
    else:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        picture = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGB")
        picture.quantize(256, dither=Image.Dither.NONE).save(path, "PNG", optimize=True)
    size = path.stat().st_size
    print(f"saved {path.relative_to(ROOT)} {image.width()}×{image.height()} {size // 1024} KB"
          + (" (too big for the README)" if size > BIG_PNG else ""))
    return path


def grab_screen() -> QPixmap:
    """The whole screen: a window with the notices and dialogs standing over it."""
    screen = QGuiApplication.primaryScreen()
    return screen.grabWindow(0)


def main() -> int:
    scaled = SCALED_PASS in sys.argv[1:]
    folder = Path(tempfile.mkdtemp(prefix="screenshots-"))
    os.environ[DATA_DIR_ENV] = str(folder)  # settings.ini and the database: never the user's
    app = QApplication(sys.argv[:1])
    # As ui/app.py starts the app: its name and Qt's own dialogs in Chinese.
    from ui.qt_chinese import install_translations

    app.setApplicationName("政府信息公开年报助手")
    app.setOrganizationName("gov-disclosure-annual-report")
    install_translations(app)
    failures: list[str] = []

    def run() -> None:
        try:
            (scaled_pass if scaled else main_pass)(folder)
        except Exception as exc:  # the picture is missing: say which, and end with an error
            import traceback

            traceback.print_exc()
            failures.append(str(exc))
        app.quit()

    QTimer.singleShot(0, run)
    app.exec()
    if failures:
        return 1
    if not scaled:
        env = {**os.environ, "QT_SCALE_FACTOR": SCALE}
        env.pop(DATA_DIR_ENV, None)
        return subprocess.run([sys.executable, __file__, SCALED_PASS], env=env, check=False).returncode
    return 0


def open_window(folder: Path) -> tuple[Store, MainWindow]:
    from core.storage import Store
    from ui.main_window import MainWindow

    store = Store(folder / "reports.sqlite3")  # a new database: the example report only
    window = MainWindow(store)  # sized to the screen by the app itself (ui/window_place.py)
    maximise(window)
    return store, window


def import_sample(store: Store, name: str) -> int:
    from core.reportfile import read_report_file

    return int(store.add_report(read_report_file(SAMPLES / "real" / name)))


def show_report(window: MainWindow, report_id: int, section: str, cell: str | None = None) -> None:
    """Open a report at a section (and a cell of its table), with no message left in the status bar
    from the step before (it would speak of another report)."""
    window.open_report(report_id)
    assert window.editor is not None, f"report {report_id} did not open"
    window.statusBar().clearMessage()
    window.editor.show_section(section)
    if cell is not None:
        window.editor.grids[section].select_cell(cell)
    wait()


def main_pass(folder: Path) -> None:
    store, window = open_window(folder)
    reports = window.reports
    seed = store.list_reports()[0]
    seed_id = seed.id

    # A first launch: only the example in the list, and the two steps above it.
    reports.refresh()
    wait()
    save(window.grab(), "first-run")

    # The import preview of a published Word report (not yet in the database).
    from ui.import_preview import ImportPreviewDialog

    batch_folder = folder / "收到的报告"
    prepare_batch(batch_folder)
    preview = ImportPreviewDialog(store, batch_folder / "平潭2022.docx", window)
    preview.show()
    if not wait_for(lambda: preview.read_result is not None or bool(preview.error)):
        raise RuntimeError("the import preview did not read its file")
    wait()
    save(preview.grab(), "import-preview")
    preview.reject()
    scan_preview_shot(store, window, folder)

    # 从上年报告创建…: the year asked, and what is carried over; then created, as a clerk would.
    reports.select_report(seed_id)
    dialog = reports.new_from_last_year()
    assert dialog is not None
    wait()
    save(dialog.grab(), "next-year-dialog")
    dialog.accept()
    wait()
    next_id = store.find(seed.agency, seed.year + 1)
    assert next_id is not None, "the next-year dialog did not create the report"

    # Next year's report (opened by the dialog), the carried-over row and a few numbers typed in.
    assert window.session is not None and window.editor is not None
    window.session.edit_cells({"s3.new.natural": "12", "s3.new.commercial": "2", "s3.granted.natural": "5"})
    window.editor.show_section("s3")
    window.editor.grids["s3"].select_cell("s3.granted.natural")
    wait()
    save(window.grab(), "next-year")

    # A published report, finalised: grey and locked, with the banner above the tabs.
    final_id = import_sample(store, "2022_pingtan.json")
    import_sample(store, "2019_pingtan.json")
    window.open_report(final_id)
    assert window.session is not None and window.session.set_final(True)
    show_report(window, final_id, "s3", "s3.new.natural")
    save(window.grab(), "final")

    # 帮助 → 填报说明 (F1), at 三 of the open report's format: what each row counts.
    guide = window.show_guide()
    wait()
    save(guide.grab(), "guide")
    guide.close()

    # Rows 一 and 二 of 三 copied as a spreadsheet holds them (row labels and 总计 column too), one
    # total mistyped, pasted into next year's report: the numbers go in, the totals are compared and
    # the notice says which differs.
    assert window.editor is not None
    grid = window.editor.grids["s3"]
    model = grid.report_model()
    assert model is not None
    first, second = model.index_of("s3.new.natural").row(), model.index_of("s3.carried_over.natural").row()
    grid.selectionModel().select(
        QItemSelection(model.index(first, 0), model.index(second, model.columnCount() - 1)),
        QItemSelectionModel.SelectionFlag.ClearAndSelect,
    )
    rows = [line.split("\t") for line in grid.copy_selection().split("\n") if line]
    rows[0][-1] = str(int(rows[0][-1].replace(",", "")) + 10)
    QGuiApplication.clipboard().setText("\n".join("\t".join(row) for row in rows))
    show_report(window, next_id, "s3")
    grid = window.editor.grids["s3"]
    grid.setCurrentIndex(grid.model().index(first, 0))
    assert grid.paste_clipboard(), "the paste was refused"
    wait()
    save(grab_screen(), "paste-totals")
    if grid.paste_notice is not None:
        grid.paste_notice.close()
    window.undo()
    wait()

    # The example: 三 with its errors listed beside the table, then the text of 一.
    show_report(window, seed_id, "s3", "s3.new.natural")
    save(window.grab(), "matrix-findings")
    window.editor.show_section("s1")
    wait()
    save(window.grab(), "section1")

    # The list: the example, next year's draft and two published reports, one finalised.
    window.show_list()
    window.statusBar().clearMessage()
    reports.select_report(next_id)
    wait()
    save(window.grab(), "list")

    # 文件检查: a reviewing office's folder of reports in every format, and a broken file.
    batch = window.show_batch_check()
    batch.add_paths([batch_folder])
    if not wait_for(lambda: not batch.running):
        raise RuntimeError("文件检查 did not finish")
    batch.table.selectRow(0)
    wait()
    save(batch.grab(), "batch-check")
    batch.close()
    season_shots(window, store, folder)
    deadline_shot(window, store)
    window.close()
    store.close()


def scan_preview_shot(store: Store, window: MainWindow, folder: Path) -> None:
    """扫描件核对 in the import preview: the pages of a LibreOffice-printed report rendered at 150 dpi and
    turned by 0.8° as a scanner would, read from a folder of page images, with a cell of 三 selected."""
    from reading.scan import OCR_MISSING, ocr_available

    if not ocr_available():
        print(f"scan-preview: skipped ({OCR_MISSING})", file=sys.stderr)
        return
    import pypdfium2
    from PIL import Image

    from ui.import_preview import ImportPreviewDialog

    scans = folder / "扫描件"
    scans.mkdir()
    pdf = pypdfium2.PdfDocument(str(SAMPLES / "office" / "office-2021.pdf"))
    try:
        for i in range(len(pdf)):
            page = pdf[i].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
            page.rotate(0.8, resample=Image.Resampling.BICUBIC, fillcolor=255).save(scans / f"第{i + 1}页.png")
    finally:
        pdf.close()
    preview = ImportPreviewDialog(store, scans, window)
    preview.show()
    if not wait_for(lambda: preview.read_result is not None or bool(preview.error), 300_000):
        raise RuntimeError("the import preview did not read the scan")
    if preview.error or preview.scan_view is None:
        raise RuntimeError(f"the scan was not read: {preview.error}")
    from ui.scan_view import ScanView

    view = preview.scan_view
    assert isinstance(view, ScanView)
    # An uncertain cell of 三 when there is one, else the first cell of 三 read.
    in_s3 = [c for c in (*view.scan.uncertain, *view.scan.cells) if c.startswith("s3.")]
    if in_s3:
        view.select_cell(in_s3[0])
    wait()
    save(preview.grab(), "scan-preview")
    preview.reject()


def prepare_batch(batch_folder: Path) -> None:
    """A reviewing office's folder: the samples as JSON, one as Word and one as PDF, and a broken file."""
    import shutil

    from core.reportfile import read_report_file
    from exports.docx_export import write_docx
    from exports.pdf_export import write_pdf

    batch_folder.mkdir()
    for name in ("seed-2020-tiexi.json", "real/2019_pingtan.json", "real/2022_pingtan.json"):
        shutil.copy(SAMPLES / name, batch_folder / Path(name).name)
    write_docx(read_report_file(SAMPLES / "real" / "2022_pingtan.json"), batch_folder / "平潭2022.docx")
    write_pdf(read_report_file(SAMPLES / "seed-2020-tiexi.json"), batch_folder / "铁西2020.pdf")
    (batch_folder / "损坏的文件.docx").write_bytes(b"not a docx")


def scaled_pass(folder: Path) -> None:
    """At 150 % only three of 三's number columns fit: scrolled to the last row and the 总计 column,
    the row labels and the three header rows stay (frozen panes)."""
    store, window = open_window(folder)
    report_id = import_sample(store, "2022_pingtan.json")
    window.open_report(report_id)
    assert window.editor is not None
    window.editor.show_section("s3")
    grid = window.editor.grids["s3"]
    wait()
    grid.select_cell("s3.carried_forward.other_org")
    grid.horizontalScrollBar().setValue(grid.horizontalScrollBar().maximum())
    grid.verticalScrollBar().setValue(grid.verticalScrollBar().maximum())
    wait()
    # The screen, not the window: what the clerk sees (a window taller than the screen is cut off).
    save(grab_screen(), "matrix-150")
    window.close()
    store.close()


# --- 年报审核: a district office's review season --------------------------------------------------

SEASON_DAY = "2026-02-10"  # the board as the office sees it ten days after the departments' due date
SEASON_UNITS = (  # name, 本年新收 (natural persons), days after 2026-01-05 it came (None: not yet), signed
    ("某某区发展和改革局", 12, 10, True),
    ("某某区教育局", 46, 20, True),
    ("某某区公安分局", 138, 24, True),
    ("某某区民政局", 9, 16, True),
    ("某某区财政局", 7, 30, False),
    ("某某区人力资源和社会保障局", 64, 25, True),
    ("某某区自然资源局", 85, 29, True),
    ("某某区生态环境局", 21, None, False),
    ("某某区住房和城乡建设局", 112, 33, True),
    ("某某区交通运输局", 15, 26, True),
    ("某某区卫生健康委员会", 33, None, False),
    ("某某区市场监督管理局", 41, 18, True),
    ("某某区应急管理局", 5, 12, True),
    ("某某街道办事处", 6, 21, True),
    ("某某镇人民政府", 11, 28, True),
    ("某某区人民政府", 0, None, False),
)


def build_demo_season(store: Store, folder: Path) -> object:
    """A season of 16 units of a district, received as Word files and report files: early, late, one
    unsigned, one replaced by a corrected version, one unreadable, three missing, some reviewed; last
    year's reports of two units are in the database for 同比."""
    import json
    import re
    from datetime import date, timedelta

    from core.checks import validate
    from core.reportfile import loads, write_report_file
    from core.season import REVIEW_PASSED, REVIEW_RETURNED, Season, UnitEntry
    from exports.docx_export import write_docx

    real = json.loads((SAMPLES / "real" / "2022_pingtan.json").read_text("utf-8"))
    received = folder / "年报审核"
    received.mkdir(exist_ok=True)

    def report_of(agency: str, year: int, new: int, signed: bool):  # type: ignore[no-untyped-def]
        data = dict(real, agency=agency, year=year, title=f"{agency}{year}年政府信息公开工作年度报告")
        cells = dict(data["cells"])
        for key in list(cells):
            if key.startswith("s3.") and (key.endswith(".total") or key.startswith("s3.total_processed.")):
                del cells[key]  # the sums follow the new figures
        for key in list(cells):  # natural persons' requests: all granted, so 三 still balances
            if key.startswith("s3.") and key.endswith(".natural") and key != "s3.carried_over.natural":
                cells[key] = 0
        cells["s3.new.natural"] = new
        cells["s3.granted.natural"] = new + int(cells.get("s3.carried_over.natural") or 0)
        data["cells"] = cells
        sections = dict(data["sections"])  # the text quotes the new total
        sections["s1"] = re.sub(r"收到政府信息公开申请\d+件", f"收到政府信息公开申请{new + 3}件", sections["s1"])
        data["sections"] = sections
        when = f"{year + 1}-01-{10 + new % 15:02d}" if signed else ""
        data["signature"] = {"organ": agency if signed else "", "date": when}
        return loads(json.dumps(data, ensure_ascii=False))

    season = Season.create(store, "2025年度年报审核", 2025)
    season.add_units([UnitEntry(name) for name, *_ in SEASON_UNITS])
    start = date(2026, 1, 5)
    for i, (name, new, day, signed) in enumerate(SEASON_UNITS):
        if day is None:
            continue
        report = report_of(name, 2025, new, signed)
        path = received / f"{name}2025年政府信息公开工作年度报告.{'docx' if i % 3 == 0 else 'json'}"
        (write_docx if path.suffix == ".docx" else write_report_file)(report, path)
        season.add_file(path, report, validate(report), (), received=start + timedelta(days=day))
    corrected = report_of("某某区教育局", 2025, 48, True)  # sent again after 退回修改
    path = received / "某某区教育局2025年报（修改稿）.json"
    write_report_file(corrected, path)
    season.add_file(path, corrected, validate(corrected), (), received=date(2026, 2, 6))
    broken = received / "某某区民政局2025年报.docx"
    broken.write_bytes(b"PK\x03\x04 damaged in the mail")
    season.add_file(broken, None, error="文件已损坏，不是有效的 Word 文档", received=date(2026, 2, 3))
    units = {u.name: u.id for u in season.units()}
    season.set_review([units["某某区发展和改革局"], units["某某区公安分局"], units["某某区应急管理局"]], REVIEW_PASSED)
    season.set_review(units["某某区财政局"], REVIEW_RETURNED, "未落款，请加盖公章并注明日期后重新报送")
    season.set_review(units["某某区自然资源局"], REVIEW_RETURNED, "表三本年新收与办理结果不平衡")
    for name, new in (("某某区公安分局", 120), ("某某区住房和城乡建设局", 95)):
        for year in (2023, 2024):
            store.add_report(report_of(name, year, new - 10 * (2024 - year), True))
    return season


def deadline_shot(window: MainWindow, store: Store) -> None:
    """The reports list on 2026-01-24 with this year's draft due in a week: highlighted, with the banner."""
    from datetime import date

    from core.nextyear import new_report

    report_id = store.add_report(new_report("某某区司法局", 2025))
    reports = window.reports
    reports.today = lambda: date(2026, 1, 24)
    reports.refresh()
    reports.select_report(report_id)
    wait()
    save(window.grab(), "list-deadline")


def season_shots(window: MainWindow, store: Store, folder: Path) -> None:
    """年报审核: the board, the units dialog with lines pasted from Excel, 汇总 of the received units and
    同比 of one unit over three years. Call it from main_pass with the main window and its store."""
    from datetime import date

    build_demo_season(store, folder)
    board = window.show_season()
    assert board is not None
    maximise(board)
    board.today = date.fromisoformat(SEASON_DAY)
    board.received_edit.setDate(date.fromisoformat(SEASON_DAY))
    board.reload_seasons()
    board.select_units(["某某区教育局"])
    wait()
    save(board.grab(), "season-board")
    from ui.season_dialogs import UnitsDialog

    units = UnitsDialog(board.season, board)  # type: ignore[arg-type]
    units.paste_edit.setPlainText("某某区司法局\t部门\n某某区文化和旅游局\t部门\t2026-02-05\n某某乡人民政府\t人民政府")
    units.show()
    wait()
    save(units.grab(), "season-units")
    units.close()
    # 汇总 of every unit with a file (none selected), and 同比 of a unit with two earlier years.
    board.table.clearSelection()
    totals = board.show_totals()
    if totals is not None:
        # 三 with one figure's drill-down: 本年新收·自然人 and the units that make it up.
        totals.tabs.setCurrentIndex(1)
        grid = totals.grids["s3"]
        model = totals.models["s3"]
        at = model.index_of("s3.new.natural")
        grid.setCurrentIndex(at)
        wait()
        save(totals.grab(), "season-totals")
        totals.close()
    board.select_units(["某某区公安分局"])
    compare = board.show_compare()
    if compare is not None:
        wait()
        save(compare.grab(), "season-compare")
        compare.close()
    board.close()


if __name__ == "__main__":
    sys.exit(main())
