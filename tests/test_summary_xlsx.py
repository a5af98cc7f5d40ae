"""The 汇总表 (exports/summary_xlsx.py): a row per unit, a total row of =SUM formulas that LibreOffice
recalculates to the region totals, the 说明 sheet, and targets that cannot be written."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from core.numbers import Number
from core.region import RegionTotals, region_totals
from core.report import Report
from core.template import Template
from exports.summary_xlsx import (
    NOTES_SHEET,
    S2_SHEET,
    S3_SHEET,
    S4_SHEET,
    SummaryExportError,
    summary_xlsx_bytes,
    write_summary_xlsx,
)
from tests.conftest import soffice_path
from tests.test_region import unit, varied

MADE = date(2026, 2, 10)


def some_totals() -> tuple[RegionTotals, list[Report]]:
    """Three units counted (one with blank cells, money with decimals), one of another year and one
    with errors left out."""
    reports = [varied("甲单位", 1), varied("乙单位", 2), varied("=丙单位", 3)]
    reports[0].set_cell("s2.fees.amount", "0.1")
    reports[1].set_cell("s2.fees.amount", "0.2")
    reports[2].set_cell("s2.fees.amount", None)
    # Blank cells in one unit, still balanced: 部分公开 and 本年新收 of 自然人 both lowered.
    lowered = reports[1].number("s3.partially_granted.natural")
    reports[1].set_cell("s3.partially_granted.natural", None)
    reports[1].set_cell("s3.new.natural", reports[1].number("s3.new.natural") - lowered)
    reports[1].set_cell("s4.suit_direct.other", None)
    other_year = varied("丁单位", 1, year=2021)
    broken = varied("戊单位", 1)
    broken.set_cell("s3.new.legal", broken.number("s3.new.legal") + 3)
    units = [unit(r, f"来文/{r.agency}.docx") for r in (*reports, other_year, broken)]
    totals = region_totals(units)
    assert [u.report for u in totals.included] == reports
    return totals, reports


def columns_of(template: Template, sheet: str) -> list[str]:
    """The cell ids of a table sheet's columns from B on, in the official table's reading order."""
    if sheet == S3_SHEET:
        return [f"s3.{r.id}.{c.id}" for r in template.s3.rows for c in template.s3.columns]
    if sheet == S4_SHEET:
        return [f"s4.{g.id}.{c.id}" for g in template.s4.groups for c in template.s4.columns]
    return [c.id for c in template.cells if c.section == "s2" and c.summable]


def test_a_row_per_unit_and_a_total_row_of_sum_formulas(tmp_path: Path) -> None:
    totals, reports = some_totals()
    path = write_summary_xlsx(tmp_path / "汇总.xlsx", totals, made=MADE)
    book = load_workbook(path)
    assert book.sheetnames == [NOTES_SHEET, S2_SHEET, S3_SHEET, S4_SHEET]
    for name in (S2_SHEET, S3_SHEET, S4_SHEET):
        sheet = book[name]
        cells = columns_of(totals.template, name)
        assert sheet.max_column == len(cells) + 1
        assert sheet.freeze_panes == "B3"
        assert [sheet.cell(row=r, column=1).value for r in range(3, 6)] == ["甲单位", "乙单位", "=丙单位"]
        assert sheet.cell(row=3 + 2, column=1).data_type == "s"  # a name starting with "=" stays text
        assert sheet.cell(row=6, column=1).value == "合计（3 个单位）"
        for index, cell_id in enumerate(cells, start=2):
            letter = get_column_letter(index)
            assert sheet.cell(row=6, column=index).value == f"=SUM({letter}3:{letter}5)", (name, cell_id)
            cell = totals.template.cell(cell_id)
            for row, report in enumerate(reports, start=3):
                value = sheet.cell(row=row, column=index).value
                if cell.computed:
                    assert isinstance(value, str) and value.startswith("=SUM("), (name, cell_id)
                elif report.value(cell_id).is_blank:
                    assert value is None, (name, cell_id)
                else:
                    assert Decimal(str(value)) == Decimal(str(report.number(cell_id))), (name, cell_id)
    s3 = book[S3_SHEET]
    assert s3.cell(row=1, column=2).value == "一、本年新收政府信息公开申请数量"
    assert [s3.cell(row=2, column=c).value for c in range(2, 9)] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    ]
    assert "B1:H1" in {str(r) for r in s3.merged_cells.ranges}
    assert s3.cell(row=3, column=8).value == "=SUM(B3:G3)"  # 总计 of 本年新收 in the unit's row
    assert book[S2_SHEET].cell(row=2, column=11).value == "本年收费金额（单位：万元）"


def test_the_notes_say_which_units_count_and_why_the_others_do_not(tmp_path: Path) -> None:
    totals, _ = some_totals()
    book = load_workbook(write_summary_xlsx(tmp_path / "汇总.xlsx", totals, made=MADE))
    rows = [[v for v in row if v is not None] for row in book[NOTES_SHEET].iter_rows(values_only=True)]
    flat = ["|".join(str(v) for v in row) for row in rows]
    assert "年度|2022 年" in flat and "制表日期|2026年2月10日" in flat
    assert "计入单位|3 个" in flat and "未计入单位|2 个" in flat
    assert "1|甲单位|来文/甲单位.docx|甲单位|2022|2021版|0" in flat
    assert "3|=丙单位|来文/=丙单位.docx|=丙单位|2022|2021版|0" in flat
    assert any(line.startswith("1|丁单位|来文/丁单位.docx|丁单位|2021|2021版|0|年度不同") for line in flat)
    assert any(line.startswith("2|戊单位|来文/戊单位.docx|戊单位|2022|2021版|") and "有错误" in line for line in flat)
    assert "未发现问题" in flat


def test_no_units_give_a_sheet_of_zero_totals() -> None:
    totals = region_totals([])
    from io import BytesIO

    book = load_workbook(BytesIO(summary_xlsx_bytes(totals, made=MADE)))
    sheet = book[S3_SHEET]
    assert sheet.cell(row=3, column=1).value == "合计（0 个单位）"
    assert {sheet.cell(row=3, column=c).value for c in range(2, sheet.max_column + 1)} == {"=0"}


def _recalculated(path: Path, out: Path) -> Path:
    """The workbook opened, recalculated and saved again by LibreOffice Calc."""
    soffice = soffice_path()
    assert soffice is not None
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(out / 'profile').as_uri()}", "--convert-to", "xlsx",
         "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    return out / path.name


def _same(value: object, expected: Number) -> bool:
    if not isinstance(value, int | float):
        return False
    return abs(Decimal(str(value)) - Decimal(expected)) < Decimal("1e-9")


@pytest.mark.needs_tool("soffice", "soffice_calc")
def test_libreoffice_recalculates_the_formulas_to_the_totals(tmp_path: Path) -> None:
    totals, reports = some_totals()
    source = write_summary_xlsx(tmp_path / "汇总.xlsx", totals, made=MADE)
    # openpyxl keeps no computed values: whatever numbers the formulas show below, LibreOffice worked out.
    unsaved = load_workbook(source, data_only=True)
    assert unsaved[S3_SHEET].cell(row=6, column=2).value is None
    out = tmp_path / "recalculated"
    out.mkdir()
    book = load_workbook(_recalculated(source, out), data_only=True)
    checked = 0
    for name in (S2_SHEET, S3_SHEET, S4_SHEET):
        sheet = book[name]
        for index, cell_id in enumerate(columns_of(totals.template, name), start=2):
            total = sheet.cell(row=6, column=index).value
            assert _same(total, totals.totals[cell_id]), (name, cell_id, total, totals.totals[cell_id])
            cell = totals.template.cell(cell_id)
            if cell.computed:  # each unit's own total, worked out in its row
                for row, report in enumerate(reports, start=3):
                    shown = sheet.cell(row=row, column=index).value
                    assert _same(shown, report.totals()[cell_id]), (name, cell_id, row)
            checked += 1
    assert checked == len(totals.totals)
    assert totals.totals["s2.fees.amount"] == Decimal("0.3")


def test_a_read_only_target_is_not_overwritten(tmp_path: Path) -> None:
    totals, _ = some_totals()
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(SummaryExportError) as caught:
        write_summary_xlsx(target, totals)
    message = str(caught.value)
    assert message.startswith("无法写入「汇总.xlsx」：") and "只读" in message and "\n" not in message
    target.chmod(0o644)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]


def test_a_folder_that_cannot_be_written_gives_one_chinese_line(tmp_path: Path) -> None:
    totals, _ = some_totals()
    (tmp_path / "汇总.xlsx").mkdir()
    with pytest.raises(SummaryExportError, match=r"^无法写入「汇总\.xlsx」：已有同名的文件夹"):
        write_summary_xlsx(tmp_path / "汇总.xlsx", totals)
    missing = tmp_path / "没有这个文件夹" / "汇总.xlsx"
    with pytest.raises(SummaryExportError, match=r"^无法写入「汇总\.xlsx」：文件不存在"):
        write_summary_xlsx(missing, totals)


def test_a_file_open_in_another_program_gives_one_chinese_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows refuses to replace a workbook Excel or WPS holds open with a permission error.
    totals, _ = some_totals()
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")

    def refused(path: object, data: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("exports.summary_xlsx.write_atomic", refused)
    with pytest.raises(SummaryExportError, match=r"^无法写入「汇总\.xlsx」：文件可能正被其他程序（如 Excel、WPS）打开"):
        write_summary_xlsx(target, totals)
    assert target.read_bytes() == b"old"
