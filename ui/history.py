"""The revision history of the open report, in words, with restoring an earlier version."""

from __future__ import annotations

import difflib
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import UserError
from core.report import STATUS_LABELS
from core.storage import Revision, Store
from core.template import CellDef, Template, load_template, template_ids, templates
from ui.session import ReportSession

# Names of the report's texts that are not sections (the sections are named by the template).
FIELD_NAMES: dict[str, str] = {
    "title": "标题",
    "preamble": "导语",
    "contact.address": "联系地址",
    "contact.postcode": "邮政编码",
    "contact.phone": "联系电话",
    "contact.email": "电子邮箱",
    "signature.organ": "落款机关",
    "signature.date": "落款日期",
}
REPORT_FIELD_NAMES: dict[str, str] = {"status": "状态", "year": "年度", "template": "格式版本"}
REPORT_EVENTS: dict[str, str] = {"created": "新建报告", "deleted": "移入回收站", "present": "从回收站恢复"}
EXCERPT_LENGTH = 30  # characters of a text shown before "…"
SUMMARY_CHANGES = 3  # changes named in the list; the rest are counted (all are in the details)
COLUMNS = ("版本", "时间", "操作", "修改内容")


def revision_time(at: str) -> str:
    """2025-01-20T10:11:12 → 2025-01-20 10:11:12."""
    return at.replace("T", " ")


def _cell(template: Template, cell_id: str) -> CellDef | None:
    """The cell in the report's template, or in the other one (a history may span a template change)."""
    for candidate in (template, *templates()):
        if candidate.has_cell(cell_id):
            return candidate.cell(cell_id)
    return None


def cell_place(template: Template, cell_id: str, with_section: bool = False) -> str:
    """「row·col」 as printed, e.g. 「本年新收·自然人」; the section's short name in front on request."""
    cell = _cell(template, cell_id)
    if cell is None:
        return f"「{cell_id}」"
    place = f"「{cell.row_label}·{cell.col_label}」"
    if with_section:
        try:
            return template.section(cell.section).short + place
        except KeyError:
            return place
    return place


def text_name(template: Template, key: str) -> str:
    """A text key as the clerk knows it: the section heading, or the field's name."""
    if key in FIELD_NAMES:
        return FIELD_NAMES[key]
    for section in template.sections:
        if section.id == key:
            return section.heading
        if section.note_key == key:
            return f"{section.heading}（表后说明）"
    return key


def _number(value: str | None) -> str:
    return value if value else "空"


def _excerpt(value: str | None) -> str:
    text = " ".join((value or "").split())
    if not text:
        return "（空）"
    if len(text) > EXCERPT_LENGTH:
        text = text[:EXCERPT_LENGTH] + "…"
    return f"「{text}」"


# --- text changes as a diff -----------------------------------------------------------------------

SAME, REMOVED, ADDED = "same", "removed", "added"
DIFF_CONTEXT = 8  # characters of unchanged text shown around a change in the list
DIFF_PIECE = 30  # characters of a changed piece shown in the list (the middle is left out)
DIFF_PIECES = 2  # changes of one text named in the list; the rest are counted
DETAIL_CONTEXT = 40  # unchanged characters kept on each side of a change in the details
REWRITE_RATIO = 0.4  # below this share of characters in common, a text counts as rewritten
REMOVED_STYLE = "background-color:#fde2e2; color:#a00000; text-decoration:line-through;"
ADDED_STYLE = "background-color:#d9f2d9; color:#005a00; font-weight:bold;"


def _word_char(char: str) -> bool:
    """A letter or digit of a Latin word or a number: a change inside one shows the whole of it."""
    return char.isascii() and char.isalnum()


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The change from `old` to `new`, character by character (Chinese has no spaces between words):
    (kind, text) pieces in order, kind SAME, REMOVED or ADDED. Between two unchanged stretches there
    is at most one removal followed by one addition; a single unchanged character between two changes
    is folded into them, so a changed phrase reads as one change, and a number or Latin word that
    changed in part is shown whole (12 → 15, not 1 2 → 5)."""
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    runs: list[str | list[str]] = []  # unchanged text, or [removed, added]
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        inner = 0 < index < len(opcodes) - 1
        if tag == "equal" and not (inner and i2 - i1 <= 1):
            runs.append(old[i1:i2])
        elif runs and isinstance(runs[-1], list):
            runs[-1][0] += old[i1:i2]
            runs[-1][1] += new[j1:j2]
        else:
            runs.append([old[i1:i2], new[j1:j2]])
    for index, run in enumerate(runs):
        if not isinstance(run, list):
            continue
        before = runs[index - 1] if index > 0 else ""
        while isinstance(before, str) and before and _word_char(before[-1]) and any(
            t and _word_char(t[0]) for t in run
        ):
            run[0], run[1] = before[-1] + run[0], before[-1] + run[1]
            before = runs[index - 1] = before[:-1]
        after = runs[index + 1] if index + 1 < len(runs) else ""
        while isinstance(after, str) and after and _word_char(after[0]) and any(
            t and _word_char(t[-1]) for t in run
        ):
            run[0], run[1] = run[0] + after[0], run[1] + after[0]
            after = runs[index + 1] = after[1:]
    pieces: list[tuple[str, str]] = []
    for run in runs:
        if isinstance(run, str):
            if run:
                pieces.append((SAME, run))
        else:
            pieces.extend(p for p in ((REMOVED, run[0]), (ADDED, run[1])) if p[1])
    return pieces


def _changes(pieces: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """Each change of a diff as (text before, removed, added, text after)."""
    out: list[tuple[str, str, str, str]] = []
    index = 0
    while index < len(pieces):
        if pieces[index][0] == SAME:
            index += 1
            continue
        before = pieces[index - 1][1] if index > 0 else ""
        removed = added = ""
        while index < len(pieces) and pieces[index][0] != SAME:
            kind, text = pieces[index]
            if kind == REMOVED:
                removed = text
            else:
                added = text
            index += 1
        after = pieces[index][1] if index < len(pieces) else ""
        out.append((before, removed, added, after))
    return out


def rewritten(old: str, new: str) -> bool:
    """Whether `new` is a different text rather than an edit of `old` (few characters in common)."""
    if not old or not new:
        return True
    return difflib.SequenceMatcher(None, old, new, autojunk=False).ratio() < REWRITE_RATIO


def _flat(text: str) -> str:
    return " ".join(text.split())


def _middle_cut(text: str, limit: int) -> str:
    """A changed piece no longer than `limit`: its beginning and end, the middle left out."""
    text = _flat(text)
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


def describe_text_change(old: str, new: str) -> str:
    """The words that changed, with a little of the text around them, e.g.
    …共收到申请「12」→「15」件，均已…; a rewritten text as 「old」 → 「new」."""
    if rewritten(old, new):
        return f"{_excerpt(old)} → {_excerpt(new)}"
    changes = []
    for before, removed, added, after in _changes(text_diff(old, new)):
        head = _flat(before)[-DIFF_CONTEXT:]
        tail = _flat(after)[:DIFF_CONTEXT]
        if removed and added:
            change = f"「{_middle_cut(removed, DIFF_PIECE)}」→「{_middle_cut(added, DIFF_PIECE)}」"
        elif removed:
            change = f"删去「{_middle_cut(removed, DIFF_PIECE)}」"
        else:
            change = f"加入「{_middle_cut(added, DIFF_PIECE)}」"
        changes.append(f"{'…' if head else ''}{head}{change}{tail}{'…' if tail else ''}")
    if not changes:
        return "（只改了空白）"
    shown = "；".join(changes[:DIFF_PIECES])
    if len(changes) > DIFF_PIECES:
        shown += f" 等 {len(changes)} 处"
    return shown


def diff_html(old: str, new: str) -> str:
    """The change as HTML for the details: removed characters struck out in red, added ones in green,
    long unchanged stretches shortened to their ends."""
    parts: list[str] = []
    pieces = text_diff(old, new)
    for index, (kind, text) in enumerate(pieces):
        if kind != SAME:
            parts.append(_marked(kind, text))
        else:
            first, last = index == 0, index == len(pieces) - 1
            keep = DETAIL_CONTEXT
            if len(text) > (keep if first or last else 2 * keep) + 1:
                head = "" if first else text[:keep]
                tail = "" if last else text[-keep:]
                text = f"{head}…{tail}"
            parts.append(_html(text))
    return "".join(parts)


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _marked(kind: str, text: str) -> str:
    """Removed or added text, struck out in red or in green."""
    return f'<span style="{REMOVED_STYLE if kind == REMOVED else ADDED_STYLE}">{_html(text)}</span>'


def _report_field(key: str, value: str | None) -> str:
    if not value:
        return "空"
    if key == "status":
        return STATUS_LABELS.get(value, value)
    if key == "template" and value in template_ids():
        return load_template(value).name
    return value


def describe_change(
    template: Template, target: str, old: str | None, new: str | None, with_section: bool = False
) -> str:
    """One saved change in human terms, e.g. 「本年新收·自然人」：5 → 6."""
    kind, _, key = target.partition(":")
    if kind == "cell":
        return f"{cell_place(template, key, with_section)}：{_number(old)} → {_number(new)}"
    if kind == "printed":
        after = "改由程序计算" if new is None else _number(new)
        return f"{cell_place(template, key, with_section)}（文件中印出的合计）：{_number(old)} → {after}"
    if kind == "text":
        return f"{text_name(template, key)}：{describe_text_change(old or '', new or '')}"
    if kind == "field":
        name = REPORT_FIELD_NAMES.get(key, key)
        return f"{name}：{_report_field(key, old)} → {_report_field(key, new)}"
    if target == "report":
        return REPORT_EVENTS.get(new or "", new or "")
    return f"{target}：{_number(old)} → {_number(new)}"


def describe_revision(template: Template, revision: Revision, limit: int = SUMMARY_CHANGES) -> str:
    """The changes of one revision in a line: the first few named, the rest counted. Printed totals
    that a first edit drops (a report read from a file) are mentioned once, not listed."""
    main = [c for c in revision.changes if not c[0].startswith("printed:")]
    printed = [c for c in revision.changes if c[0].startswith("printed:")]
    parts = [describe_change(template, *change) for change in main[:limit]]
    text = "；".join(parts)
    if len(main) > limit:
        text += f" 等 {len(main)} 处"
    if printed:
        note = "合计改由程序计算" if all(new is None for _, _, new in printed) else "恢复文件中印出的合计"
        text = f"{text}；{note}" if text else note
    return text


def describe_details(template: Template, revision: Revision) -> str:
    """Every change of a revision, one a line, with the section named."""
    head = f"第 {revision.batch} 版　{revision_time(revision.at)}　{revision.label}"
    lines = [describe_change(template, *change, with_section=True) for change in revision.changes]
    return "\n".join([head, "", *lines])


def change_html(template: Template, target: str, old: str | None, new: str | None) -> str:
    """One change for the details pane: a text change as its words struck out and added, marked in
    colour (a rewritten text: all of the old struck out, all of the new added); others in words."""
    kind, _, key = target.partition(":")
    if kind != "text":
        return _html(describe_change(template, target, old, new, with_section=True))
    before, after = old or "", new or ""
    if rewritten(before, after):
        body = "".join(_marked(kind, text) for kind, text in ((REMOVED, before), (ADDED, after)) if text)
    else:
        body = diff_html(before, after)
    return f"<b>{_html(text_name(template, key))}</b>：<br>{body or '（空）'}"


def details_html(template: Template, revision: Revision) -> str:
    """Every change of a revision for the details pane, text changes shown as a marked diff."""
    head = f"第 {revision.batch} 版　{revision_time(revision.at)}　{revision.label}"
    lines = [change_html(template, *change) for change in revision.changes]
    legend = (
        f"{_marked(REMOVED, '删去的文字')}　{_marked(ADDED, '加入的文字')}"
        if any(target.startswith("text:") for target, _, _ in revision.changes)
        else ""
    )
    return "<br>".join([_html(head), legend, *[f"<p>{line}</p>" for line in lines]])


class HistoryDialog(QDialog):
    """Every saved version of the report, newest first; restoring one is itself a new version."""

    def __init__(self, store: Store, session: ReportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.session = session
        self.revisions: list[Revision] = []  # newest first, as listed
        self.setObjectName("history_dialog")
        self.setWindowTitle("修订历史")
        self.resize(820, 560)

        intro = QLabel("每次保存的修改都记为一版。选中一版可查看全部修改；恢复时，恢复本身也记为新的一版。")
        intro.setWordWrap(True)

        self.list = QTreeWidget()
        self.list.setObjectName("history_list")
        self.list.setColumnCount(len(COLUMNS))
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.currentItemChanged.connect(self._on_current_changed)

        self.details = QTextEdit()
        self.details.setObjectName("history_details")
        self.details.setReadOnly(True)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        self.status_label = QLabel("")
        self.status_label.setObjectName("history_status")
        self.status_label.setWordWrap(True)

        self.restore_button = QPushButton("恢复到此版本")
        self.restore_button.setObjectName("history_restore")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore_selected)
        close_button = QPushButton("关闭")
        close_button.setObjectName("history_close")
        close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.refresh()

    # --- the list ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the revisions again; the newest is selected."""
        template = self.session.report.template
        self.revisions = list(reversed(self.store.revisions(self.session.report_id)))
        self.list.clear()
        for revision in self.revisions:
            summary = describe_revision(template, revision)
            item = QTreeWidgetItem([f"第 {revision.batch} 版", revision_time(revision.at), revision.label, summary])
            item.setData(0, Qt.ItemDataRole.UserRole, revision.batch)
            item.setToolTip(3, describe_details(template, revision))
            self.list.addTopLevelItem(item)
        for column in range(len(COLUMNS) - 1):
            self.list.resizeColumnToContents(column)
        if self.revisions:
            self.select_batch(self.revisions[0].batch)
        else:
            self.details.clear()
            self.restore_button.setEnabled(False)

    def selected_revision(self) -> Revision | None:
        item = self.list.currentItem()
        row = -1 if item is None else self.list.indexOfTopLevelItem(item)
        return self.revisions[row] if 0 <= row < len(self.revisions) else None

    def select_batch(self, batch: int) -> bool:
        for row, revision in enumerate(self.revisions):
            item = self.list.topLevelItem(row)
            if revision.batch == batch and item is not None:
                self.list.setCurrentItem(item)
                return True
        return False

    def _on_current_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        revision = self.selected_revision()
        if revision is None:
            self.details.clear()
            self.restore_button.setEnabled(False)
            return
        self.details.setHtml(details_html(self.session.report.template, revision))
        # The newest version is what the report is now: nothing to restore.
        self.restore_button.setEnabled(revision.batch != self.revisions[0].batch)

    # --- restoring ---------------------------------------------------------------------------

    def restore_selected(self) -> bool:
        """Ask, then bring the report back to the selected version; the editor shows it at once."""
        revision = self.selected_revision()
        if revision is None or not self.revisions or revision.batch == self.revisions[0].batch:
            return False
        question = (
            f"把报告恢复到第 {revision.batch} 版（{revision_time(revision.at)}「{revision.label}」）时的内容吗？\n\n"
            "恢复本身记为新的一版，现在的内容仍留在修订历史中，随时可以再恢复回来；"
            "恢复后不能用「撤销」退回。"
        )
        if self.session.final:
            question += "\n\n本报告已定稿：恢复后将撤销定稿，报告变回草稿，核对无误后需重新定稿。"
        answer = QMessageBox.question(
            self,
            "恢复到此版本",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            changed = self.store.restore(self.session.report_id, revision.batch)
        except UserError as exc:
            QMessageBox.warning(self, "无法恢复", str(exc))
            return False
        self.session.reload()
        self.refresh()
        if changed:
            self.status_label.setText(f"已恢复到第 {revision.batch} 版，记为第 {self.revisions[0].batch} 版。")
        else:
            self.status_label.setText(f"报告内容与第 {revision.batch} 版相同，没有改动。")
        return True
