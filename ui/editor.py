"""The report editor: a cover tab and one tab per section, text editors, grids and the findings panel."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.checks import ERROR, SEVERITY_LABELS, Finding
from core.nextyear import default_preamble
from core.report import Contact
from core.summary import summary_sentence
from ui.dialogs import LOCKED_BASE, LOCKED_TEXT, confirm_unfinalise
from ui.grid import ReportGridView, ReportTableModel
from ui.session import LOCKED_MESSAGE, ReportSession

FEE_NONE_TEXT = "本年度未收取信息处理费。"
SECTION_HINTS = {
    "s1": "按五个小标题分别写：主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障。",
    "s5": "写明本年度存在的主要问题，以及下一步的改进措施。",
    "s6": "2021 版格式要求在此报告信息处理费的收取情况；没有其他事项时写“无”。",
}


BANNER_STYLE = "background: #e8eef7; border: 1px solid #9fb3d1; padding: 4px;"


def show_locked(widget: QWidget, locked: bool) -> None:
    """Grey background and text for a widget of a finalised report; the style's own colours otherwise."""
    palette = widget.style().standardPalette() if widget.style() is not None else QPalette()
    if locked:
        palette.setColor(QPalette.ColorRole.Base, LOCKED_BASE)
        palette.setColor(QPalette.ColorRole.Text, LOCKED_TEXT)
    widget.setPalette(palette)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def undo_key(session: ReportSession, event: QKeyEvent) -> bool:
    """Ctrl+Z / Ctrl+Y in a text go to the report's one undo stack (not the widget's own history)."""
    if event.matches(QKeySequence.StandardKey.Undo):
        session.undo_stack.undo()
    elif event.matches(QKeySequence.StandardKey.Redo):
        session.undo_stack.redo()
    else:
        return False
    return True


class TextField(QPlainTextEdit):
    """A text of the report (a section, the preamble …) bound to the session: every change is an
    undoable step saved at once; undo/redo go to the report's one undo stack."""

    def __init__(self, session: ReportSession, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.key = key
        self.setObjectName(key)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 12.0))  # long prose: larger than the grid's type
        self.setFont(font)
        self.setUndoRedoEnabled(False)  # the report's QUndoStack is the only undo history
        self.setTabChangesFocus(True)
        self.setPlainText(session.text(key))
        self.textChanged.connect(self._typed)
        session.textChanged.connect(self._shown)
        session.statusChanged.connect(lambda _status: self._lock())
        self._lock()

    def _lock(self) -> None:
        self.setReadOnly(self.session.final)
        show_locked(self, self.session.final)

    def _typed(self) -> None:
        if not self.session.edit_text(self.key, self.toPlainText()):
            self._shown(self.key)  # not saved (final, disk full …): show what is stored

    def _shown(self, key: str) -> None:
        if key != self.key or self.toPlainText() == self.session.text(key):
            return
        position = self.textCursor().position()
        with QSignalBlocker(self):
            self.setPlainText(self.session.text(key))
        cursor = self.textCursor()
        cursor.setPosition(min(position, len(self.toPlainText())))
        self.setTextCursor(cursor)

    def select_span(self, start: int, end: int) -> None:
        """Select text[start:end] (Python offsets; Qt counts UTF-16 units) and scroll it into view."""
        text = self.toPlainText()
        start, end = min(start, len(text)), min(end, len(text))
        cursor = self.textCursor()
        cursor.setPosition(_utf16_length(text[:start]))
        cursor.setPosition(_utf16_length(text[:end]), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def selected_text(self) -> str:
        """The selection as plain text (Qt's own uses a paragraph separator for line breaks)."""
        return self.textCursor().selectedText().replace("\u2029", "\n")

    def insert(self, text: str) -> None:
        """Insert at the cursor as one undoable step."""
        cursor = self.textCursor()
        cursor.insertText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not undo_key(self.session, event):
            super().keyPressEvent(event)


class LineField(QLineEdit):
    """A one-line text of the report (title, contact, signature) bound to the session."""

    def __init__(self, session: ReportSession, key: str, parent: QWidget | None = None) -> None:
        super().__init__(session.text(key), parent)
        self.session = session
        self.key = key
        self.setObjectName(key)
        self.textEdited.connect(self._typed)
        session.textChanged.connect(self._shown)
        session.statusChanged.connect(lambda _status: self._lock())
        self._lock()

    def _lock(self) -> None:
        self.setReadOnly(self.session.final)
        show_locked(self, self.session.final)

    def _typed(self, text: str) -> None:
        if not self.session.edit_text(self.key, text):
            self._shown(self.key)

    def _shown(self, key: str) -> None:
        if key == self.key and self.text() != self.session.text(key):
            position = self.cursorPosition()
            self.setText(self.session.text(key))
            self.setCursorPosition(min(position, len(self.text())))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not undo_key(self.session, event):
            super().keyPressEvent(event)


# Room around a finding's text in the findings panel (left/right, top/bottom), in pixels.
FINDING_PADDING = (6, 3)
_WRAP_FLAGS = Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere


class _WrappedTextDelegate(QStyledItemDelegate):
    """Each item's whole text wrapped to the list's width, never cut with "…": the height asked for
    and the text drawn use the same width and the same wrapping (Chinese wraps between any two
    characters)."""

    def __init__(self, view: QListWidget) -> None:
        super().__init__(view)
        self.view = view

    def text_rect(self, rect: QRect) -> QRect:
        across, down = FINDING_PADDING
        return rect.adjusted(across, down, -across, -down)

    def needed(self, text: str, font: QFont, width: int) -> QSize:
        across, down = FINDING_PADDING
        inner = max(width - 2 * across, 20)
        bound = QFontMetrics(font).boundingRect(QRect(0, 0, inner, 100_000), int(_WRAP_FLAGS), text)
        return QSize(width, bound.height() + 2 * down)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        font = index.data(Qt.ItemDataRole.FontRole)
        width = self.view.viewport().width() - 2 * self.view.spacing()
        return self.needed(str(index.data() or ""), font if isinstance(font, QFont) else option.font, width)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        rect = option.rect
        palette = option.palette
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, palette.highlight())
            painter.setPen(palette.highlightedText().color())
        else:
            if isinstance(background, QColor | QBrush):
                painter.fillRect(rect, background)
            painter.setPen(palette.text().color())
        font = index.data(Qt.ItemDataRole.FontRole)
        painter.setFont(font if isinstance(font, QFont) else option.font)
        painter.drawText(self.text_rect(rect), int(_WRAP_FLAGS), str(index.data() or ""))
        painter.restore()


class FindingsPanel(QListWidget):
    """Every error and warning under a heading per severity, wrapped in full; activating one asks
    to go to its place."""

    findingActivated = Signal(object)  # Finding

    def __init__(self, session: ReportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("findings")
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setSpacing(2)
        self.setUniformItemSizes(False)
        # Always there, so the width the texts are wrapped to does not change when it appears.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setItemDelegate(_WrappedTextDelegate(self))
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self._shown: list[Finding] | None = None  # the findings the list holds now
        session.findingsChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """List the session's findings again, unless they are the ones listed: most edits (each
        keystroke in a text) change none, and a rebuild would lose the list's scroll position."""
        if self.session.findings == self._shown:
            return
        self._shown = list(self.session.findings)
        self.clear()
        for severity in (ERROR, "warning"):
            found = [f for f in self.session.findings if f.severity == severity]
            heading = QListWidgetItem(f"{SEVERITY_LABELS[severity]}（{len(found)}）")
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.addItem(heading)
            colour = QColor("#fde2e2") if severity == ERROR else QColor("#fff6d6")
            for finding in found:
                item = QListWidgetItem(finding.message)
                item.setToolTip(f"{finding.message}\n（规则 {finding.rule}，单击转到相应位置）")
                item.setData(Qt.ItemDataRole.UserRole, finding)
                item.setBackground(colour)
                self.addItem(item)

    def finding_items(self, severity: str) -> list[QListWidgetItem]:
        items = (self.item(i) for i in range(self.count()))
        return [
            item for item in items
            if isinstance(f := item.data(Qt.ItemDataRole.UserRole), Finding) and f.severity == severity
        ]

    def _activated(self, item: QListWidgetItem) -> None:
        finding = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(finding, Finding):
            self.findingActivated.emit(finding)


class ReportEditor(QWidget):
    """The tabs of one report and the findings beside them."""

    notice = Signal(str)

    def __init__(self, session: ReportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        template = session.report.template
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("sections")
        self.tab_index: dict[str, int] = {}
        self.grids: dict[str, ReportGridView] = {}
        self.models: dict[str, ReportTableModel] = {}
        self.text_fields: dict[str, TextField] = {}
        self.edit_buttons: list[QPushButton] = []  # disabled while the report is final

        self._add_tab("cover", "封面", self._cover())
        for section in template.sections:
            page = self._table_page(section.id) if section.kind == "table" else self._text_page(section.id)
            self._add_tab(section.id, section.short, page)
            self.tabs.setTabToolTip(self.tab_index[section.id], section.heading)

        self.findings = FindingsPanel(session, self)
        self.findings.findingActivated.connect(self.go_to)
        self.banner = self._banner()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.banner)
        layout = QHBoxLayout()
        layout.addWidget(self.tabs, 3)
        side = QVBoxLayout()
        title = QLabel("检查结果")
        title.setStyleSheet("font-weight: bold")
        side.addWidget(title)
        side.addWidget(self.findings)
        layout.addLayout(side, 1)
        outer.addLayout(layout, 1)
        session.locked.connect(self.notice)
        session.statusChanged.connect(lambda _status: self._show_status())
        self._show_status()

    # --- final: locked -----------------------------------------------------------------------------

    def _banner(self) -> QFrame:
        """「已定稿（只读）· 撤销定稿」above the tabs of a finalised report."""
        banner = QFrame(self)
        banner.setObjectName("final_banner")
        banner.setStyleSheet(f"#final_banner {{ {BANNER_STYLE} }}")
        row = QHBoxLayout(banner)
        row.setContentsMargins(6, 2, 6, 2)
        label = QLabel("已定稿（只读）·")
        label.setObjectName("final_label")
        label.setStyleSheet("font-weight: bold")
        unfinalise = QPushButton("撤销定稿")
        unfinalise.setObjectName("unfinalise")
        unfinalise.setFlat(True)
        unfinalise.setCursor(Qt.CursorShape.PointingHandCursor)
        unfinalise.setStyleSheet("color: #0b57d0; text-decoration: underline; border: none; padding: 0 2px;")
        unfinalise.setToolTip("撤销定稿后报告可以再次修改；修订历史会记下这一步")
        unfinalise.clicked.connect(self.ask_unfinalise)
        hint = QLabel("报告内容不能修改；打印、导出不受影响。")
        hint.setStyleSheet("color: #555")
        row.addWidget(label)
        row.addWidget(unfinalise)
        row.addSpacing(12)
        row.addWidget(hint)
        row.addStretch(1)
        return banner

    def _show_status(self) -> None:
        final = self.session.final
        self.banner.setVisible(final)
        for button in self.edit_buttons:
            button.setEnabled(not final)
        for grid in self.grids.values():
            show_locked(grid, final)

    def ask_unfinalise(self) -> bool:
        """Ask, then make the report a draft again (the revision history records it)."""
        if not self.session.final or not confirm_unfinalise(self):
            return False
        if not self.session.set_final(False):
            return False
        self.notice.emit("已撤销定稿，报告可以修改；修改完成后请重新定稿。")
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On a finalised report's grid, typing says why nothing happens, and paste, cut and Delete
        are not tried at all (only said): nothing in the grid can change."""
        if not self.session.final or event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if (
            event.matches(QKeySequence.StandardKey.Paste)
            or event.matches(QKeySequence.StandardKey.Cut)
            or event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self.notice.emit(LOCKED_MESSAGE)
            return True
        if (
            event.text().isprintable()
            and event.text().strip()
            and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        ):
            self.notice.emit(LOCKED_MESSAGE)
        return False

    def _add_tab(self, key: str, label: str, page: QWidget) -> None:
        if key == "cover":
            # The cover's form is taller than a laptop screen at 150 % leaves for it: it scrolls, so
            # the window never grows past the screen and hides its status bar.
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            page.setObjectName(f"tab_{key}_form")
            scroll.setWidget(page)
            page = scroll
        page.setObjectName(f"tab_{key}")
        self.tab_index[key] = self.tabs.addTab(page, label)

    # --- pages ------------------------------------------------------------------------------------

    def _cover(self) -> QWidget:
        session = self.session
        report = session.report
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("报告标题", LineField(session, "title"))
        template = report.template
        form.addRow("机关", QLabel(report.agency))
        form.addRow("年度", QLabel(f"{report.year} 年（统计期限 {report.year}年1月1日至12月31日）"))
        form.addRow("格式", QLabel(f"{template.name}（{template.document}）"))
        preamble = TextField(session, "preamble")
        preamble.setMinimumHeight(140)
        form.addRow("前言", preamble)
        regenerate = QPushButton("按联系方式重新生成前言")
        regenerate.setObjectName("regenerate_preamble")
        regenerate.clicked.connect(self._regenerate_preamble)
        self.edit_buttons.append(regenerate)
        form.addRow("", regenerate)
        for key, label in (
            ("contact.address", "地址"),
            ("contact.postcode", "邮编"),
            ("contact.phone", "电话"),
            ("contact.email", "邮箱"),
            ("signature.organ", "落款机关"),
        ):
            form.addRow(label, LineField(session, key))
        date_row = QHBoxLayout()
        signed = LineField(session, "signature.date")
        signed.setPlaceholderText("例如 2026-01-20；留空则打印“年 月 日”供手写")
        today = QPushButton("今天")
        today.setObjectName("signature_today")
        today.clicked.connect(lambda: session.edit_text("signature.date", date.today().isoformat()))
        self.edit_buttons.append(today)
        date_row.addWidget(signed)
        date_row.addWidget(today)
        form.addRow("落款日期", date_row)
        return page

    def _regenerate_preamble(self) -> None:
        report = self.session.report
        contact = Contact(report.contact.address, report.contact.postcode, report.contact.phone, report.contact.email)
        self.session.edit_text("preamble", default_preamble(report.agency, report.year, contact))

    def _page(self, key: str) -> tuple[QWidget, QVBoxLayout]:
        """A section's page, headed by the section's heading as printed."""
        page = QWidget()
        layout = QVBoxLayout(page)
        heading = QLabel(self.session.report.template.section(key).heading)
        heading.setStyleSheet("font-weight: bold; font-size: 14pt")
        layout.addWidget(heading)
        return page, layout

    def _text_page(self, key: str) -> QWidget:
        page, layout = self._page(key)
        if key in SECTION_HINTS:
            hint = QLabel(SECTION_HINTS[key])
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #555")
            layout.addWidget(hint)
        field = TextField(self.session, key)
        self.text_fields[key] = field
        buttons = QHBoxLayout()
        if key == "s1":
            summary = QPushButton("插入表格数据摘要")
            summary.setObjectName("insert_summary")
            summary.setToolTip("在光标处插入由表格数字生成的一句话，正文与表格不会矛盾")
            summary.clicked.connect(lambda: field.insert(summary_sentence(self.session.report)))
            buttons.addWidget(summary)
            self.edit_buttons.append(summary)
            headings = QPushButton("插入标准小标题")
            headings.setObjectName("insert_subheadings")
            headings.clicked.connect(lambda: self._insert_subheadings(field))
            buttons.addWidget(headings)
            self.edit_buttons.append(headings)
        if key == "s6" and self.session.report.template.applies("FEE-NOT-REPORTED"):
            fee = QPushButton(f"插入“{FEE_NONE_TEXT}”")
            fee.setObjectName("insert_fee_none")
            fee.clicked.connect(lambda: field.insert(FEE_NONE_TEXT))
            buttons.addWidget(fee)
            self.edit_buttons.append(fee)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(field, 1)
        return page

    def _insert_subheadings(self, field: TextField) -> None:
        present = field.toPlainText()
        missing = [h for h in self.session.report.template.section("s1").subheadings if h not in present]
        if missing:
            field.moveCursor(QTextCursor.MoveOperation.End)
            field.insert(("\n" if present and not present.endswith("\n") else "") + "\n".join(missing))

    def _table_page(self, key: str) -> QWidget:
        page, layout = self._page(key)
        section = self.session.report.template.section(key)
        model = ReportTableModel(self.session, key)
        view = ReportGridView(page)
        view.setObjectName(f"grid_{key}")
        view.setModel(model)
        view.notice.connect(self.notice)
        view.installEventFilter(self)
        self.models[key] = model
        self.grids[key] = view
        layout.addWidget(view, 1)
        if section.note_key:
            note = TextField(self.session, section.note_key)
            note.setPlaceholderText("表下注（有的省份要求在此填写，例如本年政府信息公开发布总数量）")
            note.setMaximumHeight(70)
            self.text_fields[section.note_key] = note
            layout.addWidget(QLabel("表下注"))
            layout.addWidget(note)
        return page

    # --- navigation -------------------------------------------------------------------------------

    def show_section(self, key: str) -> None:
        self.tabs.setCurrentIndex(self.tab_index.get(key, 0))

    def go_to(self, finding: Finding) -> None:
        """Open the tab of a finding and select its first cell (or focus its text)."""
        section = finding.section or "cover"
        self.show_section(section)
        if section in self.grids and finding.cells:
            target = next((c for c in finding.cells if c.startswith(section)), finding.cells[0])
            self.grids[section].select_cell(target)
            self.grids[section].setFocus()
        elif section in self.text_fields:
            field = self.text_fields[section]
            field.setFocus()
            if finding.span is not None:
                field.select_span(*finding.span)

    def current_section(self) -> str | None:
        """The key of the tab shown ("cover", "s1" … "s6")."""
        current = self.tabs.currentIndex()
        return next((key for key, index in self.tab_index.items() if index == current), None)

    def current_grid(self) -> ReportGridView | None:
        section = self.current_section()
        return self.grids.get(section) if section is not None else None

    def find_row(self, text: str) -> bool:
        """Select the first row whose label contains `text`, in the current table first."""
        current = self.current_grid()
        order = [current] if current is not None else []
        order += [g for g in self.grids.values() if g is not current]
        for grid in order:
            if grid is not None and grid.find_row(text):
                for key, g in self.grids.items():
                    if g is grid:
                        self.show_section(key)
                grid.setFocus()
                return True
        return False
