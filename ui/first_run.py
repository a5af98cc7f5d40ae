"""The first launch: on a database holding no report but the example, the start screen says what to
do (set up the agency, then make this year's report from last year's, from a file or blank), and
which agency is the user's own (not the example's)."""

from __future__ import annotations

import functools
import json
from importlib import resources

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.storage import SEED_RESOURCE, AgencyProfile, ReportSummary, Store

PANEL_STYLE = "QFrame#first_run { background: #f3f7fc; border: 1px solid #9fb3d1; border-radius: 4px; }"


@functools.cache
def sample_report() -> tuple[str, int]:
    """The example report every new database starts with: its agency and year."""
    data = json.loads(resources.files("resources").joinpath(SEED_RESOURCE).read_text("utf-8"))
    return str(data["agency"]), int(data["year"])


def is_sample(summary: ReportSummary) -> bool:
    return (summary.agency, summary.year) == sample_report()


def first_run(reports: list[ReportSummary]) -> bool:
    """Whether the database holds no report of the user's yet (none, or only the example)."""
    return all(is_sample(s) for s in reports)


def own_agencies(store: Store, reports: list[ReportSummary] | None = None) -> list[AgencyProfile]:
    """The agencies that are not only the example's, the one whose report changed last first, then
    those with no report yet (set up in 机关信息) by name."""
    reports = store.list_reports() if reports is None else reports
    last_change: dict[str, str] = {}
    for s in reports:
        if not is_sample(s):
            last_change[s.agency] = max(last_change.get(s.agency, ""), s.updated_at)
    sample_agency = sample_report()[0]
    profiles = [p for p in store.agencies() if p.name != sample_agency or p.name in last_change]
    with_reports = sorted(
        (p for p in profiles if p.name in last_change), key=lambda p: last_change[p.name], reverse=True
    )
    return with_reports + [p for p in profiles if p.name not in last_change]  # agencies() is by name


def own_agency(store: Store, reports: list[ReportSummary] | None = None) -> str:
    """The user's agency as far as the database tells: "" when only the example's is known."""
    agencies = own_agencies(store, reports)
    return agencies[0].name if agencies else ""


class FirstRunPanel(QFrame):
    """Two steps shown above the reports list until the user has a report of their own."""

    agencyRequested = Signal()
    nextYearRequested = Signal()
    importRequested = Signal()
    blankRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run")
        self.setStyleSheet(PANEL_STYLE)
        title = QLabel("开始填写本机关的政府信息公开工作年度报告")
        title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.step1 = QLabel()
        self.step1.setObjectName("first_run_step1")
        self.agency_button = self._button(
            "first_run_agency", "设置本机关信息…", "机关全称（与报告落款一致）、地址、邮编、电话、邮箱、签发人",
            self.agencyRequested,
        )
        self.step2 = QLabel()
        self.step2.setObjectName("first_run_step2")
        self.next_year_button = self._button(
            "first_run_next_year", "从上年报告创建…",
            "导入本机关上一年度已发布的报告（Word、PDF、网页或报告文件），再用它创建今年的报告：「上年结转」取上年的"
            "「结转下年度继续办理」，联系方式和标准小标题沿用",
            self.nextYearRequested,
        )
        self.import_button = self._button(
            "first_run_import", "从文件导入…", "今年的报告已在 Word、WPS 或网页中写好：导入后在这里检查、打印、导出",
            self.importRequested,
        )
        self.blank_button = self._button(
            "first_run_blank", "新建空白报告…", "从空白的官方格式开始填写", self.blankRequested
        )
        self.sample_note = QLabel()
        self.sample_note.setObjectName("first_run_sample")
        self.sample_note.setWordWrap(True)
        self.sample_note.setStyleSheet("color: #555;")
        guide = QLabel("表格中每一行统计什么，见“帮助 → 填报说明”（F1）。")
        guide.setStyleSheet("color: #555;")

        step1_row = QHBoxLayout()
        step1_row.addWidget(self.step1)
        step1_row.addWidget(self.agency_button)
        step1_row.addStretch(1)
        step2_row = QHBoxLayout()
        step2_row.addWidget(self.step2)
        for button in (self.next_year_button, self.import_button, self.blank_button):
            step2_row.addWidget(button)
        step2_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(step1_row)
        layout.addLayout(step2_row)
        layout.addWidget(self.sample_note)
        layout.addWidget(guide)

    def _button(self, name: str, text: str, tip: str, signal: SignalInstance) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(lambda: signal.emit())
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def update_from(self, store: Store, reports: list[ReportSummary], year: int) -> bool:
        """Show the steps as they stand (shown only on a first run); returns whether shown."""
        shown = first_run(reports)
        self.setVisible(shown)
        if not shown:
            return False
        agency = own_agency(store, reports)
        if agency:
            self.step1.setText(f"第一步：本机关信息 ✓ 已设置「{agency}」（可以再修改）")
            self.agency_button.setText("修改本机关信息…")
        else:
            self.step1.setText("第一步：设置本机关信息——机关全称、联系方式和签发人，以后每份报告自动填入。")
            self.agency_button.setText("设置本机关信息…")
        self.step2.setText(f"第二步：新建 {year} 年度的报告：")
        sample = [s for s in reports if is_sample(s)]
        self.sample_note.setVisible(bool(sample))
        if sample:
            self.sample_note.setText(
                f"列表中的「{sample[0].agency}」{sample[0].year} 年度报告是示例（一份已发布的报告，"
                "检查会指出其中的错误），可以打开查看怎样填写和检查；不需要时可以删除。"
            )
        return True
