"""Shared fixtures and report builders; Qt runs offscreen and no test touches the user's data folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Before any Qt import: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core.report import Report
from core.template import load_template

# Real published reports (public documents) the tests read, kept with the tests.
SAMPLES_DIR = Path(__file__).resolve().parent / "data"
SEED_NAME = "seed-2020-tiexi.json"
PINGTAN_NAMES = ("real/2019_pingtan.json", "real/2022_pingtan.json")
SAMPLE_NAMES = (SEED_NAME, *PINGTAN_NAMES)

APPLICANT_COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org")
S3_COLUMNS = (*APPLICANT_COLUMNS, "total")

_CJK = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def _per_column(value: int | dict[str, int], col: str) -> int:
    return value[col] if isinstance(value, dict) else value


# Section 二 inputs of a full report (the 2021 values keep 现行有效 consistent with
# `previous_report`: last year's in_force + issued − repealed = this year's in_force).
S2_VALUES: dict[str, dict[str, object]] = {
    "2021": {
        "s2.regulations.issued": 2,
        "s2.regulations.repealed": 1,
        "s2.regulations.in_force": 10,
        "s2.normative_docs.issued": 5,
        "s2.normative_docs.repealed": 3,
        "s2.normative_docs.in_force": 40,
        "s2.licensing.decisions": 120,
        "s2.penalty.decisions": 31,
        "s2.coercion.decisions": 4,
        "s2.fees.amount": "12.5",
    },
    "2019": {
        "s2.regulations.new_made": 1,
        "s2.regulations.new_published": 1,
        "s2.regulations.total_published": 6,
        "s2.normative_docs.new_made": 7,
        "s2.normative_docs.new_published": 7,
        "s2.normative_docs.total_published": 52,
        "s2.licensing.prev_items": 396,
        "s2.licensing.change": -2,
        "s2.licensing.decisions": 181,
        "s2.other_services.prev_items": 10,
        "s2.other_services.change": 3,
        "s2.other_services.decisions": 153,
        "s2.penalty.prev_items": 2648,
        "s2.penalty.change": 0,
        "s2.penalty.decisions": 430,
        "s2.coercion.prev_items": 126,
        "s2.coercion.change": 0,
        "s2.coercion.decisions": 25,
        "s2.fees.prev_items": 35,
        "s2.fees.change": -1,
        "s2.procurement.items": 135,
        "s2.procurement.amount": "75394432.52元",
    },
}

S4_VALUES: dict[str, int] = {
    "s4.review.upheld": 1,
    "s4.review.corrected": 2,
    "s4.review.other": 0,
    "s4.review.pending": 1,
    "s4.suit_direct.upheld": 0,
    "s4.suit_direct.corrected": 1,
    "s4.suit_direct.other": 0,
    "s4.suit_direct.pending": 0,
    "s4.suit_after_review.upheld": 1,
    "s4.suit_after_review.corrected": 0,
    "s4.suit_after_review.other": 0,
    "s4.suit_after_review.pending": 2,
}

FULL_TEXTS = {
    "s1": "（一）主动公开。本机关按照《条例》要求主动公开政府信息。\n（二）依申请公开。依法办理申请。",
    "s2_note": "",
    "s5": "存在的主要问题是公开内容不够具体。下一步将加强培训。",
    "s6": "本年度未收取信息处理费。",
}


def full_report(
    template_id: str = "2021",
    year: int | None = None,
    *,
    carried_over: int | dict[str, int] = 1,
    carried_forward: int | dict[str, int] = 2,
    agency: str = "某某区人民政府办公室",
) -> Report:
    """A report with every input cell filled, every column of 三 balanced, all texts written
    and 信息处理费 reported: `validate` finds nothing in it."""
    template = load_template(template_id)
    if year is None:
        year = 2022 if template_id == "2021" else 2020
    report = Report(template_id=template_id, agency=agency, year=year)
    report.title = report.default_title()
    report.preamble = "本报告根据《中华人民共和国政府信息公开条例》编制。"
    report.texts = dict(FULL_TEXTS)
    for cell_id, value in S2_VALUES[template_id].items():
        report.set_cell(cell_id, value)
    outcome_ids = [r.id for r in template.s3.outcome_rows]
    for j, col in enumerate(APPLICANT_COLUMNS):
        processed = 0
        for i, row_id in enumerate(outcome_ids):
            value = (i + j) % 3
            report.set_cell(f"s3.{row_id}.{col}", value)
            processed += value
        carried = _per_column(carried_over, col)
        forward = _per_column(carried_forward, col)
        new = processed + forward - carried
        assert new >= 0, "choose carried_over/carried_forward so that 本年新收 stays ≥ 0"
        report.set_cell(f"s3.new.{col}", new)
        report.set_cell(f"s3.carried_over.{col}", carried)
        report.set_cell(f"s3.carried_forward.{col}", forward)
    for cell_id, value in S4_VALUES.items():
        report.set_cell(cell_id, value)
    report.signature.organ = agency
    report.signature.date = f"{year + 1}-01-20"
    return report


def previous_report(report: Report) -> Report:
    """Last year's report of the same agency that links up with `report`: its carried_forward
    equals this year's carried_over and (2021) its in_force leads to this year's in_force."""
    forward = {col: int(report.number(f"s3.carried_over.{col}")) for col in APPLICANT_COLUMNS}
    prev = full_report(
        "2021" if report.year - 1 >= 2021 else "2019",
        report.year - 1,
        carried_over=3,
        carried_forward=forward,
        agency=report.agency,
    )
    if prev.template_id == "2021" and report.template_id == "2021":
        for row in ("regulations", "normative_docs"):
            before = (
                report.number(f"s2.{row}.in_force")
                - report.number(f"s2.{row}.issued")
                + report.number(f"s2.{row}.repealed")
            )
            prev.set_cell(f"s2.{row}.in_force", before)
    return prev


@pytest.fixture
def samples_dir() -> Path:
    assert SAMPLES_DIR.is_dir(), f"samples not found at {SAMPLES_DIR}"
    return SAMPLES_DIR


@pytest.fixture
def seed_path(samples_dir: Path) -> Path:
    return samples_dir / SEED_NAME


@pytest.fixture
def full_report_2021() -> Report:
    return full_report("2021")


@pytest.fixture
def full_report_2019() -> Report:
    return full_report("2019")


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder (database, settings, caches), never the user's."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("GOV_REPORT_DATA_DIR", str(folder))
    return folder
