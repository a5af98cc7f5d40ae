"""The report model: identity, texts, contact, input cells, derived totals and printed totals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core.numbers import BLANK, Number, Parsed, parse_value
from core.template import CellDef, Template, load_template

TEXT_KEYS: tuple[str, ...] = ("s1", "s2_note", "s5", "s6")
CONTACT_KEYS: tuple[str, ...] = ("address", "postcode", "phone", "email")
SIGNATURE_KEYS: tuple[str, ...] = ("organ", "date")
# Every text of a report by one name each: how it is stored, edited, undone and shown.
FIELD_KEYS: tuple[str, ...] = (
    "title",
    "preamble",
    *TEXT_KEYS,
    *(f"contact.{k}" for k in CONTACT_KEYS),
    *(f"signature.{k}" for k in SIGNATURE_KEYS),
)
STATUS_DRAFT = "draft"
STATUS_FINAL = "final"
STATUS_LABELS = {STATUS_DRAFT: "草稿", STATUS_FINAL: "已定稿"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Contact:
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Signature:
    organ: str = ""
    date: str = ""  # ISO date YYYY-MM-DD, or "" when not yet dated

    @property
    def date_chinese(self) -> str:
        """The date as printed under a report, e.g. 2026年1月20日."""
        if not _DATE.fullmatch(self.date):
            return self.date
        y, m, d = (int(p) for p in self.date.split("-"))
        return f"{y}年{m}月{d}日"


@dataclass
class Report:
    """One annual report. Computed cells are never stored as inputs; `printed` holds what a file
    printed in them (a Parsed, BLANK when the file printed the cell empty)."""

    template_id: str
    agency: str
    year: int
    title: str = ""
    preamble: str = ""
    texts: dict[str, str] = field(default_factory=lambda: dict.fromkeys(TEXT_KEYS, ""))
    inputs: dict[str, Parsed] = field(default_factory=dict)
    printed: dict[str, Parsed] = field(default_factory=dict)
    contact: Contact = field(default_factory=Contact)
    signature: Signature = field(default_factory=Signature)
    # Cells of the other template a file carried (kept so the mix can be reported and written back).
    foreign_cells: dict[str, Any] = field(default_factory=dict)
    # Keys of a report file this version does not know, kept for a faithful round trip.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> Template:
        return load_template(self.template_id)

    def text(self, key: str) -> str:
        return self.texts.get(key, "")

    def field(self, key: str) -> str:
        """Any of FIELD_KEYS: a section text, the title, a contact detail, the signature…"""
        if key in TEXT_KEYS:
            return self.texts.get(key, "")
        owner, name = self._field_place(key)
        return str(getattr(owner, name))

    def set_field(self, key: str, text: str) -> None:
        if key in TEXT_KEYS:
            self.texts[key] = text
            return
        owner, name = self._field_place(key)
        setattr(owner, name, text)

    def fields(self) -> dict[str, str]:
        return {key: self.field(key) for key in FIELD_KEYS}

    def _field_place(self, key: str) -> tuple[object, str]:
        group, _, name = key.partition(".")
        if not name and group in ("title", "preamble"):
            return self, group
        if group == "contact" and name in CONTACT_KEYS:
            return self.contact, name
        if group == "signature" and name in SIGNATURE_KEYS:
            return self.signature, name
        raise KeyError(key)

    def value(self, cell_id: str) -> Parsed:
        return self.inputs.get(cell_id, BLANK)

    def set_cell(self, cell_id: str, value: object) -> Parsed:
        """Set an input cell from anything a user or file may give; returns the parsed value."""
        cell = self.template.cell(cell_id)
        if cell.computed:
            raise ValueError(f"{cell_id} is computed and cannot be set")
        parsed = parse_value(value, cell.kind)
        if parsed.is_blank:
            self.inputs.pop(cell_id, None)
        else:
            self.inputs[cell_id] = parsed
        return parsed

    def number(self, cell_id: str) -> Number:
        """The value used in arithmetic: blank and invalid count as 0."""
        return self.inputs.get(cell_id, BLANK).value_or_zero

    def totals(self) -> dict[str, Number]:
        """Every computed cell, derived from the inputs."""
        return derive_totals(self.template, self.inputs)

    def default_title(self) -> str:
        return self.template.title_for(self.agency, self.year)


def derive_totals(template: Template, inputs: dict[str, Parsed]) -> dict[str, Number]:
    """Every computed cell as the sum the template declares for it (the 总计 column, the （七）总计 row,
    the 四 totals), parts before wholes; blank and invalid inputs count as 0."""
    out: dict[str, Number] = {}
    for s in template.derivation:
        total: Number = 0
        for part in s.parts:
            if part in out:
                total += out[part]
            else:
                p = inputs.get(part)
                if p is not None and p.number is not None:
                    total += p.number
        out[s.cell] = total
    return out


def cell_label(cell: CellDef, template: Template) -> str:
    """Section, row and column of a cell as printed, for messages."""
    return f"{template.section(cell.section).short}{cell.place}"
