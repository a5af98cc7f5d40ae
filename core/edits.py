"""Edits to a report as small typed values (a cell, a printed total, a text, the status), each value
parsed once, where the user typed it; the database, the undo stack and the open report all take them."""

from __future__ import annotations

from dataclasses import dataclass

from core.cleantext import field_limit, field_name, replace_unwanted
from core.errors import UserError
from core.numbers import Parsed, parse_value
from core.report import FIELD_KEYS, STATUS_DRAFT, STATUS_FINAL, Report
from core.template import Template


class InvalidEdit(UserError):
    """An edit the report cannot take (a total, an unknown cell or text); str() says why in Chinese."""


@dataclass(frozen=True)
class CellEdit:
    """An input cell set to a value; BLANK clears it."""

    cell_id: str
    value: Parsed

    @property
    def target(self) -> str:
        return f"cell:{self.cell_id}"

    @property
    def stored(self) -> str | None:
        return None if self.value.is_blank else self.value.text

    def apply_to(self, report: Report) -> None:
        if self.value.is_blank:
            report.inputs.pop(self.cell_id, None)
        else:
            report.inputs[self.cell_id] = self.value

    def current(self, report: Report) -> CellEdit:
        return CellEdit(self.cell_id, report.value(self.cell_id))


@dataclass(frozen=True)
class PrintedEdit:
    """What a file printed in a total: a value, BLANK when printed blank, None when not printed (the
    report then shows the sum)."""

    cell_id: str
    value: Parsed | None

    @property
    def target(self) -> str:
        return f"printed:{self.cell_id}"

    @property
    def stored(self) -> str | None:
        # "" is "printed blank", so that None can mean "not printed" (no row).
        return None if self.value is None else self.value.text or ""

    def apply_to(self, report: Report) -> None:
        if self.value is None:
            report.printed.pop(self.cell_id, None)
        else:
            report.printed[self.cell_id] = self.value

    def current(self, report: Report) -> PrintedEdit:
        return PrintedEdit(self.cell_id, report.printed.get(self.cell_id))


@dataclass(frozen=True)
class FieldEdit:
    """One of the report's texts (FIELD_KEYS: a section, the title, a contact detail, the signature)."""

    key: str
    text: str

    @property
    def target(self) -> str:
        return f"text:{self.key}"

    @property
    def stored(self) -> str | None:
        return self.text or None

    def apply_to(self, report: Report) -> None:
        report.set_field(self.key, self.text)

    def current(self, report: Report) -> FieldEdit:
        return FieldEdit(self.key, report.field(self.key))


@dataclass(frozen=True)
class StatusEdit:
    """Draft or final; kept beside the report, not in it."""

    status: str

    @property
    def target(self) -> str:
        return "field:status"

    @property
    def stored(self) -> str | None:
        return self.status

    def apply_to(self, report: Report) -> None:
        """The status is not part of the report's contents."""


Edit = CellEdit | PrintedEdit | FieldEdit | StatusEdit


def cell_edit(template: Template, cell_id: str, value: object) -> CellEdit:
    """An input cell set from what a user typed or a file held, parsed with the cell's kind."""
    if not template.has_cell(cell_id):
        raise InvalidEdit(f"「{cell_id}」不是本报告格式中的单元格")
    cell = template.cell(cell_id)
    if cell.computed:
        raise InvalidEdit(f"「{cell_id}」是自动计算的合计，不能填写")
    if isinstance(value, str):  # a control character pasted along is no part of what was meant
        value = replace_unwanted(value)
    return CellEdit(cell_id, parse_value(value, cell.kind))


def field_edit(key: str, text: str) -> FieldEdit:
    """A text set as typed or pasted: control characters (a NUL, a form feed…) removed, a lone
    surrogate replaced; InvalidEdit for a text longer than the field may be (core.cleantext)."""
    if key not in FIELD_KEYS:
        raise InvalidEdit(f"未知的文字栏目「{key}」")
    text = replace_unwanted(text)
    limit = field_limit(key)
    if len(text) > limit:
        raise InvalidEdit(f"{field_name(key)}过长（{len(text)} 个字，最多 {limit} 个字），未保存")
    return FieldEdit(key, text)


def status_edit(status: str) -> StatusEdit:
    if status not in (STATUS_DRAFT, STATUS_FINAL):
        raise InvalidEdit(f"未知的报告状态「{status}」")
    return StatusEdit(status)


def check_edit(template: Template, edit: Edit) -> None:
    """InvalidEdit when the edit does not fit the report's template."""
    if isinstance(edit, CellEdit | PrintedEdit):
        if not template.has_cell(edit.cell_id):
            raise InvalidEdit(f"「{edit.cell_id}」不是本报告格式中的单元格")
        if isinstance(edit, CellEdit) and template.cell(edit.cell_id).computed:
            raise InvalidEdit(f"「{edit.cell_id}」是自动计算的合计，不能填写")
        if isinstance(edit, PrintedEdit) and not template.cell(edit.cell_id).computed:
            raise InvalidEdit(f"「{edit.cell_id}」不是合计单元格")
    elif isinstance(edit, FieldEdit):
        field_edit(edit.key, edit.text)
    else:
        status_edit(edit.status)


def decode_edit(template: Template, target: str, stored: str | None) -> Edit:
    """The edit a stored value (a revision's old or new value) stands for."""
    kind, _, key = target.partition(":")
    if kind == "cell":
        return cell_edit(template, key, stored)
    if kind == "printed":
        if not template.has_cell(key):
            raise InvalidEdit(f"「{key}」不是本报告格式中的单元格")
        return PrintedEdit(key, None if stored is None else parse_value(stored, template.cell(key).kind))
    if kind == "text":
        return field_edit(key, stored or "")
    if target == "field:status":
        return status_edit(stored or STATUS_DRAFT)
    raise InvalidEdit(f"无法修改「{target}」")

