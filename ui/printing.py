"""Print preview, printing and the export dialog: exactly the exported layout, rendered off the UI thread."""

from __future__ import annotations

import contextlib
import copy
import errno
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
from PySide6.QtCore import (
    QMarginsF,
    QRectF,
    QSizeF,
    QStandardPaths,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import UserError
from core.fileio import TargetRefused
from core.pdfium_lock import PDFIUM_LOCK
from core.report import Report
from core.settings import load_settings, pdf_font_overrides, save_settings
from core.storage import ZERO_PRINT_ZERO, Store
from exports import FORMAT_NAMES, ExportOptions, export_report
from ui.session import ReportSession
from ui.tasks import PROGRESS_DELAY_MS, BackgroundTask, TaskContext

if TYPE_CHECKING:
    from exports.fonts import FontSet  # reportlab loads only when something is printed or exported

log = logging.getLogger(__name__)

RENDER_LABEL = "正在生成…"
PREVIEW_DPI = 150  # pages kept in memory by the preview: sharp on screen, ~9 MB a page
PRINT_DPI = 300  # pages sent to a printer
SETTINGS_EXPORT_FOLDER = "export_folder"
# The formats the export dialog offers, in this order: suffix and widget objectName.
EXPORT_FORMATS: tuple[tuple[str, str], ...] = (
    (".docx", "format_docx"),
    (".pdf", "format_pdf"),
    (".html", "format_html"),
    (".json", "format_json"),
)
DEFAULT_FORMATS = frozenset({".docx", ".pdf"})
_ILLEGAL_NAME_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
)
_WINDOWS_DISK_FULL = (39, 112)  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
# What the PDF's fonts lack is shown on a pale yellow band, like a browser's notice bar.
FONT_NOTICE_STYLE = "QLabel { background: #fff4ce; color: #3d2c00; border: 1px solid #e0c36a; padding: 6px; }"


class PrintError(UserError):
    """Printing failed (unreadable PDF, printer unavailable); str() says so in Chinese."""


# --- the work itself, free of Qt ------------------------------------------------------------------


@dataclass(frozen=True)
class PdfRequest:
    """A snapshot of everything the PDF needs, so the worker never touches the live report."""

    report: Report
    blank_as_zero: bool
    draft: bool
    font_overrides: dict[str, str] = field(default_factory=dict)


def blank_as_zero(store: Store, agency: str) -> bool:
    """Whether blank cells print as 0, per the agency profile (印 0 or 留空)."""
    return store.agency_profile(agency).zero_print == ZERO_PRINT_ZERO


def pdf_request(session: ReportSession, store: Store) -> PdfRequest:
    """What the print preview shows: the report as exported, with the 草稿 mark unless final."""
    return PdfRequest(
        report=copy.deepcopy(session.report),
        blank_as_zero=blank_as_zero(store, session.report.agency),
        draft=not session.final,
        font_overrides=pdf_font_overrides(load_settings()),
    )


@dataclass(frozen=True)
class RenderedPdf:
    """The PDF to print, and what its fonts lack (FontSet.notice: None when every role has its own)."""

    data: bytes
    font_notice: str | None = None


def render_report_pdf(request: PdfRequest, fonts: FontSet | None = None) -> bytes:
    """The PDF bytes exactly as the PDF export writes them (same layout, same fonts)."""
    # Deferred: reportlab is only loaded when something is printed or exported.
    from exports import fonts as export_fonts
    from exports.layout import build_layout
    from exports.pdf_export import render_pdf

    layout = build_layout(request.report, blank_as_zero=request.blank_as_zero, draft=request.draft)
    return render_pdf(layout, fonts if fonts is not None else export_fonts.find_fonts(request.font_overrides or None))


def render_for_print(request: PdfRequest) -> RenderedPdf:
    """The PDF to print, with the notice of the fonts it was set in."""
    from exports import fonts as export_fonts

    fonts = export_fonts.find_fonts(request.font_overrides or None)
    return RenderedPdf(render_report_pdf(request, fonts), fonts.notice())


def font_notice(font_overrides: Mapping[str, str]) -> str | None:
    """What a PDF exported now would lack in fonts (FontSet.notice), or None; FontError (its message
    says what to install) when there is no Chinese font at all."""
    from exports import fonts as export_fonts

    return export_fonts.find_fonts(dict(font_overrides) or None).notice()


@dataclass(frozen=True)
class ExportTarget:
    suffix: str  # .docx, .pdf, .html, .json
    path: Path
    options: ExportOptions

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES[self.suffix]


@dataclass(frozen=True)
class ExportResult:
    target: ExportTarget
    error: str = ""  # a Chinese message; "" when the file was written
    skipped: bool = False  # cancelled before this file was started

    @property
    def written(self) -> bool:
        return not self.error and not self.skipped


def safe_file_name(text: str, fallback: str = "年度报告") -> str:
    """A base file name valid on Windows too: illegal characters become _, no trailing dots or
    spaces, no device names (CON, PRN …)."""
    name = _ILLEGAL_NAME_CHARS.sub("_", text.replace("\n", " ")).strip().rstrip(". ")
    if name.split(".")[0].upper() in _RESERVED_NAMES:
        name = f"_{name}"
    return name[:150] or fallback


def export_error_message(exc: BaseException, path: Path) -> str:
    """Why a file could not be written, in Chinese, with what to do."""
    name = path.name
    if isinstance(exc, TargetRefused):  # an existing file an ordinary save could not replace either
        return f"无法写入「{name}」：{exc}。"
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, IsADirectoryError) or (isinstance(exc, PermissionError) and path.is_dir()):
        return f"已有名为「{name}」的文件夹，无法写入同名文件；请换一个文件名或文件夹。"
    if isinstance(exc, PermissionError):
        return (
            f"无法写入「{name}」：文件可能正被其他程序（如 WPS、Word 或 PDF 阅读器）打开，"
            "或没有写入该文件夹的权限。请关闭该文件后重试。"
        )
    if isinstance(exc, OSError) and (exc.errno == errno.ENOSPC or getattr(exc, "winerror", None) in _WINDOWS_DISK_FULL):
        return f"磁盘空间不足，无法写入「{name}」；请清理磁盘或换一个文件夹。"
    if isinstance(exc, FileNotFoundError):
        return f"文件夹「{path.parent}」不存在，无法写入「{name}」。"
    if isinstance(exc, OSError):
        return f"无法写入「{name}」：{exc.strerror or exc}"
    return f"导出「{name}」时出错：{exc}"


def export_files(report: Report, targets: Sequence[ExportTarget], context: TaskContext) -> list[ExportResult]:
    """Write each target in turn (each one atomically); a failure is recorded and the next file is
    still written; after a cancel the remaining files are skipped."""
    results: list[ExportResult] = []
    for index, target in enumerate(targets):
        if context.cancelled:
            results.append(ExportResult(target, skipped=True))
            continue
        context.progress(index, f"正在导出：{target.path.name}（{target.format_name}）")
        try:
            export_report(report, target.path, target.options)
        except Exception as exc:  # one file failing must not stop the others; the message says why
            if not isinstance(exc, UserError | OSError):
                log.exception("export of %s failed", target.path)
            results.append(ExportResult(target, error=export_error_message(exc, target.path)))
        else:
            results.append(ExportResult(target))
    context.progress(len(targets), "")
    return results


# --- running work off the UI thread --------------------------------------------------------------


def start_pdf_render(parent: QWidget | None, session: ReportSession, store: Store) -> BackgroundTask:
    """Render the report's PDF in a worker; connect to `succeeded(RenderedPdf)` / `failed(str)`."""
    request = pdf_request(session, store)
    # Looked up when the worker runs, so tests can watch the call.
    return BackgroundTask(lambda _context: render_for_print(request), parent, progress_label=RENDER_LABEL).start()


def font_notice_label(notice: str, parent: QWidget | None = None, name: str = "font_notice") -> QLabel:
    """The notice of what the PDF's fonts lack as a band of text (selectable: it holds commands)."""
    label = QLabel(notice, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(FONT_NOTICE_STYLE)
    return label


def show_font_notice(dialog: QDialog, notice: str | None, name: str) -> QWidget | None:
    """Show what the PDF's fonts lack at the top of a print dialog (a band above its contents); a
    dialog without a Qt layout (the native print dialog of Windows) gets a non-modal message beside it.
    Returns the band or the message, None when there is nothing to say."""
    if not notice:
        return None
    layout = dialog.layout()
    if isinstance(layout, QBoxLayout):
        label = font_notice_label(notice, dialog, name)
        layout.insertWidget(0, label)
        return label
    ok = QMessageBox.StandardButton.Ok
    box = QMessageBox(QMessageBox.Icon.Information, "PDF 字体", notice, ok, dialog.parentWidget())
    box.setObjectName(name)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box


# --- drawing the PDF onto a printer --------------------------------------------------------------


def setup_a4_printer(printer: QPrinter) -> None:
    """A4 portrait, full page, no margins: the PDF carries the official margins itself."""
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def _fit(target: QRectF, size: QSizeF) -> QRectF:
    """The largest rect of `size`'s shape centred in `target` (exactly `target` for A4 on A4)."""
    scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
    left = target.left() + (target.width() - scaled.width()) / 2
    top = target.top() + (target.height() - scaled.height()) / 2
    return QRectF(left, top, scaled.width(), scaled.height())


class PdfPages:
    """The exported PDF opened with PDFium (pypdfium2), drawn page by page onto a printer or the preview.

    Every call into PDFium holds PDFIUM_LOCK (a batch check may be reading PDFs on a worker thread
    meanwhile), and the document is closed explicitly, under the lock, rather than by the garbage
    collector on whatever thread it happens to run."""

    def __init__(self, data: bytes) -> None:
        self._count = 0
        with PDFIUM_LOCK:
            try:
                self.document: pdfium.PdfDocument | None = pdfium.PdfDocument(data)
                self._count = len(self.document)
            except pdfium.PdfiumError:
                raise PrintError("无法读取生成的 PDF，不能打印。") from None
        if self._count < 1:
            self.close()
            raise PrintError("无法读取生成的 PDF，不能打印。")

    @property
    def page_count(self) -> int:
        return self._count

    def render(self, page_index: int, dpi: float) -> QImage:
        """One page as an image at `dpi` (white background, as on paper)."""
        with PDFIUM_LOCK:
            if self.document is None:
                raise PrintError("打印内容已关闭，请重新打开打印预览。")
            page = self.document[page_index]
            try:
                bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # RGB(A) byte order, what QImage reads
                try:
                    width, height = bitmap.width, bitmap.height
                    fmt = QImage.Format.Format_RGBX8888 if bitmap.n_channels == 4 else QImage.Format.Format_RGB888
                    return QImage(bitmap.buffer, width, height, bitmap.stride, fmt).copy()  # own the pixels
                finally:
                    bitmap.close()
            finally:
                page.close()

    def close(self) -> None:
        with PDFIUM_LOCK:
            if self.document is not None:
                self.document.close()
                self.document = None

    def _pages(self, printer: QPrinter) -> range:
        first, last = printer.fromPage(), printer.toPage()
        if first <= 0 or last <= 0:
            return range(self.page_count)
        return range(max(first, 1) - 1, min(last, self.page_count))

    def paint(self, printer: QPrinter, on_page: Callable[[int, int], bool] | None = None) -> int:
        """Draw the pages (the printer's page range, else all); `on_page(done, total)` may return
        False to stop. Returns the number of pages drawn."""
        setup_a4_printer(printer)  # whatever paper was chosen, the A4 pages are drawn edge to edge
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintError("无法开始打印：打印机不可用或输出文件无法写入。")
        drawn = 0
        try:
            preview = painter.paintEngine().type() == QPaintEngine.Type.Picture
            dpi = min(printer.resolution(), PREVIEW_DPI if preview else PRINT_DPI)
            target = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
            pages = self._pages(printer)
            for page in pages:
                if drawn:
                    printer.newPage()
                image = self.render(page, dpi)
                painter.drawImage(_fit(target, QSizeF(image.size())), image)
                drawn += 1
                if on_page is not None and not on_page(drawn, len(pages)):
                    printer.abort()
                    break
        finally:
            painter.end()
        return drawn


def _show_error(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.warning(parent, title, message)


def make_preview_dialog(parent: QWidget | None, data: bytes, title: str = "") -> QPrintPreviewDialog:
    """A print preview of these PDF bytes on an A4 printer; printing from it prints the same pages."""
    pages = PdfPages(data)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    setup_a4_printer(printer)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setObjectName("print_preview")
    dialog.setWindowTitle(f"打印预览 — {title}" if title else "打印预览")
    window = parent.window() if parent is not None else None
    if window is not None:  # a page should be readable without resizing the dialog first
        dialog.resize(window.size() * 0.9)
    # The dialog keeps what it draws from; QPrintPreviewDialog does not own the printer.
    dialog.pdf_pages = pages  # type: ignore[attr-defined]
    dialog.a4_printer = printer  # type: ignore[attr-defined]
    dialog.paintRequested.connect(pages.paint)
    dialog.finished.connect(lambda _result: pages.close())
    return dialog


def print_preview(parent: QWidget | None, session: ReportSession, store: Store) -> BackgroundTask:
    """Render the report as exported, then show it in QPrintPreviewDialog (from which it prints)."""
    title = session.report.title or session.report.default_title()

    def show(rendered: object) -> None:
        assert isinstance(rendered, RenderedPdf)
        try:
            dialog = make_preview_dialog(parent, rendered.data, title)
        except PrintError as exc:
            _show_error(parent, "无法打印预览", str(exc))
            return
        show_font_notice(dialog, rendered.font_notice, "print_font_notice")
        # Window-modal without a nested event loop; the dialog goes when it is closed.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    task = start_pdf_render(parent, session, store)
    task.succeeded.connect(show)
    task.failed.connect(lambda message: _show_error(parent, "无法生成打印内容", message))
    return task


def print_pages(parent: QWidget | None, pages: PdfPages, printer: QPrinter) -> int:
    """Send the pages to a printer with a cancellable per-page progress dialog."""
    progress = QProgressDialog("正在打印…", "取消", 0, pages.page_count, parent)
    progress.setObjectName("print_progress")
    progress.setWindowTitle("打印")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(PROGRESS_DELAY_MS)

    def on_page(done: int, total: int) -> bool:
        progress.setMaximum(total)
        progress.setValue(done)  # lets the window repaint between pages
        return not progress.wasCanceled()

    try:
        return pages.paint(printer, on_page)
    finally:
        progress.reset()
        progress.deleteLater()


def print_directly(parent: QWidget | None, session: ReportSession, store: Store) -> BackgroundTask:
    """Render the report as exported, ask for a printer (QPrintDialog) and print it."""

    def ask_and_print(rendered: object) -> None:
        assert isinstance(rendered, RenderedPdf)
        try:
            pages = PdfPages(rendered.data)
        except PrintError as exc:
            _show_error(parent, "无法打印", str(exc))
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        setup_a4_printer(printer)
        dialog = QPrintDialog(printer, parent)
        dialog.setObjectName("print_dialog")
        dialog.setWindowTitle("打印")
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, pages.page_count)
        show_font_notice(dialog, rendered.font_notice, "print_font_notice")
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            print_pages(parent, pages, printer)
        except PrintError as exc:
            _show_error(parent, "无法打印", str(exc))
        finally:
            pages.close()

    task = start_pdf_render(parent, session, store)
    task.succeeded.connect(ask_and_print)
    task.failed.connect(lambda message: _show_error(parent, "无法生成打印内容", message))
    return task


# --- the export dialog ---------------------------------------------------------------------------


def default_export_folder() -> Path:
    """The folder last exported to, else the user's Documents folder."""
    remembered = load_settings().get(SETTINGS_EXPORT_FOLDER)
    if isinstance(remembered, str) and remembered and Path(remembered).is_dir():
        return Path(remembered)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents else Path.home()


def remember_export_folder(folder: Path) -> None:
    settings = load_settings()
    settings[SETTINGS_EXPORT_FOLDER] = str(folder)
    with contextlib.suppress(OSError):  # not remembering a folder is no reason to stop an export
        save_settings(settings)


class ExportDialog(QDialog):
    """Export the open report as Word, PDF, web page and report file into one folder at once."""

    exportFinished = Signal()

    def __init__(self, session: ReportSession, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.store = store
        self.results: list[ExportResult] = []
        self._task: BackgroundTask | None = None
        self._close_when_done = False
        self.setObjectName("export_dialog")
        self.setWindowTitle("导出报告")
        self.setMinimumWidth(520)

        formats = QGroupBox("格式")
        formats_layout = QVBoxLayout(formats)
        self.format_boxes: dict[str, QCheckBox] = {}
        for suffix, name in EXPORT_FORMATS:
            box = QCheckBox(f"{FORMAT_NAMES[suffix]} {suffix}")
            box.setObjectName(name)
            box.setChecked(suffix in DEFAULT_FORMATS)
            formats_layout.addWidget(box)
            self.format_boxes[suffix] = box
            if suffix == ".html":
                self.fragment_box = QCheckBox("网页片段（粘贴到网站编辑器）")
                self.fragment_box.setObjectName("format_html_fragment")
                self.fragment_box.setToolTip("只导出正文和表格，不含网页头部，便于粘贴到政府网站的内容编辑器中。")
                fragment_row = QHBoxLayout()
                fragment_row.addSpacing(24)
                fragment_row.addWidget(self.fragment_box)
                formats_layout.addLayout(fragment_row)
                box.toggled.connect(self.fragment_box.setEnabled)
                self.fragment_box.setEnabled(box.isChecked())

        self.folder_edit = QLineEdit(str(default_export_folder()))
        self.folder_edit.setObjectName("export_folder")
        browse = QPushButton("选择…")
        browse.setObjectName("export_browse")
        browse.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)

        report = session.report
        self.name_edit = QLineEdit(safe_file_name(report.title.strip() or report.default_title()))
        self.name_edit.setObjectName("export_name")
        self.name_edit.setToolTip("不含扩展名；每种格式各写一个文件。")

        self.draft_box = QCheckBox("草稿水印")
        self.draft_box.setObjectName("export_draft")
        self.draft_box.setChecked(not session.final)
        zero = "印 0" if blank_as_zero(store, report.agency) else "留空"
        zero_note = QLabel(f"空白单元格按本机关的设置{zero}（在机关信息中修改）。")
        zero_note.setObjectName("export_zero_note")

        form = QFormLayout()
        form.addRow("保存到文件夹", folder_row)
        form.addRow("文件名", self.name_edit)
        form.addRow("", self.draft_box)
        form.addRow("", zero_note)

        # What the PDF's fonts lack, looked up off the UI thread (fonts are opened and checked) and
        # shown while PDF is among the formats.
        self.font_notice = font_notice_label("", self, "export_font_notice")
        self.font_notice.setVisible(False)
        self._font_notice_text = ""
        self.format_boxes[".pdf"].toggled.connect(self._update_font_notice)
        overrides = pdf_font_overrides(load_settings())
        self._font_task: BackgroundTask | None = BackgroundTask(
            lambda _context: font_notice(overrides), self, progress_label=None
        )
        self._font_task.succeeded.connect(self._on_font_notice)
        self._font_task.failed.connect(self._on_font_notice)
        self._font_task.start()

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("export_progress")
        self.progress_bar.setVisible(False)
        self.status_label = QLabel("")
        self.status_label.setObjectName("export_status")
        self.status_label.setWordWrap(True)
        self.result_list = QListWidget()
        self.result_list.setObjectName("export_results")
        self.result_list.setVisible(False)
        self.result_list.itemActivated.connect(self._open_item)

        self.run_button = QPushButton("导出")
        self.run_button.setObjectName("export_run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run_export)
        self.cancel_button = QPushButton("取消导出")
        self.cancel_button.setObjectName("export_cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_export)
        self.open_folder_button = QPushButton("打开文件夹")
        self.open_folder_button.setObjectName("export_open_folder")
        self.open_folder_button.setEnabled(False)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.close_button = QPushButton("关闭")
        self.close_button.setObjectName("export_close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(formats)
        layout.addLayout(form)
        layout.addWidget(self.font_notice)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_list, 1)
        layout.addLayout(buttons)
        self._inputs: list[QWidget] = [formats, self.folder_edit, browse, self.name_edit, self.draft_box]

    # --- reading the choices -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None

    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def targets(self) -> list[ExportTarget]:
        """One file per chosen format, named after the base name."""
        base = safe_file_name(self.name_edit.text())
        options = ExportOptions(
            blank_as_zero=blank_as_zero(self.store, self.session.report.agency),
            draft=self.draft_box.isChecked(),
            font_overrides=pdf_font_overrides(load_settings()),
        )
        folder = self.folder()
        chosen: list[ExportTarget] = []
        for suffix, _ in EXPORT_FORMATS:
            if not self.format_boxes[suffix].isChecked():
                continue
            fragment = suffix == ".html" and self.fragment_box.isChecked()
            target_options = ExportOptions(
                blank_as_zero=options.blank_as_zero,
                draft=options.draft,
                fragment=fragment,
                font_overrides=options.font_overrides,
            )
            chosen.append(ExportTarget(suffix, folder / f"{base}{suffix}", target_options))
        return chosen

    # --- actions -----------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择导出文件夹", str(self.folder()))
        if folder:
            self.folder_edit.setText(folder)

    def run_export(self) -> None:
        if self.running:
            return
        if not self.folder_edit.text().strip():
            QMessageBox.warning(self, "导出报告", "请选择保存到哪个文件夹。")
            return
        if not safe_file_name(self.name_edit.text(), fallback="").strip():
            QMessageBox.warning(self, "导出报告", "请填写文件名。")
            return
        targets = self.targets()
        if not targets:
            QMessageBox.warning(self, "导出报告", "请至少选择一种格式。")
            return
        folder = self.folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            QMessageBox.warning(self, "导出报告", f"无法使用文件夹「{folder}」：{exc.strerror or exc}")
            return
        self.name_edit.setText(safe_file_name(self.name_edit.text()))
        existing = [t.path.name for t in targets if t.path.is_file()]
        if existing:
            answer = QMessageBox.question(
                self,
                "文件已存在",
                "以下文件已存在：\n" + "\n".join(existing) + "\n\n要全部覆盖吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.status_label.setText("没有导出：已有同名文件，未覆盖。")
                return
        remember_export_folder(folder)
        report = copy.deepcopy(self.session.report)
        task = BackgroundTask(lambda context: export_files(report, targets, context), self, progress_label=None)
        task.progressed.connect(self._on_progress)
        task.succeeded.connect(self._on_done)
        task.failed.connect(self._on_failed)
        self._task = task
        self.results = []
        self.result_list.clear()
        self.result_list.setVisible(False)
        self.progress_bar.setRange(0, len(targets))
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(True)
        self.status_label.setText("正在导出…")
        self._set_running(True)
        task.start()

    def cancel_export(self) -> None:
        if self._task is not None:
            self._task.request_cancel()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("正在取消：当前文件写完后停止…")

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder())))

    def reject(self) -> None:
        if self.running:  # closing waits for the file being written, then closes
            self._close_when_done = True
            self.cancel_export()
            return
        super().reject()

    # --- worker news -------------------------------------------------------------------------

    def _on_font_notice(self, notice: object) -> None:
        """The font lookup's answer: a notice, None (every role has its own face), or the message
        saying there is no Chinese font at all."""
        self._font_task = None
        self._font_notice_text = notice if isinstance(notice, str) else ""
        self.font_notice.setText(self._font_notice_text)
        self._update_font_notice()

    def _update_font_notice(self) -> None:
        visible = bool(self._font_notice_text) and self.format_boxes[".pdf"].isChecked()
        self.font_notice.setVisible(visible)
        layout = self.layout()
        if visible and layout is not None:  # the band comes after the dialog was laid out: grow, don't squeeze
            layout.activate()
            needed = layout.heightForWidth(self.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
            if needed > self.height():
                self.resize(self.width(), needed)

    def _set_running(self, running: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not running)
        self.run_button.setVisible(not running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)

    def _on_progress(self, value: int, text: str) -> None:
        self.progress_bar.setValue(value)
        if text:
            self.status_label.setText(text)

    def _on_done(self, results: object) -> None:
        self._task = None
        self.results = list(results) if isinstance(results, list) else []
        self._set_running(False)
        self.progress_bar.setVisible(False)
        self.result_list.clear()
        for result in self.results:
            target = result.target
            if result.written:
                text = f"已导出　{target.format_name}：{target.path.name}"
            elif result.skipped:
                text = f"已取消　{target.format_name}：{target.path.name} 未导出"
            else:
                text = f"未导出　{target.format_name}：{result.error}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, str(target.path) if result.written else "")
            item.setToolTip(str(target.path) if result.written else result.error or text)
            self.result_list.addItem(item)
        self.result_list.setVisible(True)
        written = sum(r.written for r in self.results)
        failed = sum(bool(r.error) for r in self.results)
        skipped = sum(r.skipped for r in self.results)
        parts = [f"已导出 {written} 个文件到「{self.folder()}」"]
        if failed:
            parts.append(f"{failed} 个未能导出（原因见下）")
        if skipped:
            parts.append(f"{skipped} 个因取消未导出")
        self.status_label.setText("，".join(parts) + "。")
        self.open_folder_button.setEnabled(written > 0)
        self.exportFinished.emit()
        if self._close_when_done:
            super().reject()

    def _on_failed(self, message: str) -> None:
        self._task = None
        self._set_running(False)
        self.progress_bar.setVisible(False)
        self.status_label.setText(message)
        self.exportFinished.emit()
        if self._close_when_done:
            super().reject()
        else:
            QMessageBox.warning(self, "导出报告", message)

    def _open_item(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))
