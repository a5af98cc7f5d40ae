"""Print preview, printing, the export dialog and the revision history, driven like a clerk would."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import docx
import pytest
import reportlab
from pypdf import PdfReader
from PySide6.QtCore import Qt, QThreadPool, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTreeWidget,
)
from pytestqt.qtbot import QtBot

import exports.fonts
from core.pdfium_lock import PDFIUM_LOCK
from core.reportfile import read_report_file
from core.settings import load_settings
from core.storage import ZERO_PRINT_BLANK, AgencyProfile, Store
from exports.fonts import FontError, FontSet, find_fonts
from exports.layout import build_layout
from exports.pdf_export import render_pdf
from tests.conftest import SAMPLES_DIR, place_font
from ui import printing
from ui.history import HistoryDialog, describe_change
from ui.printing import (
    ExportDialog,
    make_preview_dialog,
    pdf_request,
    safe_file_name,
    start_pdf_render,
)
from ui.session import ReportSession
from ui.tasks import BackgroundTask

from .conftest import has_chinese

SAMPLE_2022 = SAMPLES_DIR / "real" / "2022_pingtan.json"
VERA = Path(reportlab.__file__).resolve().parent / "fonts" / "Vera.ttf"  # TrueType, Latin only
A4_POINTS = (595.28, 841.89)
WORKER_TIMEOUT_MS = 60_000
ALL_FORMATS = ("format_docx", "format_pdf", "format_html", "format_json")


@pytest.fixture
def session(qtbot: QtBot, store: Store) -> ReportSession:
    return ReportSession(store, store.add_report(read_report_file(SAMPLE_2022)))


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """QMessageBox.warning calls as (title, message), answered at once."""
    shown: list[tuple[str, str]] = []

    def warning(_parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


def _exported_pdf(session: ReportSession, store: Store) -> bytes:
    """What the PDF export writes for the session's report (same options as printing)."""
    request = pdf_request(session, store)
    layout = build_layout(request.report, blank_as_zero=request.blank_as_zero, draft=request.draft)
    return render_pdf(layout, find_fonts())


def _drawn(pdf: bytes) -> list[bytes]:
    """What each page of a PDF draws."""
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]


def _file_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def _assert_same_pages_a4(printed: Path, exported: bytes) -> None:
    reader = PdfReader(printed)
    assert len(reader.pages) == len(PdfReader(io.BytesIO(exported)).pages) > 1
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_POINTS[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_POINTS[1], abs=1)


# --- print preview and printing ----------------------------------------------------------------


@pytest.mark.needs_tool("cjk_font")
def test_preview_paints_every_page_of_the_exported_pdf(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path
) -> None:
    exported = _exported_pdf(session, store)
    dialog = make_preview_dialog(None, exported, "预览")
    qtbot.addWidget(dialog)
    out = tmp_path / "printed.pdf"

    dialog.paintRequested.emit(_file_printer(out))

    _assert_same_pages_a4(out, exported)


@pytest.mark.needs_tool("cjk_font")
def test_preview_waits_for_pdfium_held_by_a_pdf_being_read_and_closes_with_its_dialog(
    qtbot: QtBot, session: ReportSession, store: Store
) -> None:
    # PDFium must never run on two threads at once: a batch check reading PDFs on a worker holds the
    # lock for a whole file, and the preview's drawing waits for it rather than crashing the process.
    exported = _exported_pdf(session, store)
    dialog = make_preview_dialog(None, exported, "预览")
    qtbot.addWidget(dialog)
    pages = dialog.pdf_pages  # type: ignore[attr-defined]
    drawn: list[int] = []
    with PDFIUM_LOCK:
        worker = threading.Thread(target=lambda: drawn.append(pages.render(0, 20).width()))
        worker.start()
        worker.join(0.3)
        assert worker.is_alive() and drawn == []  # waiting for the lock, not drawing
    worker.join(5)
    assert drawn and drawn[0] > 0
    dialog.open()
    dialog.reject()
    assert pages.document is None  # closed with the dialog, under the lock, not by the collector
    with pytest.raises(printing.PrintError):
        pages.render(0, 20)


@pytest.mark.needs_tool("cjk_font")
def test_pdf_is_rendered_in_a_worker_and_equals_the_export(
    qtbot: QtBot, session: ReportSession, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    real = printing.render_report_pdf

    def watched(request: printing.PdfRequest, fonts: FontSet | None = None) -> bytes:
        threads.append(threading.get_ident())
        return real(request, fonts)

    monkeypatch.setattr(printing, "render_report_pdf", watched)
    task = start_pdf_render(None, session, store)
    with qtbot.waitSignal(task.succeeded, timeout=WORKER_TIMEOUT_MS) as blocker:
        pass

    assert threads and threads[0] != threading.get_ident()
    expected = render_pdf(build_layout(session.report, blank_as_zero=True, draft=True), find_fonts())
    (rendered,) = blocker.args
    assert rendered.font_notice == find_fonts().notice()
    assert _drawn(rendered.data) == _drawn(expected)  # the files differ only in their date and identifier
    assert task.done and task.progress_dialog is None


def test_slow_work_shows_a_cancellable_progress_dialog(qtbot: QtBot) -> None:
    release = threading.Event()
    results: list[object] = []
    task = BackgroundTask(lambda _context: release.wait(10) and b"late")
    task.succeeded.connect(results.append)
    task.start()
    assert task.progress_dialog is None  # nothing flashes up for quick work
    qtbot.waitUntil(lambda: task.progress_dialog is not None and task.progress_dialog.isVisible(), timeout=5000)
    progress = task.progress_dialog
    assert progress is not None and progress.labelText() == "正在处理…"

    cancel = progress.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "取消"
    with qtbot.waitSignal(task.cancelled):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert task.done and task.was_cancelled and task.progress_dialog is None
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(50)
    assert results == []  # the abandoned result is dropped


def test_print_options_follow_agency_profile_and_status(session: ReportSession, store: Store) -> None:
    request = pdf_request(session, store)
    assert request.blank_as_zero and request.draft
    store.save_agency_profile(AgencyProfile(session.report.agency, zero_print=ZERO_PRINT_BLANK))
    assert session.set_final(True)
    request = pdf_request(session, store)
    assert not request.blank_as_zero and not request.draft


@pytest.mark.needs_tool("cjk_font")
def test_print_preview_opens_the_dialog_with_the_exported_pages(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QPrintPreviewDialog] = []

    def fake_open(dialog: QPrintPreviewDialog) -> None:
        opened.append(dialog)

    monkeypatch.setattr(QPrintPreviewDialog, "open", fake_open)
    printing.print_preview(None, session, store)
    qtbot.waitUntil(lambda: bool(opened), timeout=WORKER_TIMEOUT_MS)

    dialog = opened[0]
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "print_preview"
    out = tmp_path / "preview.pdf"
    dialog.paintRequested.emit(_file_printer(out))
    _assert_same_pages_a4(out, _exported_pdf(session, store))


@pytest.mark.needs_tool("cjk_font")
def test_print_directly_prints_every_page(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "printer.pdf"
    asked: list[QPrintDialog] = []

    def fake_exec(dialog: QPrintDialog) -> int:
        asked.append(dialog)
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    printing.print_directly(None, session, store)
    qtbot.waitUntil(lambda: bool(asked) and out.exists(), timeout=WORKER_TIMEOUT_MS)
    qtbot.addWidget(asked[0])

    _assert_same_pages_a4(out, _exported_pdf(session, store))


@pytest.mark.parametrize("action", ["print_preview", "print_directly"])
def test_missing_font_gives_a_message_not_a_crash(
    qtbot: QtBot,
    session: ReportSession,
    store: Store,
    action: str,
    warnings: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = "未找到可嵌入 PDF 的中文字体，无法导出 PDF。"

    def no_fonts(*_args: Any, **_kwargs: Any) -> Any:
        raise FontError(message)

    monkeypatch.setattr(exports.fonts, "find_fonts", no_fonts)
    for dialog in (QPrintPreviewDialog, QPrintDialog):
        monkeypatch.setattr(dialog, "exec", lambda _self: pytest.fail("no dialog after a font error"))
        monkeypatch.setattr(dialog, "open", lambda _self: pytest.fail("no dialog after a font error"))

    task = getattr(printing, action)(None, session, store)
    qtbot.waitUntil(lambda: bool(warnings), timeout=WORKER_TIMEOUT_MS)

    assert warnings == [("无法生成打印内容", message)]
    assert task.done


@pytest.fixture
def sans_only(tmp_path: Path, one_face: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The machine's fonts are one sans (as on the reviewer's Linux with WenQuanYi Zen Hei alone);
    returns the notice that situation gives."""
    folder = tmp_path / "fonts"
    place_font(one_face, folder / "wqy-zenhei.ttc")
    monkeypatch.setattr(exports.fonts, "default_font_dirs", lambda: [folder])
    notice = find_fonts(search_dirs=[folder]).notice()
    assert notice is not None and "暂用黑体" in notice
    return notice


@pytest.mark.needs_tool("cjk_font")
def test_print_preview_shows_which_fonts_stand_in(
    qtbot: QtBot, session: ReportSession, store: Store, sans_only: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QPrintPreviewDialog] = []
    monkeypatch.setattr(QPrintPreviewDialog, "open", lambda dialog: opened.append(dialog))
    printing.print_preview(None, session, store)
    qtbot.waitUntil(lambda: bool(opened), timeout=WORKER_TIMEOUT_MS)
    dialog = opened[0]
    qtbot.addWidget(dialog)

    band = dialog.findChild(QLabel, "print_font_notice")
    assert band is not None and band.text() == sans_only
    assert dialog.layout().itemAt(0).widget() is band  # above the pages, not in a log


@pytest.mark.needs_tool("cjk_font")
def test_printing_shows_which_fonts_stand_in(
    qtbot: QtBot, session: ReportSession, store: Store, sans_only: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []

    def fake_exec(dialog: QPrintDialog) -> int:
        qtbot.addWidget(dialog)
        notice = dialog.findChild(QLabel, "print_font_notice")
        seen.append(notice.text() if notice is not None else "")
        return QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    printing.print_directly(None, session, store)
    qtbot.waitUntil(lambda: bool(seen), timeout=WORKER_TIMEOUT_MS)
    assert seen == [sans_only]


def test_a_print_dialog_without_a_layout_gets_a_message_beside_it(qtbot: QtBot) -> None:
    bare = QDialog()  # stands for the native print dialog of Windows, which has no Qt layout
    qtbot.addWidget(bare)
    shown = printing.show_font_notice(bare, "PDF 中有的用途没有对应的字体：……", "print_font_notice")
    assert isinstance(shown, QMessageBox)
    qtbot.addWidget(shown)
    assert shown.isVisible() and shown.windowModality() == Qt.WindowModality.NonModal
    assert shown.text() == "PDF 中有的用途没有对应的字体：……"
    assert printing.show_font_notice(bare, None, "print_font_notice") is None


# --- export dialog -----------------------------------------------------------------------------


def _dialog(
    qtbot: QtBot, session: ReportSession, store: Store, folder: Path, formats: tuple[str, ...] = ALL_FORMATS
) -> ExportDialog:
    dialog = ExportDialog(session, store)
    qtbot.addWidget(dialog)
    for name in ALL_FORMATS:
        dialog.findChild(QCheckBox, name).setChecked(name in formats)
    # Paths may hold Chinese, which keyClicks cannot type.
    dialog.findChild(QLineEdit, "export_folder").setText(str(folder))
    return dialog


def _run(qtbot: QtBot, dialog: ExportDialog) -> None:
    with qtbot.waitSignal(dialog.exportFinished, timeout=WORKER_TIMEOUT_MS):
        qtbot.mouseClick(dialog.findChild(QPushButton, "export_run"), Qt.MouseButton.LeftButton)
    assert not dialog.running


def _base(dialog: ExportDialog) -> str:
    return dialog.findChild(QLineEdit, "export_name").text()


@pytest.mark.needs_tool("cjk_font")
def test_export_writes_all_four_formats(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "导出"
    dialog = _dialog(qtbot, session, store, folder)
    base = _base(dialog)
    assert base == session.report.default_title()

    _run(qtbot, dialog)

    assert [r.written for r in dialog.results] == [True] * 4
    title = session.report.default_title()
    document = docx.Document(str(folder / f"{base}.docx"))
    assert any(title in p.text.replace("\n", "") for p in document.paragraphs)  # the title in two lines
    reader = PdfReader(folder / f"{base}.pdf")
    assert len(reader.pages) > 1
    assert "总体情况" in reader.pages[0].extract_text()
    assert title in (folder / f"{base}.html").read_text("utf-8")
    assert read_report_file(folder / f"{base}.json") == session.report
    results = dialog.findChild(QListWidget, "export_results")
    assert results.count() == 4
    assert all(results.item(i).text().startswith("已导出") for i in range(4))

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    qtbot.mouseClick(dialog.findChild(QPushButton, "export_open_folder"), Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(folder))]


def test_export_asks_once_before_overwriting(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    formats = ("format_docx", "format_json")
    dialog = _dialog(qtbot, session, store, tmp_path, formats)
    base = _base(dialog)
    for suffix in (".docx", ".json"):
        (tmp_path / f"{base}{suffix}").write_text("旧文件", "utf-8")
    questions: list[str] = []
    answer = QMessageBox.StandardButton.No

    def question(_parent: Any, _title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        questions.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.mouseClick(dialog.findChild(QPushButton, "export_run"), Qt.MouseButton.LeftButton)
    assert len(questions) == 1 and f"{base}.docx" in questions[0] and f"{base}.json" in questions[0]
    assert not dialog.running
    assert (tmp_path / f"{base}.json").read_text("utf-8") == "旧文件"

    answer = QMessageBox.StandardButton.Yes
    _run(qtbot, dialog)
    assert len(questions) == 2
    assert read_report_file(tmp_path / f"{base}.json") == session.report
    docx.Document(str(tmp_path / f"{base}.docx"))


def test_unwritable_target_is_reported_and_others_written(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    formats = ("format_docx", "format_html", "format_json")
    dialog = _dialog(qtbot, session, store, tmp_path, formats)
    base = _base(dialog)
    (tmp_path / f"{base}.html").mkdir()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: pytest.fail("a folder is not a file to overwrite"))

    _run(qtbot, dialog)

    by_suffix = {r.target.suffix: r for r in dialog.results}
    assert by_suffix[".docx"].written and by_suffix[".json"].written
    assert not by_suffix[".html"].written
    assert has_chinese(by_suffix[".html"].error) and f"{base}.html" in by_suffix[".html"].error
    assert (tmp_path / f"{base}.html").is_dir()
    assert read_report_file(tmp_path / f"{base}.json") == session.report
    texts = [dialog.findChild(QListWidget, "export_results").item(i).text() for i in range(3)]
    assert any(t.startswith("未导出") and "文件夹" in t for t in texts)
    assert not list(tmp_path.glob(".*.tmp"))  # nothing half-written left behind


def test_font_error_fails_only_the_pdf(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = "未找到可嵌入 PDF 的中文字体，无法导出 PDF。"

    def no_fonts(*_args: Any, **_kwargs: Any) -> Any:
        raise FontError(message)

    monkeypatch.setattr(exports.fonts, "find_fonts", no_fonts)
    dialog = _dialog(qtbot, session, store, tmp_path, ("format_docx", "format_pdf"))
    base = _base(dialog)

    _run(qtbot, dialog)

    assert [(r.target.suffix, r.error) for r in dialog.results] == [(".docx", ""), (".pdf", message)]
    assert (tmp_path / f"{base}.docx").is_file() and not (tmp_path / f"{base}.pdf").exists()


def _font_notice(qtbot: QtBot, dialog: ExportDialog) -> QLabel:
    """The dialog's font notice once the fonts have been looked up."""
    qtbot.waitUntil(lambda: dialog._font_task is None, timeout=WORKER_TIMEOUT_MS)
    label = dialog.findChild(QLabel, "export_font_notice")
    assert label is not None
    return label


@pytest.mark.needs_tool("cjk_font")
def test_export_dialog_says_which_fonts_stand_in_while_pdf_is_chosen(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, sans_only: str
) -> None:
    dialog = _dialog(qtbot, session, store, tmp_path, ("format_docx", "format_pdf"))
    dialog.show()
    label = _font_notice(qtbot, dialog)
    assert label.text() == sans_only
    assert label.isVisible()
    # The band arrives after the dialog was laid out: the dialog grows for it, nothing is squeezed.
    layout = dialog.layout()
    assert dialog.height() >= layout.heightForWidth(dialog.width()) - 1
    for box in dialog.findChildren(QCheckBox):
        assert box.height() >= box.sizeHint().height(), box.objectName()
    pdf = dialog.findChild(QCheckBox, "format_pdf")
    pdf.setChecked(False)
    assert not label.isVisible()  # Word and web pages use the reader's fonts
    pdf.setChecked(True)
    assert label.isVisible()
    _run(qtbot, dialog)
    assert [r.written for r in dialog.results] == [True, True]
    assert label.isVisible() and label.text() == sans_only


@pytest.mark.needs_tool("cjk_font")
def test_export_dialog_says_nothing_when_every_role_has_its_own_face(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, one_face: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "fonts"
    for name in ("simsun.ttc", "simhei.ttf", "simkai.ttf", "simfang.ttf", "FZXBSJW.TTF"):
        place_font(one_face, folder / name)
    place_font(VERA, folder / "times.ttf")
    monkeypatch.setattr(exports.fonts, "default_font_dirs", lambda: [folder])
    dialog = _dialog(qtbot, session, store, tmp_path)
    dialog.show()
    label = _font_notice(qtbot, dialog)
    assert label.text() == "" and not label.isVisible()


def test_export_dialog_without_any_chinese_font_says_so_before_exporting(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports.fonts, "default_font_dirs", lambda: [tmp_path / "no fonts"])
    dialog = _dialog(qtbot, session, store, tmp_path)
    dialog.show()
    label = _font_notice(qtbot, dialog)
    assert label.isVisible()
    assert "未找到可嵌入 PDF 的中文字体" in label.text() and "fonts-arphic-gbsn00lp" in label.text()


def test_cancel_stops_between_files(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = threading.Event()
    release = threading.Event()
    written: list[str] = []

    def slow_export(_report: Any, path: Path, _options: Any) -> None:
        started.set()
        assert release.wait(10)
        Path(path).write_text("x", "utf-8")
        written.append(Path(path).suffix)

    monkeypatch.setattr(printing, "export_report", slow_export)
    dialog = _dialog(qtbot, session, store, tmp_path, ("format_docx", "format_html", "format_json"))
    with qtbot.waitSignal(dialog.exportFinished, timeout=WORKER_TIMEOUT_MS):
        qtbot.mouseClick(dialog.findChild(QPushButton, "export_run"), Qt.MouseButton.LeftButton)
        assert dialog.running and not dialog.findChild(QPushButton, "export_close").isEnabled()
        assert started.wait(10)
        qtbot.mouseClick(dialog.findChild(QPushButton, "export_cancel"), Qt.MouseButton.LeftButton)
        release.set()

    assert written == [".docx"]
    assert [(r.written, r.skipped) for r in dialog.results] == [(True, False), (False, True), (False, True)]
    assert "取消" in dialog.findChild(QListWidget, "export_results").item(1).text()


def test_html_fragment_option(qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, session, store, tmp_path, ("format_html",))
    fragment = dialog.findChild(QCheckBox, "format_html_fragment")
    assert fragment.isEnabled()
    dialog.findChild(QCheckBox, "format_html").setChecked(False)
    assert not fragment.isEnabled()
    dialog.findChild(QCheckBox, "format_html").setChecked(True)
    fragment.click()
    assert fragment.isChecked()

    _run(qtbot, dialog)

    html = (tmp_path / f"{_base(dialog)}.html").read_text("utf-8")
    assert html.lstrip().startswith("<div") and "<html" not in html


def test_draft_default_follows_status(qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path) -> None:
    assert _dialog(qtbot, session, store, tmp_path).findChild(QCheckBox, "export_draft").isChecked()
    assert session.set_final(True)
    assert not _dialog(qtbot, session, store, tmp_path).findChild(QCheckBox, "export_draft").isChecked()


def test_export_folder_is_remembered(qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    _run(qtbot, _dialog(qtbot, session, store, folder, ("format_json",)))

    assert load_settings()["export_folder"] == str(folder)
    again = ExportDialog(session, store)
    qtbot.addWidget(again)
    assert again.findChild(QLineEdit, "export_folder").text() == str(folder)


def test_default_file_name_is_valid_on_windows() -> None:
    assert safe_file_name('某局 2024/2025:"年报"?*.') == "某局 2024_2025__年报___"
    assert safe_file_name("CON") == "_CON"
    assert safe_file_name(" ... ") == "年度报告"


# --- revision history --------------------------------------------------------------------------


def _rows(tree: QTreeWidget) -> list[tuple[str, str]]:
    return [(tree.topLevelItem(i).text(2), tree.topLevelItem(i).text(3)) for i in range(tree.topLevelItemCount())]


def _edit_a_few(session: ReportSession) -> None:
    assert session.edit_cells({"s3.new.natural": "72"})
    assert session.edit_cells({"s3.new.commercial": "4", "s3.new.research": "1"}, "粘贴")
    assert session.edit_text("s5", "存在的问题已整改。")


def test_history_lists_edits_newest_first_in_words(qtbot: QtBot, session: ReportSession, store: Store) -> None:
    _edit_a_few(session)
    dialog = HistoryDialog(store, session)
    qtbot.addWidget(dialog)
    rows = _rows(dialog.findChild(QTreeWidget, "history_list"))

    assert [label for label, _ in rows] == ["修改文字", "粘贴", "修改单元格", "创建报告"]
    assert rows[0][1].startswith("五、存在的主要问题及改进情况：「2022年") and "「存在的问题已整改。」" in rows[0][1]
    template = session.report.template

    def place(cell_id: str) -> str:
        cell = template.cell(cell_id)
        return f"「{cell.row_label}·{cell.col_label}」"

    assert place("s3.new.commercial") == "「一、本年新收政府信息公开申请数量·商业企业」"
    assert rows[1][1] == f"{place('s3.new.commercial')}：3 → 4；{place('s3.new.research')}：0 → 1"
    assert rows[2][1] == f"{place('s3.new.natural')}：71 → 72；合计改由程序计算"
    assert rows[3][1] == "新建报告"
    details = dialog.findChild(type(dialog.details), "history_details").toPlainText()
    assert "修改文字" in details and "存在的问题已整改。" in details
    assert not dialog.findChild(QPushButton, "history_restore").isEnabled()  # newest = what is shown now


def test_change_descriptions() -> None:
    template = read_report_file(SAMPLE_2022).template
    assert describe_change(template, "field:status", "draft", "final") == "状态：草稿 → 已定稿"
    assert describe_change(template, "cell:s2.licensing.decisions", None, "5", with_section=True) == (
        "二、主动公开「行政许可·本年处理决定数量」：空 → 5"
    )
    assert describe_change(template, "text:contact.phone", "", "0591-1234") == "联系电话：（空） → 「0591-1234」"
    assert describe_change(template, "text:s2_note", None, "说明").startswith("二、主动公开政府信息情况（表后说明）")


def test_restore_brings_back_an_earlier_version(
    qtbot: QtBot, session: ReportSession, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit_a_few(session)
    assert session.set_final(True)
    dialog = HistoryDialog(store, session)
    qtbot.addWidget(dialog)
    tree = dialog.findChild(QTreeWidget, "history_list")
    asked: list[str] = []

    def question(_parent: Any, _title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    created = tree.topLevelItemCount() - 1
    batch = tree.topLevelItem(created).data(0, Qt.ItemDataRole.UserRole)
    tree.setCurrentItem(tree.topLevelItem(created))
    restore = dialog.findChild(QPushButton, "history_restore")
    assert restore.isEnabled()
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)

    assert len(asked) == 1 and f"第 {batch} 版" in asked[0] and "撤销定稿" in asked[0]
    assert not session.final
    assert session.display("s3.new.natural") == "71" and session.display("s3.new.commercial") == "3"
    assert session.text("s5").startswith("2022年")
    assert store.revisions(session.report_id)[-1].label == f"恢复到第 {batch} 版"
    assert _rows(tree)[0][0] == f"恢复到第 {batch} 版"
    assert tree.currentItem() is tree.topLevelItem(0)


def test_restore_needs_confirmation(
    qtbot: QtBot, session: ReportSession, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit_a_few(session)
    dialog = HistoryDialog(store, session)
    qtbot.addWidget(dialog)
    before = len(store.revisions(session.report_id))
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.No)
    tree = dialog.findChild(QTreeWidget, "history_list")
    tree.setCurrentItem(tree.topLevelItem(tree.topLevelItemCount() - 1))

    assert not dialog.restore_selected()
    assert len(store.revisions(session.report_id)) == before
    assert session.display("s3.new.natural") == "72"


def test_an_official_export_with_invalid_values_is_refused_naming_the_cells(
    qtbot: QtBot, session: ReportSession, store: Store, tmp_path: Path
) -> None:
    assert session.edit_cells({"s3.new.natural": "1,2,3"})
    dialog = _dialog(qtbot, session, store, tmp_path, ("format_html", "format_json"))
    dialog.findChild(QCheckBox, "export_draft").setChecked(False)
    base = _base(dialog)
    _run(qtbot, dialog)
    by_suffix = {r.target.suffix: r for r in dialog.results}
    assert not by_suffix[".html"].written and not (tmp_path / f"{base}.html").exists()
    assert "1,2,3" in by_suffix[".html"].error and "VALUE-INVALID" in by_suffix[".html"].error
    assert by_suffix[".json"].written  # a report file keeps what was typed

    dialog = _dialog(qtbot, session, store, tmp_path, ("format_html",))
    dialog.findChild(QCheckBox, "export_draft").setChecked(True)  # a draft may print them
    _run(qtbot, dialog)
    assert dialog.results[0].written and "1,2,3" in (tmp_path / f"{base}.html").read_text("utf-8")
