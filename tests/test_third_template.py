"""A third format added as data alone — a variant of the 2021 template with one more row of 三 —
is typed, checked, exported, read back and carried over with no code knowing of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from core.checks import ERROR, validate
from core.nextyear import new_report, next_year_report
from core.report import Report
from core.reportfile import read_report_file
from core.storage import Store
from core.template import (
    Template,
    load_template,
    reload_templates,
    template_for_year,
    template_ids,
    template_problems,
    user_templates_dir,
)
from exports import ExportOptions, export_report
from reading.formats import read_with_log
from ui.grid import ReportTableModel
from ui.session import ReportSession

ROOT = Path(__file__).resolve().parents[1]
VARIANT_ID = "2021-withdrawn"
NEW_ROW = "other_withdrawn"
NEW_LABEL = "4.申请人主动撤回申请"
AGENCY = "某某县司法局"


def _variant_data() -> dict[str, Any]:
    """The 2021 template's own data with one row added under （六）其他处理, counted in （七）总计
    and in what 2019's single （六） row holds."""
    data = json.loads(resources.files("resources.templates").joinpath("2021.json").read_text("utf-8"))
    data["id"] = VARIANT_ID
    data["name"] = "2021版（增列撤回申请）"
    data["document"] = "国办公开办函〔2021〕30号（本省增列一行）"
    s3 = data["s3"]
    rows = s3["rows"]
    at = next(i for i, r in enumerate(rows) if r["id"] == "other_else") + 1
    path = ["三、本年度办理结果", "（六）其他处理", NEW_LABEL]
    rows.insert(at, {"id": NEW_ROW, "path": path, "short": "其他处理·主动撤回申请"})
    total = next(r for r in rows if r["id"] == "total_processed")
    total["sum_of"].append(NEW_ROW)
    s3["row_map"][0]["rows"].append(NEW_ROW)
    return data


@pytest.fixture
def variant() -> Iterator[Template]:
    folder = user_templates_dir()  # the test's own data folder (conftest)
    folder.mkdir(parents=True)
    (folder / "variant.json").write_text(json.dumps(_variant_data(), ensure_ascii=False), "utf-8")
    reload_templates()
    yield load_template(VARIANT_ID)
    reload_templates()


def test_the_variant_is_a_template_like_the_others(variant: Template) -> None:
    assert template_ids() == ("2021", VARIANT_ID, "2019")
    assert template_problems() == ()
    assert len(variant.s3.rows) == 26 and variant.s3.row(NEW_ROW).role == "outcome"
    assert len([c for c in variant.cells if c.section == "s3"]) == 26 * 7
    assert variant.rules == load_template("2021").rules
    assert template_for_year(2024).id == "2021"  # a variant is chosen, never the default of its years
    (results,) = [s for s in variant.sums_for("S3-RESULTS-TOTAL") if s.cell == "s3.total_processed.natural"]
    assert results.parts[-1] == f"s3.{NEW_ROW}.natural"


def _typed(qtbot: QtBot, store: Store) -> int:
    """A clerk's report in the variant, its numbers typed into the request matrix one by one."""
    report = new_report(AGENCY, 2024, template_id=VARIANT_ID)
    report.texts.update(
        s1="（一）主动公开。本年主动公开政府信息。", s5="存在的问题是培训不足。", s6="本年度未收取信息处理费。"
    )
    report_id = store.add_report(report)
    session = ReportSession(store, report_id)
    model = ReportTableModel(session, "s3")
    template = session.report.template
    for col in template.s3.applicant_columns:
        values = {r.id: 1 for r in template.s3.outcome_rows}
        values |= {"carried_over": 2, "carried_forward": 3, "new": len(values) + 3 - 2}
        for row_id, value in values.items():
            assert model.setData(model.index_of(f"s3.{row_id}.{col.id}"), str(value))
    shown = model.data(model.index_of(f"s3.{NEW_ROW}.total"))
    assert shown == "6"  # the new row's 总计, summed as the data declares
    assert len(template.s3.outcome_rows) == 22  # 2021's 21 and the new one
    assert model.data(model.index_of("s3.total_processed.total")) == str(22 * 6)
    assert not [f for f in session.findings if f.severity == ERROR]

    # The checks walk the new row too: a letter in it, then a number that breaks the balance.
    assert model.setData(model.index_of(f"s3.{NEW_ROW}.legal"), "1a")
    assert {f.rule for f in session.findings if f.severity == ERROR} == {"VALUE-INVALID", "S3-BALANCE"}
    assert model.setData(model.index_of(f"s3.{NEW_ROW}.legal"), "2")
    errors = [f for f in session.findings if f.severity == ERROR]
    assert [(f.rule, f.cells[2]) for f in errors] == [
        ("S3-BALANCE", "s3.total_processed.legal"),
        ("S3-BALANCE", "s3.total_processed.total"),
    ]
    assert "「法律服务机构」列" in errors[0].message and "办理结果总计 23" in errors[0].message
    session.undo_stack.undo()
    session.undo_stack.undo()
    assert not [f for f in session.findings if f.severity == ERROR]
    return report_id


def test_typed_checked_exported_read_back_and_carried_over(
    qtbot: QtBot, variant: Template, tmp_path: Path
) -> None:
    store = Store(tmp_path / "reports.sqlite3", seed=False)
    try:
        report = store.load(_typed(qtbot, store))
    finally:
        store.close()
    assert report.template is variant
    assert report.value(f"s3.{NEW_ROW}.natural").number == 1

    # Exported in every format and read back: the importer recognises the variant by its extra row.
    for suffix in (".json", ".docx", ".html", ".pdf"):
        path = tmp_path / f"年报{suffix}"
        export_report(report, path, ExportOptions(blank_as_zero=False))
        result = read_with_log(path)
        back = result.report
        assert back.template_id == VARIANT_ID, (suffix, result.log)
        assert back.inputs == report.inputs, suffix
        assert not [f for f in validate(back) if f.severity == ERROR], suffix

    # Carried over: next year's report stays in the variant and starts from this year's 结转下年度.
    following = next_year_report(report)
    assert following.template_id == VARIANT_ID and following.year == 2025
    assert {c.id: following.number(f"s3.carried_over.{c.id}") for c in variant.s3.applicant_columns} == dict.fromkeys(
        (c.id for c in variant.s3.applicant_columns), 3
    )
    assert not [f for f in validate(following, report) if f.rule == "CARRY-OVER"]
    following.set_cell("s3.carried_over.natural", 4)
    assert [f.cells for f in validate(following, report) if f.rule == "CARRY-OVER"] == [("s3.carried_over.natural",)]


def test_a_plain_2021_report_is_still_read_as_2021(variant: Template, tmp_path: Path) -> None:
    report = new_report(AGENCY, 2024)
    for cell in report.template.input_cells:
        report.set_cell(cell.id, 0)
    path = tmp_path / "年报.docx"
    export_report(report, path)
    result = read_with_log(path)
    assert result.report.template_id == "2021"
    assert not [line for line in result.log if "格式" in line]


def test_a_variant_report_file_checks_in_a_fresh_process(variant: Template, tmp_path: Path) -> None:
    report = Report(VARIANT_ID, AGENCY, 2024)
    report.set_cell(f"s3.{NEW_ROW}.natural", 5)
    path = tmp_path / "年报.json"
    export_report(report, path)
    assert read_report_file(path).value(f"s3.{NEW_ROW}.natural").number == Decimal(5)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "check", "--json", str(path)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=60,
    )
    assert done.returncode == 1, done.stderr  # new is blank but 5 were handled: it does not balance
    (checked,) = json.loads(done.stdout)
    assert checked["template"] == VARIANT_ID
    balance = [f for f in checked["findings"] if f["rule"] == "S3-BALANCE"]
    assert any("s3.total_processed.natural" in f["cells"] for f in balance)
    assert any("5" in f["message"] for f in balance)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["rules"].append("NO-SUCH-RULE"), "NO-SUCH-RULE"),
        (lambda d: d["s3"]["rows"][-2]["sum_of"].append("nowhere"), "s3.nowhere"),
        (lambda d: d.update(id="2021"), "已被使用"),
        (lambda d: d.pop("s4"), "s4"),
        (lambda d: d["s3"].pop("balance"), "balance"),
        (lambda d: d["s2"]["blocks"][0]["header"][1].update(summable="是"), "summable"),
        (lambda d: d["s2"]["blocks"][0]["header"][0].update(summable=True), "summable"),
    ],
    ids=[
        "unknown rule", "sum of a missing row", "id taken", "no section 四", "rule without its data",
        "summable not a flag", "summable without a field",
    ],
)
def test_a_broken_template_file_is_left_out_with_a_reason(change: object, words: str) -> None:
    data = _variant_data()
    assert callable(change)
    change(data)
    folder = user_templates_dir()
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    (folder / "notjson.json").write_text("{", "utf-8")
    reload_templates()
    try:
        assert template_ids() == ("2021", "2019")
        problems = template_problems()
        assert len(problems) == 2
        assert any(words in p and "broken.json" in p for p in problems), problems
        assert any("notjson.json" in p for p in problems)
    finally:
        reload_templates()


def _broken_template_file() -> None:
    data = _variant_data()
    data["rules"].append("NO-SUCH-RULE")
    folder = user_templates_dir()
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    reload_templates()


def test_the_command_line_says_which_template_file_was_left_out(tmp_path: Path) -> None:
    _broken_template_file()
    try:
        path = tmp_path / "年报.json"
        export_report(new_report(AGENCY, 2024), path)
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "check", str(path)],
            capture_output=True, text=True, encoding="utf-8", env=dict(os.environ), cwd=ROOT, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "未载入" in done.stderr and "broken.json" in done.stderr and "NO-SUCH-RULE" in done.stderr
    finally:
        reload_templates()


def test_the_app_says_which_template_file_was_left_out(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.main_window import MainWindow

    _broken_template_file()
    store = Store(tmp_path / "reports.sqlite3", seed=False)
    try:
        window = MainWindow(store)
        qtbot.addWidget(window)
        box = window.findChild(QMessageBox, "template_problems")
        assert box is not None and box.isVisible()
        assert "broken.json" in box.text() and "未载入" in box.text()
        box.close()
    finally:
        store.close()
        reload_templates()
