"""One open report: the stored report, its findings and undo stack; every change saved at once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.checks import ERROR, Finding, counts, validate
from core.edits import CellEdit, Edit, FieldEdit, PrintedEdit, StatusEdit
from core.errors import UserError
from core.numbers import Number, Parsed, format_number, parse_value
from core.report import FIELD_KEYS, STATUS_DRAFT, STATUS_FINAL, Report
from core.storage import StaleEdit, StorageError, Store

# Typing in a text section is one revision in the history while the pauses stay under this.
TEXT_COALESCE_SECONDS = 120
# Said (in the status bar, never as a warning) when something tries to change a finalised report.
LOCKED_MESSAGE = "报告已定稿（只读），不能修改；如需修改，请先撤销定稿。"
# An undoable step: each edit with the edit that takes it back.
EditPair = tuple[Edit, Edit]


class ReportSession(QObject):
    """The report being edited. Widgets read from it and change it only through `edit_*`, which
    push undoable commands; each command writes one transaction before the screen shows it saved."""

    cellsChanged = Signal(list)  # cell ids whose shown value or findings changed
    textChanged = Signal(str)  # a text key (s1, s5, title, contact.phone …) changed
    findingsChanged = Signal()
    statusChanged = Signal(str)  # draft / final
    saved = Signal(str)  # a message for the status bar
    failed = Signal(str)  # a Chinese message: the change was not saved and not applied
    refused = Signal(str)  # a Chinese message: an undo or redo not done, its values changed elsewhere
    locked = Signal(str)  # a Chinese message: a change asked of a finalised report, not made (nothing unsaved)

    def __init__(self, store: Store, report_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.report_id = report_id
        self.report: Report = store.load(report_id)
        self.status = store.status(report_id)
        self.previous: Report | None = store.previous_report(self.report.agency, self.report.year)
        self.undo_stack = QUndoStack(self)
        self.totals: dict[str, Number] = {}
        self.findings: list[Finding] = []
        self._by_cell: dict[str, list[Finding]] = {}
        self._recheck()

    # --- reading ---------------------------------------------------------------------------------

    @property
    def final(self) -> bool:
        return self.status == STATUS_FINAL

    def value(self, cell_id: str) -> Parsed:
        return self.report.value(cell_id)

    def display(self, cell_id: str) -> str:
        """A cell's text on screen: what was typed (blank stays blank), or the computed total."""
        cell = self.report.template.cell(cell_id)
        if cell.computed:
            return format_number(self.totals[cell_id], cell.kind)
        return self.report.value(cell_id).text or ""

    def findings_for(self, cell_id: str) -> list[Finding]:
        return self._by_cell.get(cell_id, [])

    def counts(self) -> tuple[int, int]:
        return counts(self.findings)

    def text(self, key: str) -> str:
        return self.report.field(key)

    # --- changing --------------------------------------------------------------------------------

    def edit_cells(self, values: Mapping[str, object], label: str = "修改单元格") -> bool:
        """Set input cells (an edit, a paste, a clear) as one undoable step. Each value is parsed once,
        here, with the one number parser; invalid text is kept as typed and shows as a finding."""
        template = self.report.template
        pairs: list[EditPair] = []
        for cell_id, value in values.items():
            cell = template.cell(cell_id)
            if cell.computed:
                continue
            new = CellEdit(cell_id, parse_value(value, cell.kind))
            old = new.current(self.report)
            if new.stored != old.stored:
                pairs.append((new, old))
        if pairs and self.report.printed:
            # A report read from a file keeps the totals it printed until its numbers are edited here;
            # from then on the totals are the app's own sums (undo brings the printed ones back).
            pairs.extend((PrintedEdit(cell_id, None), PrintedEdit(cell_id, parsed))
                         for cell_id, parsed in self.report.printed.items())
        return self._push(pairs, label)

    def edit_text(self, key: str, text: str) -> bool:
        new = FieldEdit(key, text)
        old = new.current(self.report)
        if text == old.text:
            return True
        return self._push([(new, old)], "修改文字", merge_key=key)

    def set_final(self, final: bool) -> bool:
        """Mark final (read-only) or reopen; not undoable from the edit history (it is in revisions)."""
        status = STATUS_FINAL if final else STATUS_DRAFT
        if not self._save([StatusEdit(status)], "定稿" if final else "撤销定稿"):
            return False
        self.status = status
        self.undo_stack.clear()
        self.statusChanged.emit(status)
        return True

    def reload(self) -> None:
        """Read the report again from the database (after a restore from the revision history)."""
        self.report = self.store.load(self.report_id)
        self.status = self.store.status(self.report_id)
        self.undo_stack.clear()
        self._recheck()
        self.cellsChanged.emit([c.id for c in self.report.template.cells])
        for key in FIELD_KEYS:
            self.textChanged.emit(key)
        self.statusChanged.emit(self.status)
        self.findingsChanged.emit()

    def refresh(self) -> bool:
        """Take in what another process (another window, `main.py import`) saved to this report and
        to last year's: only what changed is shown again. The undo stack stays; an undo whose values
        changed underneath it is refused when it is tried. Returns whether anything changed; raises
        StorageError when the report is gone (deleted elsewhere)."""
        if not self.store.exists(self.report_id):
            raise StorageError("这份报告已在别处删除")
        report = self.store.load(self.report_id)
        status = self.store.status(self.report_id)
        previous = self.store.previous_report(report.agency, report.year)
        if report.template_id != self.report.template_id:
            self.reload()  # restored elsewhere to a version in the other template: a different grid
            return True
        old = self.report
        cells = {c for c in old.inputs.keys() | report.inputs.keys() if old.inputs.get(c) != report.inputs.get(c)}
        cells |= {c for c in old.printed.keys() | report.printed.keys() if old.printed.get(c) != report.printed.get(c)}
        texts = [key for key in FIELD_KEYS if old.field(key) != report.field(key)]
        if not cells and not texts and status == self.status and previous == self.previous and report == old:
            return False
        self.report, self.previous = report, previous
        self._recheck(sorted(cells))
        for key in texts:
            self.textChanged.emit(key)
        if status != self.status:
            self.status = status
            self.statusChanged.emit(status)
        return True

    def _push(self, pairs: list[EditPair], label: str, merge_key: str = "") -> bool:
        if self.final:
            # Not a failure to save: the report is locked on purpose, and everything shown is stored.
            # Said even when nothing would change (Delete on a blank cell), so no key seems dead.
            self.locked.emit(LOCKED_MESSAGE)
            return False
        if not pairs:
            return True
        command = _EditCommand(self, pairs, label, merge_key)
        self.undo_stack.push(command)
        return not command.failed

    def _save(
        self, edits: list[Edit], label: str, coalesce: bool = False, expected: Mapping[str, str | None] | None = None,
        refusal: str = "",
    ) -> bool:
        try:
            self.store.apply(
                self.report_id, edits, label, coalesce_seconds=TEXT_COALESCE_SECONDS if coalesce else 0,
                expected=expected,
            )
        except StaleEdit as exc:
            self.refused.emit(f"{exc.changed}，{refusal or '本次修改'}未执行")
            with contextlib.suppress(UserError):  # a report deleted elsewhere: the window's poll says so
                self.refresh()  # show what is stored now
            return False
        except UserError as exc:
            self.failed.emit(str(exc))
            return False
        self.saved.emit(f"已保存 {datetime.now():%H:%M:%S}")
        return True

    def apply_edits(
        self, edits: list[Edit], label: str, coalesce: bool = False, expected: Mapping[str, str | None] | None = None,
        refusal: str = "",
    ) -> bool:
        """Save and then show. False (and nothing changed) on failure. With `expected` (target → stored
        value), nothing is saved if another process changed any of those values: `refused` then says
        which, ending with "{refusal}未执行"."""
        if not self._save(edits, label, coalesce, expected, refusal):
            return False
        for edit in edits:
            edit.apply_to(self.report)
        self._recheck([e.cell_id for e in edits if isinstance(e, CellEdit | PrintedEdit)])
        for edit in edits:
            if isinstance(edit, FieldEdit):
                self.textChanged.emit(edit.key)
        return True

    def recheck(self) -> None:
        """Check the unchanged report again: the rules around it changed (a local rule pack was added
        or removed), so its findings may have."""
        self._recheck()

    def _recheck(self, edited: Iterable[str] = ()) -> None:
        """Totals and findings after a change; tells the views exactly which cells changed."""
        old_totals = self.totals
        old_marks = {cell: [(f.rule, f.message) for f in fs] for cell, fs in self._by_cell.items()}
        self.totals = self.report.totals()
        self.findings = validate(self.report, self.previous)
        by_cell: dict[str, list[Finding]] = {}
        for finding in self.findings:
            for cell_id in finding.cells:
                by_cell.setdefault(cell_id, []).append(finding)
        for found in by_cell.values():
            found.sort(key=lambda f: 0 if f.severity == ERROR else 1)
        self._by_cell = by_cell
        if not old_totals:
            return
        changed = set(edited)
        changed.update(c for c, v in self.totals.items() if old_totals.get(c) != v)
        new_marks = {cell: [(f.rule, f.message) for f in fs] for cell, fs in by_cell.items()}
        changed.update(c for c in set(old_marks) | set(new_marks) if old_marks.get(c) != new_marks.get(c))
        if changed:
            self.cellsChanged.emit(sorted(changed))
        self.findingsChanged.emit()


class _EditCommand(QUndoCommand):
    """One undoable step: cells or a text set from old to new values (a paste is one step)."""

    MERGE_ID = 1

    def __init__(self, session: ReportSession, pairs: list[EditPair], label: str, merge_key: str) -> None:
        super().__init__(label)
        self.session = session
        self.pairs = pairs
        self.merge_key = merge_key
        self.failed = False
        self.done = False  # redo() ran once: the push; a later redo() is a redo

    def id(self) -> int:
        return self.MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _EditCommand) or other.merge_key != self.merge_key or other.failed:
            return False
        if any(mine.stored != theirs.stored for (mine, _), (_, theirs) in zip(self.pairs, other.pairs, strict=True)):
            # The text changed in between (another process saved it, the window showed it): merged,
            # the undo would go back past that change and erase it. Two steps instead.
            return False
        # Consecutive typing in one text: one undo step from the first old to the latest new.
        self.pairs = [(new, old) for (_, old), (new, _) in zip(self.pairs, other.pairs, strict=True)]
        return True

    def redo(self) -> None:
        # The push writes what the user just typed, whatever is stored. A redo after an undo expects
        # the values it undid to, so that it never overwrites what another window saved since.
        expected = {old.target: old.stored for _, old in self.pairs} if self.done else None
        self.done = True
        if not self.session.apply_edits(
            [new for new, _ in self.pairs], self.text(), coalesce=bool(self.merge_key), expected=expected,
            refusal="重做",
        ):
            self.failed = True
            self.setObsolete(True)

    def undo(self) -> None:
        expected = {new.target: new.stored for new, _ in self.pairs}
        if not self.session.apply_edits(
            [old for _, old in self.pairs], f"撤销{self.text()}", expected=expected, refusal="撤销"
        ):
            self.setObsolete(True)
