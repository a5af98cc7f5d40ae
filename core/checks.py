"""The checks of report-format.md: each a small rule with a stable id, a severity and Chinese messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from core.numbers import Number, format_number
from core.report import Report, derive_totals
from core.rulepack import RulePack, active_packs, run_packs
from core.template import RULE_IDS, CellDef, CellKind, SumDef, Template, owner_of_cells, template_for_year
from core.textsim import counted_characters, similarity

# Raise when a rule's outcome changes for the same report: the counts of findings the database keeps
# for its reports list are made again (the templates' own changes are noticed by their fingerprints).
RULES_VERSION = 3  # 3: TEXT-COPIED

ERROR = "error"
WARNING = "warning"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    cells: tuple[str, ...] = ()
    # Where to show it: "s1" … "s6", or "cover" (title, year, template); derived from the cells
    # when there are any. Not part of the report file contract.
    section: str = ""
    # The part of the section's text a finding is about (TEXT-TABLE: the sentence that quotes the
    # figure), as [start, end) offsets into `Report.text(section)`. Not part of the report file contract.
    span: tuple[int, int] | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "cells": list(self.cells),
        }


class Context:
    """What the rules read: the report, its template, derived totals and last year's report."""

    def __init__(self, report: Report, previous: Report | None) -> None:
        self.report = report
        self.template: Template = report.template
        self.previous = previous
        self.totals = derive_totals(self.template, report.inputs)
        self._blank_reported: dict[str, SumDef] | None = None

    def number(self, cell_id: str) -> Number:
        """An input cell's value (blank or invalid count as 0) or a computed cell's figure: what the
        file printed, when it printed a number there, else the derived sum. A total printed blank is
        reported once, by its own rule; everywhere else it counts as what its parts add up to."""
        printed = self.report.printed.get(cell_id)
        if printed is not None and printed.number is not None:
            return printed.number
        derived = self.totals.get(cell_id)
        if derived is not None:
            return derived
        return self.report.number(cell_id)

    def printed_figure(self, cell_id: str) -> tuple[Number, str] | None:
        """A computed cell as the file printed it (value, text shown in messages), or None when
        the file did not print it or printed something that is not a number."""
        printed = self.report.printed.get(cell_id)
        if printed is None or printed.error is not None:
            return None
        if printed.number is None:
            return 0, "空白"
        return printed.number, fmt(printed.number)

    def sum_of(self, s: SumDef) -> tuple[list[tuple[str, Number]], Number]:
        """A declared sum over the figures of its parts: (label, value) of each part, and the total."""
        parts = [(label, self.number(p)) for label, p in zip(s.part_labels, s.parts, strict=True)]
        return parts, sum((v for _, v in parts), 0)

    def blank_reported(self) -> dict[str, SumDef]:
        """Totals the file printed blank although their parts do not add up to 0, each with the one
        sum (the first the template declares for it among the rules that apply) that reports it."""
        if self._blank_reported is None:
            found: dict[str, SumDef] = {}
            for s in self.template.sums:
                printed = self.report.printed.get(s.cell)
                if s.cell in found or printed is None or not printed.is_blank or not self.template.applies(s.rule):
                    continue
                if self.sum_of(s)[1] != 0:
                    found[s.cell] = s
            self._blank_reported = found
        return self._blank_reported

    def mismatched_sums(self, rule_id: str) -> Iterator[tuple[SumDef, str, list[tuple[str, Number]], Number]]:
        """The sums of this rule whose printed figure differs from what its parts add up to: the sum,
        the figure as shown, the parts and their total. A blank figure is reported by one rule only."""
        for s in self.template.sums_for(rule_id):
            figure = self.printed_figure(s.cell)
            if figure is None:
                continue
            parts, expected = self.sum_of(s)
            if figure[0] == expected:
                continue
            if self.report.printed[s.cell].is_blank and self.blank_reported().get(s.cell) is not s:
                continue
            yield s, figure[1], parts, expected

    def s3_label(self, col_id: str) -> str:
        return f"{self.template.section('s3').short}「{self.template.s3.column(col_id).label}」列"

    def section_of(self, cell_id: str) -> str:
        return self.template.section(self.template.cell(cell_id).section).short


def fmt(number: Number) -> str:
    if isinstance(number, Decimal):
        return format_number(number, CellKind.MONEY)
    return str(number)


def _sum_text(parts: list[tuple[str, Number]]) -> str:
    return " + ".join(f"{label} {fmt(value)}" for label, value in parts)


_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|[0-9]+[.．、])")


def _bare(label: str) -> str:
    """A printed label without its ordinal: 四、结转下年度继续办理 → 结转下年度继续办理."""
    return _ORDINAL.sub("", label)


# What a rule yields for each finding: the message and cells, optionally the section (when there are
# no cells to tell it) and the span of the section's text the finding is about.
RuleOutput = (
    tuple[str, tuple[str, ...]]
    | tuple[str, tuple[str, ...], str]
    | tuple[str, tuple[str, ...], str, tuple[int, int]]
)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    description: str
    run: Callable[[Context], Iterator[RuleOutput]]

    def findings(self, ctx: Context) -> list[Finding]:
        out = []
        for item in self.run(ctx):
            message, cells = item[0], item[1]
            section = item[2] if len(item) > 2 else (cells[0].split(".", 1)[0] if cells else "cover")
            span = item[3] if len(item) > 3 else None
            out.append(Finding(self.id, self.severity, message, cells, section, span))
        return out


def _s3_balance(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    s3 = ctx.template.s3
    balance = s3.balance
    if balance is None:
        return

    def side(row_ids: tuple[str, ...], col_id: str) -> list[tuple[str, Number]]:
        out: list[tuple[str, Number]] = []
        for row_id in row_ids:
            row = s3.row(row_id)
            if row.sum_of:  # a computed row counts as the sum of its parts, whatever it printed
                value = sum((ctx.number(f"s3.{r}.{col_id}") for r in row.sum_of), 0)
            else:
                value = ctx.number(f"s3.{row_id}.{col_id}")
            out.append((row.short, value))
        return out

    for col in s3.columns:
        left, right = side(balance.left, col.id), side(balance.right, col.id)
        left_sum, right_sum = sum((v for _, v in left), 0), sum((v for _, v in right), 0)
        if left_sum != right_sum:
            yield (
                f"{ctx.s3_label(col.id)}：{_sum_text(left)} = {fmt(left_sum)}，不等于{_sum_text(right)} = "
                f"{fmt(right_sum)}",
                tuple(f"s3.{r}.{col.id}" for r in (*balance.left, *balance.right)),
            )


def _s3_row_total(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    for s, printed, parts, expected in ctx.mismatched_sums("S3-ROW-TOTAL"):
        shown = [(label, v) for label, v in parts if v] or parts[:1]
        yield (
            f"{ctx.section_of(s.cell)}「{s.along}」行：{ctx.template.cell(s.cell).col_label}印为 {printed}，"
            f"但各申请人之和为 {fmt(expected)}（{_sum_text(shown)}）",
            (s.cell, *s.parts),
        )


def _s3_results_total(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    for s, printed, parts, expected in ctx.mismatched_sums("S3-RESULTS-TOTAL"):
        shown = [(label, v) for label, v in parts if v]
        detail = f"（{_sum_text(shown)}）" if shown else ""
        yield (
            f"{ctx.section_of(s.cell)}「{s.along}」列：{ctx.template.cell(s.cell).row_label}印为 {printed}，"
            f"但办理结果各项之和为 {fmt(expected)}{detail}",
            (s.cell, *s.parts),
        )


def _s4_total(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    for s, printed, parts, expected in ctx.mismatched_sums("S4-TOTAL"):
        yield (
            f"{ctx.section_of(s.cell)}「{s.along}」：{ctx.template.cell(s.cell).col_label}印为 {printed}，"
            f"不等于 {_sum_text(parts)} = {fmt(expected)}",
            (s.cell, *s.parts),
        )


def s3_section(ctx: Context) -> str:
    return ctx.template.section("s3").short


def _where(ctx: Context, cell: CellDef) -> str:
    return f"{ctx.template.section(cell.section).short}{cell.place}"


def _value_invalid(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    for cell in ctx.template.cells:
        parsed = ctx.report.printed.get(cell.id) if cell.computed else ctx.report.inputs.get(cell.id)
        if parsed is not None and parsed.error is not None:
            yield f"{_where(ctx, cell)}：{parsed.error}", (cell.id,)


def _blank_cells(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    by_section: dict[str, list[CellDef]] = {}
    for cell in ctx.template.cells:
        if cell.computed:
            printed = ctx.report.printed.get(cell.id)
            blank = printed is not None and printed.is_blank and cell.id not in ctx.blank_reported()
        else:
            blank = cell.id not in ctx.report.inputs
        if blank:
            by_section.setdefault(cell.section, []).append(cell)
    for section_id, cells in by_section.items():
        names = "、".join(f"「{c.row_label}·{c.col_label}」" for c in cells[:3])
        more = f"等 {len(cells)} 个单元格" if len(cells) > 3 else ""
        printed_totals = sum(1 for c in cells if c.computed)
        note = f"（其中 {printed_totals} 个为文件中空白的合计单元格）" if printed_totals else ""
        yield (
            f"{ctx.template.section(section_id).short}：{names}{more}未填写，导出时按 0 印出{note}",
            tuple(c.id for c in cells),
        )


def _carry_over(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    prev = ctx.previous
    carry = ctx.template.s3.carry_over
    if prev is None or carry is None:
        return
    this_row = ctx.template.s3.row(carry.row)
    for col in ctx.template.s3.applicant_columns:
        earlier = f"s3.{carry.from_previous}.{col.id}"
        if not prev.template.has_cell(earlier):
            continue
        this_year = ctx.report.number(f"s3.{carry.row}.{col.id}")
        last_year = prev.number(earlier)
        if this_year != last_year:
            yield (
                f"{ctx.s3_label(col.id)}：{this_row.short} {fmt(this_year)}，但 {prev.year} 年报告的"
                f"{_bare(prev.template.cell(earlier).row_label)}为 {fmt(last_year)}",
                (f"s3.{carry.row}.{col.id}",),
            )


def _s2_in_force(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    prev = ctx.previous
    rule = ctx.template.s2.in_force
    if prev is None or rule is None:
        return
    for row_id in rule.rows:
        cell = ctx.template.cell(f"s2.{row_id}.{rule.field}")
        if not prev.template.has_cell(cell.id):  # last year's format did not count documents in force
            continue
        plus = ctx.template.cell(f"s2.{row_id}.{rule.plus}")
        minus = ctx.template.cell(f"s2.{row_id}.{rule.minus}")
        before = prev.number(cell.id)
        added, removed, now = ctx.report.number(plus.id), ctx.report.number(minus.id), ctx.report.number(cell.id)
        if before + added - removed != now:
            yield (
                f"{ctx.template.section('s2').short}「{cell.row_label}」：{prev.year} 年"
                f"{cell.col_label.removesuffix('件数')} {fmt(before)} + {plus.col_label.removesuffix('件数')} "
                f"{fmt(added)} − {minus.col_label.removesuffix('件数')} {fmt(removed)} = "
                f"{fmt(before + added - removed)}，但本年{cell.col_label}为 {fmt(now)}",
                (cell.id, plus.id, minus.id),
            )


def _template_year(ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    t = ctx.template
    right = template_for_year(ctx.report.year)
    if not t.suits_year(ctx.report.year) and right.id != t.id:
        yield (
            f"{ctx.report.year} 年度报告使用了{t.name}格式（{t.document}），应使用{right.name}"
            f"格式（{right.document}）",
            (),
        )
    if ctx.report.foreign_cells:
        other = owner_of_cells(ctx.report.foreign_cells, t.id)
        ids = sorted(ctx.report.foreign_cells)
        sample = "、".join(ids[:3]) + ("等" if len(ids) > 3 else "")
        yield (
            f"文件按{t.name}格式填写，却含有{other.name if other else '其他'}格式的 {len(ids)} 个单元格"
            f"（{sample}），两版格式混用",
            (),
        )


_NUM = r"([0-9]{1,12})\s*"
_GAP = r"[^。；;，,、\d\n]"
_NEW = ("s3.new.total",)
_NEW_AND_CARRIED = ("s3.new.total", "s3.carried_over.total")


@dataclass(frozen=True)
class _TextFigure:
    """A figure quoted in the text: what it is, how it is written, and the table sums it may equal
    (the first is the one named in the message)."""

    what: str
    pattern: re.Pattern[str]
    accepted: tuple[tuple[str, ...], ...]


_TEXT_FIGURES: tuple[_TextFigure, ...] = (
    _TextFigure("本年新收申请", re.compile(rf"新收{_GAP}{{0,15}}?申请{_GAP}{{0,4}}?{_NUM}件"), (_NEW,)),
    # Clerks often count 收到/受理 as new plus carried over: both readings are accepted.
    _TextFigure(
        "本年新收申请",
        re.compile(rf"(?:收到|受理){_GAP}{{0,15}}?申请{_GAP}{{0,4}}?{_NUM}件"),
        (_NEW, _NEW_AND_CARRIED),
    ),
    _TextFigure("上年结转", re.compile(rf"上一?年度?结转{_GAP}{{0,12}}?{_NUM}件"), (("s3.carried_over.total",),)),
    _TextFigure(
        "结转下年度",
        re.compile(rf"结转(?:至|到)?下一?年度?{_GAP}{{0,8}}?{_NUM}件"),
        (("s3.carried_forward.total",),),
    ),
    _TextFigure("办理结果总计", re.compile(rf"办结{_GAP}{{0,6}}?{_NUM}件"), (("s3.total_processed.total",),)),
    _TextFigure(
        "行政复议总计",
        re.compile(rf"行政复议{_GAP}{{0,6}}?{_NUM}(?:件|起|宗|次)"),
        (("s4.review.total",),),
    ),
    _TextFigure(
        "行政诉讼总计",
        re.compile(rf"行政诉讼{_GAP}{{0,6}}?{_NUM}(?:件|起|宗|次)"),
        (("s4.suit_direct.total", "s4.suit_after_review.total"),),
    ),
)
_TEXT_SECTIONS = ("s1", "s5", "s6")
_SENTENCE_END = "。！？；;!?\n"


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around text[start:end]: from after the previous sentence's end (or the line's
    start) up to and including its own closing mark (or the line's end), without leading spaces."""
    before = max(text.rfind(mark, 0, start) for mark in _SENTENCE_END) + 1
    while before < start and text[before].isspace():
        before += 1
    after = len(text)
    for position in range(end, len(text)):
        if text[position] in _SENTENCE_END:
            after = position if text[position] == "\n" else position + 1
            break
    return before, after


def _text_table(ctx: Context) -> Iterator[tuple[str, tuple[str, ...], str, tuple[int, int]]]:
    for key in _TEXT_SECTIONS:
        text = ctx.report.text(key)
        if not text:
            continue
        section = ctx.template.section(key).short
        for figure in _TEXT_FIGURES:
            if any(c not in ctx.totals for cells in figure.accepted for c in cells):
                continue  # a format without these totals
            sums = [sum((ctx.totals[c] for c in cells), 0) for cells in figure.accepted]
            seen: set[int] = set()
            for match in figure.pattern.finditer(text):
                said = int(match.group(1))
                if said in sums or said in seen:
                    continue
                seen.add(said)
                yield (
                    f"{section}：正文写“{match.group(0).strip()}”，但表格中{figure.what}为 "
                    f"{fmt(sums[0])} 件",
                    figure.accepted[0],
                    key,
                    sentence_span(text, match.start(), match.end()),
                )


def _section_empty(ctx: Context) -> Iterator[tuple[str, tuple[str, ...], str]]:
    for section in ctx.template.text_sections:
        if not ctx.report.text(section.id).strip():
            yield f"{section.heading}：尚未填写内容", (), section.id


def _fee_not_reported(ctx: Context) -> Iterator[tuple[str, tuple[str, ...], str]]:
    if "处理费" not in ctx.report.text("s6"):
        yield (
            f"{ctx.template.section('s6').heading}：未说明信息处理费的收取情况（{ctx.template.name}格式要求在此报告"
            f"按《政府信息公开信息处理费管理办法》收取信息处理费的情况；未收取可写“本年度未收取信息处理费”）",
            (),
            "s6",
        )


# TEXT-COPIED: a prose section this much the same as last year's (core.textsim.similarity: character
# trigrams with numbers made one symbol, so updated years and figures do not hide a copy) …
COPIED_SIMILARITY = 0.8
# … when both years' texts have at least this many characters other than whitespace: a short standard
# sentence (本年度未收取信息处理费。) may well be the same every year.
COPIED_MIN_CHARACTERS = 100
_COPIED_SECTIONS = ("s1", "s5", "s6")


def _text_copied(ctx: Context) -> Iterator[tuple[str, tuple[str, ...], str]]:
    prev = ctx.previous
    if prev is None:
        return
    for section in ctx.template.text_sections:
        key = section.id
        if key not in _COPIED_SECTIONS:
            continue
        text, earlier = ctx.report.text(key), prev.text(key)
        if min(counted_characters(text), counted_characters(earlier)) < COPIED_MIN_CHARACTERS:
            continue
        share = similarity(text, earlier)
        if share >= COPIED_SIMILARITY:
            yield (
                f"{section.heading}：与 {prev.year} 年度报告的同一部分 {int(share * 100)}% 相同"
                f"（按字符三元组计），可能照抄上年内容",
                (),
                key,
            )


RULES: tuple[Rule, ...] = (
    Rule("S3-BALANCE", ERROR, "每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度", _s3_balance),
    Rule("S3-ROW-TOTAL", ERROR, "印出的总计列等于六类申请人之和", _s3_row_total),
    Rule("S3-RESULTS-TOTAL", ERROR, "印出的（七）总计等于各项办理结果之和", _s3_results_total),
    Rule("S4-TOTAL", ERROR, "印出的行政复议、行政诉讼总计等于四项之和", _s4_total),
    Rule("VALUE-INVALID", ERROR, "单元格内容是合法的数字", _value_invalid),
    Rule("BLANK-CELL", WARNING, "单元格未填写", _blank_cells),
    Rule("CARRY-OVER", WARNING, "上年结转等于上年报告的结转下年度", _carry_over),
    Rule("S2-IN-FORCE", WARNING, "现行有效件数与上年衔接", _s2_in_force),
    Rule("TEMPLATE-YEAR", WARNING, "格式版本与报告年度相符", _template_year),
    Rule("TEXT-TABLE", WARNING, "正文中的数字与表格一致", _text_table),
    Rule("SECTION-EMPTY", WARNING, "一、五、六部分有内容", _section_empty),
    Rule("FEE-NOT-REPORTED", WARNING, "六中说明信息处理费", _fee_not_reported),
    Rule("TEXT-COPIED", WARNING, "一、五、六与上年报告的同一部分不雷同", _text_copied),
)
assert tuple(r.id for r in RULES) == RULE_IDS, "core.template.RULE_IDS names the rules above"


def validate(
    report: Report, previous: Report | None = None, *, packs: Iterable[RulePack] | None = None
) -> list[Finding]:
    """All findings for a report, errors first; `previous` is the same agency's report of last year.
    After the official rules come the local rule packs' (core.rulepack), warnings all: `packs`, or by
    default the packs active for the report's year."""
    ctx = Context(report, previous)
    findings: list[Finding] = []
    for rule in RULES:
        if ctx.template.applies(rule.id):
            findings.extend(rule.findings(ctx))
    texts = {**report.texts, "preamble": report.preamble}
    for found in run_packs(texts, active_packs(report.year) if packs is None else packs):
        findings.append(Finding(found.rule, WARNING, found.message, (), found.section, found.span))
    findings.sort(key=lambda f: 0 if f.severity == ERROR else 1)
    return findings


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def counts(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for f in findings if f.severity == ERROR)
    return errors, len(findings) - errors
