"""Dialogs of the start screen: a new report, the agency profile and a copy of a report."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.checks import Finding
from core.deadline import KIND_LABELS
from core.errors import UserError
from core.nextyear import default_preamble
from core.operations import ReportExists, create_next_year, create_report, duplicate_report, preview_next_year
from core.report import Contact, Report
from core.storage import ZERO_PRINT_BLANK, ZERO_PRINT_ZERO, AgencyProfile, Store
from core.template import Template, template_for_year, templates

CONTACT_KEYS: tuple[str, ...] = ("address", "postcode", "phone", "email")
CONTACT_LABELS = {"address": "地址", "postcode": "邮编", "phone": "电话", "email": "邮箱"}
ZERO_PRINT_LABELS = {ZERO_PRINT_ZERO: "印 0", ZERO_PRINT_BLANK: "留空"}
_POSTCODE = re.compile(r"[0-9]{6}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_ERROR_STYLE = "color: #c00000;"
_WARNING_STYLE = "color: #9a6700;"


# --- shared pieces -------------------------------------------------------------------------------


def normalise_code(text: str) -> str:
    """Postcode, phone and e-mail as typed with a Chinese input method: full-width letters and digits
    become ASCII (addresses keep their full-width punctuation, so this is not used for them)."""
    return unicodedata.normalize("NFKC", text).strip()


def contact_problem(postcode: str, email: str) -> str | None:
    """Why a postcode or e-mail cannot be right, in Chinese; None when both are fine or blank."""
    if postcode and not _POSTCODE.fullmatch(postcode):
        return f"邮编「{postcode}」不对：邮编应为 6 位数字，例如 350400；不知道可以留空。"
    if email and not _EMAIL.fullmatch(email):
        return f"邮箱「{email}」不对：应类似 name@example.gov.cn；没有可以留空。"
    return None


def template_rule() -> str:
    """Which template serves which years, worded from the template definitions."""
    parts = []
    for t in templates():
        years = f"{t.year_from} 年度及以后" if t.year_to is None else f"{t.year_from}—{t.year_to} 年度"
        parts.append(f"{years}用「{t.name}」格式（{t.document}）")
    return "；".join(parts) + "。"


def year_range() -> tuple[int, int]:
    """Years a report can be written for: from the oldest template to next year."""
    first = min(t.year_from for t in templates())
    return first, QDate.currentDate().year() + 1


def default_year() -> int:
    """Reports are written in January for the year just ended."""
    return QDate.currentDate().year() - 1


def _agency_combo(store: Store, current: str = "") -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("agency")
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems([p.name for p in store.agencies()])
    # Suggestions as a list to pick from, never silently completed into another agency's name.
    completer = QCompleter([p.name for p in store.agencies()], combo)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    combo.setCompleter(completer)
    combo.setCurrentText(current)
    line = combo.lineEdit()
    if line is not None:
        line.setPlaceholderText("输入机关名称，或从列表中选择")
    return combo


def _year_spin(value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName("year")
    first, last = year_range()
    spin.setRange(first, last)
    spin.setValue(min(max(value, first), last))
    return spin


def _line_edit(name: str, text: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


# A finalised report's fields and grids, and any field that cannot be typed into: grey, so it is seen.
LOCKED_BASE = QColor("#ececec")
LOCKED_TEXT = QColor("#505050")


def show_read_only(edit: QLineEdit) -> None:
    """A field that cannot be typed into looks it: grey, like a finalised report's fields."""
    edit.setStyleSheet(f"QLineEdit {{ background: {LOCKED_BASE.name()}; color: {LOCKED_TEXT.name()}; }}")


def ask(
    parent: QWidget | None, title: str, text: str, buttons: list[tuple[str, str, QMessageBox.ButtonRole]],
    *, icon: QMessageBox.Icon = QMessageBox.Icon.Question, name: str = "", default: str = "",
) -> str:
    """A message box with Chinese buttons (key, label, role); returns the key of the one clicked
    (the last one's when the box is closed otherwise). The `default` key's button is the one Enter
    and Esc give."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    keys = {}
    for key, label, role in buttons:
        button = box.addButton(label, role)
        button.setObjectName(key)
        keys[id(button)] = key
        if key == default:
            box.setDefaultButton(button)
            box.setEscapeButton(button)
    box.exec()
    clicked = box.clickedButton()
    return keys.get(id(clicked), buttons[-1][0]) if clicked is not None else buttons[-1][0]


def _message_label(name: str, style: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setVisible(False)
    return label


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName("ok")
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    cancel.setText("取消")
    cancel.setObjectName("cancel")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class _AgencyYearDialog(QDialog):
    """A dialog that asks for an agency (editable list of known ones) and a year, and stores a report
    for them; after acceptance `report_id` is the stored report's id."""

    agency_combo: QComboBox
    year_spin: QSpinBox
    error_label: QLabel
    report_id: int | None

    @property
    def agency(self) -> str:
        return self.agency_combo.currentText().strip()

    @property
    def year(self) -> int:
        return self.year_spin.value()

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)

    def _store_and_accept(self, operation: Callable[[], int], exists: str) -> None:
        """Run the operation that stores the report and close; else say why not (`exists` when the
        agency already has a report for the year), and stay open."""
        try:
            self.report_id = operation()
        except ReportExists:
            self._fail(exists)
            return
        except UserError as exc:
            self._fail(str(exc))
            return
        super().accept()


# --- new report ----------------------------------------------------------------------------------


class NewReportDialog(_AgencyYearDialog):
    """A blank report for an agency and year; the template follows the year unless overridden.
    After acceptance `report_id` is the stored report's id."""

    def __init__(self, store: Store, parent: QWidget | None = None, agency: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("new_report_dialog")
        self.setWindowTitle("新建报告")
        self.setMinimumWidth(520)
        self.store = store
        self.report_id: int | None = None
        self._known = {p.name for p in store.agencies()}
        self._overridden = False  # the user picked a format other than the year's

        self.agency_combo = _agency_combo(store, agency)
        self.year_spin = _year_spin(default_year())
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("template")
        for template in templates():
            self.template_combo.addItem(template.name, template.id)
        self.template_warning = _message_label("template_warning", _WARNING_STYLE)
        self.contact_edits = {
            key: _line_edit(f"contact.{key}", placeholder="可以留空") for key in CONTACT_KEYS
        }
        self.save_contact = QCheckBox("同时保存为本机关的联系方式（以后新建报告时自动填入）")
        self.save_contact.setObjectName("save_contact")
        self.save_contact.setChecked(True)
        self.error_label = _message_label("error", _ERROR_STYLE)

        form = QFormLayout()
        form.addRow("机关名称", self.agency_combo)
        form.addRow("年度", self.year_spin)
        form.addRow("格式", self.template_combo)
        form.addRow("", self.template_warning)
        for key in CONTACT_KEYS:
            form.addRow(CONTACT_LABELS[key], self.contact_edits[key])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.save_contact)
        layout.addWidget(self.error_label)
        layout.addWidget(_buttons(self, "创建"))

        self.year_spin.valueChanged.connect(self._year_changed)
        self.template_combo.activated.connect(self._template_chosen)
        self.agency_combo.editTextChanged.connect(self._agency_changed)
        self._year_changed(self.year_spin.value())
        self._agency_changed(self.agency_combo.currentText())


    @property
    def template_id(self) -> str:
        return str(self.template_combo.currentData())

    def contact(self) -> Contact:
        e = self.contact_edits
        return Contact(
            e["address"].text().strip(),
            normalise_code(e["postcode"].text()),
            normalise_code(e["phone"].text()),
            normalise_code(e["email"].text()),
        )

    def _year_changed(self, year: int) -> None:
        # Until the user picks a format the year decides it; a picked format stays picked.
        if not self._overridden:
            self._select_template(template_for_year(year))
        self._show_template_warning()

    def _template_chosen(self, _index: int) -> None:
        self._overridden = self.template_id != template_for_year(self.year).id
        self._show_template_warning()

    def _select_template(self, template: Template) -> None:
        self.template_combo.setCurrentIndex(self.template_combo.findData(template.id))

    def _show_template_warning(self) -> None:
        expected = template_for_year(self.year)
        wrong = self.template_id != expected.id
        if wrong:
            self.template_warning.setText(
                f"{self.year} 年度应使用「{expected.name}」格式。规则：{template_rule()}"
                "所选格式与年度不符，检查报告时会提示。"
            )
        self.template_warning.setVisible(wrong)

    def _agency_changed(self, text: str) -> None:
        name = text.strip()
        if name not in self._known:
            return
        contact = self.store.agency_profile(name).contact
        for key in CONTACT_KEYS:
            self.contact_edits[key].setText(getattr(contact, key))

    def accept(self) -> None:
        agency, year = self.agency, self.year
        if not agency:
            self._fail("请填写机关名称。")
            return
        contact = self.contact()
        problem = contact_problem(contact.postcode, contact.email)
        if problem:
            self._fail(problem)
            return
        template_id, save_contact = self.template_id, self.save_contact.isChecked()
        self._store_and_accept(
            lambda: create_report(self.store, agency, year, template_id, contact=contact, save_contact=save_contact),
            f"数据库中已有「{agency}」{year} 年度报告，不能再新建一份；请在报告列表中打开它。",
        )


# --- agency profile ------------------------------------------------------------------------------


class AgencyProfileDialog(QDialog):
    """An agency's name, contact details, signer and how blank cells print. Without `agency` it sets
    up a new one (the name typed; a known name brings its details). The name of an agency that has
    reports stays as it is, and the dialog says so. With `year` (an open report) it also offers a
    preamble generated from these details: the text is handed back through `preambleGenerated` /
    `generated_preamble` for the caller to apply; this dialog writes no report."""

    preambleGenerated = Signal(str)
    saved = Signal(str)  # the agency's name, once its profile is saved

    def __init__(
        self, store: Store, agency: str = "", parent: QWidget | None = None, *, year: int | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("agency_profile_dialog")
        self.setWindowTitle("机关信息")
        self.setMinimumWidth(520)
        self.store = store
        self.year = year
        self.profile: AgencyProfile | None = None
        self.generated_preamble: str | None = None
        current = store.agency_profile(agency) if agency else AgencyProfile("")
        self._known = {p.name for p in store.agencies()}
        self._loaded = current.name

        self.name_edit = _line_edit("name", current.name, "机关全称，与报告落款一致，例如“某某市某某区司法局”")
        self.name_note = QLabel()
        self.name_note.setObjectName("name_note")
        self.name_note.setWordWrap(True)
        self.name_note.setStyleSheet("color: #555;")
        self.name_note.setVisible(False)
        if agency and any(s.agency == agency for s in store.list_reports()):
            # Reports are stored under this name; renaming here would start a different agency.
            self.name_edit.setReadOnly(True)
            show_read_only(self.name_edit)
            self.name_note.setText(
                "已有报告以这个名称保存，名称不能在这里修改。如名称有误，请在报告列表中用「复制」把报告复制到正确的名称下。"
            )
            self.name_note.setVisible(True)
        else:
            if not agency:
                self.setWindowTitle("机关信息（新机关）")
            completer = QCompleter(sorted(self._known), self.name_edit)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.name_edit.setCompleter(completer)
            self.name_edit.editingFinished.connect(self._name_entered)
        self.edits = {
            "address": _line_edit("address", current.address, "可以留空"),
            "postcode": _line_edit("postcode", current.postcode, "6 位数字，可以留空"),
            "phone": _line_edit("phone", current.phone, "可以留空"),
            "email": _line_edit("email", current.email, "可以留空"),
            "signer": _line_edit("signer", current.signer, "签发人姓名，可以留空"),
        }
        self.zero_print = QComboBox()
        self.zero_print.setObjectName("zero_print")
        for value, label in ZERO_PRINT_LABELS.items():
            self.zero_print.addItem(label, value)
        self.zero_print.setCurrentIndex(max(self.zero_print.findData(current.zero_print), 0))
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        self.kind.addItem("按机关名称判断（名称以“人民政府”结尾的按人民政府）", "")
        for value, label in KIND_LABELS.items():
            self.kind.addItem(label, value)
        self.kind.setToolTip(
            "《条例》第四十九条：政府部门的年度报告在每年1月31日前公布，"
            "本级人民政府的年度报告在每年3月31日前公布。报告列表据此提醒期限。"
        )
        self.kind.setCurrentIndex(max(self.kind.findData(current.kind), 0))
        self.error_label = _message_label("error", _ERROR_STYLE)

        form = QFormLayout()
        form.addRow("机关名称", self.name_edit)
        form.addRow("", self.name_note)
        form.addRow("地址", self.edits["address"])
        form.addRow("邮编", self.edits["postcode"])
        form.addRow("电话", self.edits["phone"])
        form.addRow("邮箱", self.edits["email"])
        form.addRow("签发人", self.edits["signer"])
        form.addRow("空白单元格打印为", self.zero_print)
        form.addRow("报告类别和期限", self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        self.regenerate_button = QPushButton("用以上信息重新生成前言")
        self.regenerate_button.setObjectName("regenerate_preamble")
        self.regenerate_button.setToolTip("保存机关信息，并按以上联系方式重新生成本报告的前言（可以撤销）。")
        self.regenerate_button.setVisible(year is not None)
        self.regenerate_button.clicked.connect(self.regenerate_preamble)
        layout.addWidget(self.regenerate_button)
        layout.addWidget(_buttons(self, "保存"))

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)

    def _name_entered(self) -> None:
        """A name typed that is a known agency's: show its details (to edit them, not a copy)."""
        name = self.name_edit.text().strip()
        if name == self._loaded or name not in self._known:
            return
        profile = self.store.agency_profile(name)
        self._loaded = name
        for key, edit in self.edits.items():
            edit.setText(getattr(profile, key))
        self.zero_print.setCurrentIndex(max(self.zero_print.findData(profile.zero_print), 0))
        self.kind.setCurrentIndex(max(self.kind.findData(profile.kind), 0))

    def collect(self) -> AgencyProfile | None:
        """The profile as filled in, or None (with the reason shown) when it cannot be saved."""
        name = self.name_edit.text().strip()
        if not name:
            self._fail("请填写机关名称。")
            return None
        postcode = normalise_code(self.edits["postcode"].text())
        email = normalise_code(self.edits["email"].text())
        problem = contact_problem(postcode, email)
        if problem:
            self._fail(problem)
            return None
        return AgencyProfile(
            name=name,
            address=self.edits["address"].text().strip(),
            postcode=postcode,
            phone=normalise_code(self.edits["phone"].text()),
            email=email,
            signer=self.edits["signer"].text().strip(),
            zero_print=str(self.zero_print.currentData()),
            kind=str(self.kind.currentData()),
        )

    def _save(self) -> bool:
        profile = self.collect()
        if profile is None:
            return False
        try:
            self.store.save_agency_profile(profile)
        except UserError as exc:
            self._fail(str(exc))
            return False
        self.profile = profile
        self.saved.emit(profile.name)
        return True

    def accept(self) -> None:
        if self._save():
            super().accept()

    def regenerate_preamble(self) -> None:
        """Save the profile and hand back the standard preamble built from it."""
        if self.year is None or not self._save():
            return
        assert self.profile is not None
        self.generated_preamble = default_preamble(self.profile.name, self.year, self.profile.contact)
        self.preambleGenerated.emit(self.generated_preamble)
        super().accept()


# --- duplicate -----------------------------------------------------------------------------------


class DuplicateDialog(_AgencyYearDialog):
    """Copy a report's numbers and texts to another year or agency (one agency has one report a
    year, so the same agency and year is refused). After acceptance `report_id` is the copy's id."""

    def __init__(self, store: Store, source_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicate_dialog")
        self.setWindowTitle("复制报告")
        self.setMinimumWidth(520)
        self.store = store
        self.source_id = source_id
        self.source = store.load(source_id)
        self.report_id: int | None = None

        intro = QLabel(
            f"把「{self.source.agency}」{self.source.year} 年度报告的数字和正文复制为一份新的草稿。"
            "同一机关同一年度只能有一份报告，请选择另一个年度或机关。"
        )
        intro.setWordWrap(True)
        self.agency_combo = _agency_combo(store, self.source.agency)
        self.year_spin = _year_spin(self.source.year + 1)
        self.template_note = _message_label("template_note", _WARNING_STYLE)
        note = QLabel("正文原样复制，其中写到的年度、机关名称和统计期限请复制后核对。")
        note.setWordWrap(True)
        self.error_label = _message_label("error", _ERROR_STYLE)

        form = QFormLayout()
        form.addRow("机关名称", self.agency_combo)
        form.addRow("年度", self.year_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.template_note)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(_buttons(self, "复制"))
        self.year_spin.valueChanged.connect(self._year_changed)
        self._year_changed(self.year_spin.value())


    def _year_changed(self, year: int) -> None:
        expected = template_for_year(year)
        source = self.source.template
        differs = expected.id != source.id
        if differs:
            self.template_note.setText(
                f"副本沿用原报告的「{source.name}」格式，但 {year} 年度应使用「{expected.name}」格式，"
                "检查时会提示。如要按新格式填写下一年度的报告，请用「从上年报告创建」。"
            )
        self.template_note.setVisible(differs)

    def accept(self) -> None:
        agency, year = self.agency, self.year
        if not agency:
            self._fail("请填写机关名称。")
            return
        self._store_and_accept(
            lambda: duplicate_report(self.store, self.source_id, agency, year),
            f"数据库中已有「{agency}」{year} 年度报告，同一机关同一年度只能有一份报告；请换一个年度或机关。",
        )


# --- finalising ----------------------------------------------------------------------------------

# The text speaks of applications received (收到…申请, 受理…申请), as a report with applications does.
_MENTIONS_APPLICATIONS = re.compile(r"(?:收到|受理|新收)[^。；\n]{0,20}?申请")
CONFIRM_TEXT = "我已逐条核对以上提示，报告内容完整，可以定稿"


def finalise_concerns(report: Report) -> list[str]:
    """Why finalising this report deserves more than one click, in Chinese: section 五 or 六 empty,
    or 三's numbers all blank while the text speaks of applications received. Empty when none."""
    template = report.template
    concerns = [
        f"「{template.section(key).heading}」没有填写。"
        for key in ("s5", "s6")
        if any(s.id == key for s in template.text_sections) and not report.text(key).strip()
    ]
    carry = template.s3.carry_over
    carried_row = carry.row if carry is not None else None
    numbers = [
        c.id for c in template.cells
        if c.section == "s3" and not c.computed and c.id.split(".")[1] != carried_row
    ]
    if numbers and all(report.value(c).text in (None, "") for c in numbers):
        texts = "\n".join(report.text(s.id) for s in template.text_sections)
        found = _MENTIONS_APPLICATIONS.search(texts)
        if found:
            concerns.append(
                f"三的表格全部空白，而正文写有“{found.group(0)}”：收到的申请应填入表格。"
            )
    return concerns


class FinaliseDialog(QDialog):
    """定稿 with warnings: lists each warning (rule and message); 取消 is the default. A report with
    `finalise_concerns` needs the confirmation ticked before 定稿 can be pressed."""

    def __init__(self, report: Report, warnings: list[Finding], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("finalise_dialog")
        self.setWindowTitle("定稿")
        self.setMinimumWidth(560)
        self.concerns = finalise_concerns(report)
        intro = QLabel(
            f"报告还有 {len(warnings)} 个提示。定稿后报告只读，不能再修改（可以撤销定稿）。请逐条核对："
        )
        intro.setObjectName("intro")
        intro.setWordWrap(True)
        self.warnings_list = QListWidget()
        self.warnings_list.setObjectName("warnings")
        self.warnings_list.setWordWrap(True)
        for finding in warnings:
            item = QListWidgetItem(f"[{finding.rule}] {finding.message}")
            item.setToolTip(finding.message)
            self.warnings_list.addItem(item)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.warnings_list, 1)
        self.confirm: QCheckBox | None = None
        if self.concerns:
            concern = QLabel("请特别注意：\n" + "\n".join(self.concerns))
            concern.setObjectName("concerns")
            concern.setWordWrap(True)
            concern.setStyleSheet(f"{_ERROR_STYLE} font-weight: bold;")
            layout.addWidget(concern)
            self.confirm = QCheckBox(CONFIRM_TEXT)
            self.confirm.setObjectName("confirm")
            layout.addWidget(self.confirm)
        box = QDialogButtonBox()
        self.finalise_button = box.addButton("定稿", QDialogButtonBox.ButtonRole.AcceptRole)
        self.finalise_button.setObjectName("finalise")
        self.cancel_button = box.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("cancel")
        # The safe answer is the one Enter gives.
        self.finalise_button.setAutoDefault(False)
        self.cancel_button.setAutoDefault(True)
        self.cancel_button.setDefault(True)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        if self.confirm is not None:
            self.finalise_button.setEnabled(False)
            self.confirm.toggled.connect(self.finalise_button.setEnabled)
        self.cancel_button.setFocus()

    def accept(self) -> None:
        if self.confirm is not None and not self.confirm.isChecked():
            return
        super().accept()


def confirm_finalise(parent: QWidget | None, report: Report, warnings: list[Finding]) -> bool:
    """Ask before finalising a report with warnings; True when the user chose 定稿."""
    dialog = FinaliseDialog(report, warnings, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted


def confirm_unfinalise(parent: QWidget | None) -> bool:
    """Ask before making a finalised report a draft again; 取消 is the default."""
    buttons = [
        ("unfinalise", "撤销定稿", QMessageBox.ButtonRole.AcceptRole),
        ("cancel", "取消", QMessageBox.ButtonRole.RejectRole),
    ]
    question = "撤销定稿后报告可以再次修改（修订历史会记下这一步），修改后需要重新定稿。是否撤销定稿？"
    return ask(parent, "撤销定稿", question, buttons, name="confirm_unfinalise", default="cancel") == "unfinalise"


# --- next year's report --------------------------------------------------------------------------


def first_free_year(store: Store, agency: str, after: int) -> int:
    """The first year after `after` for which the agency has no report yet (within the years a report
    can be written for): the year whose report would come next in the agency's chain."""
    last = year_range()[1]
    year = after + 1
    while year < last and store.find(agency, year) is not None:
        year += 1
    return year


def carry_over_lines(report: Report, previous: Report) -> list[str]:
    """What next year's report takes from last year's, in Chinese, one item a line."""
    template = report.template
    lines: list[str] = []
    carry = template.s3.carry_over
    if carry is not None:
        row = template.s3.row(carry.row)
        parts = "，".join(
            f"{col.label} {report.value(f's3.{carry.row}.{col.id}').text or '0'}"
            for col in template.s3.applicant_columns
        )
        first = f"s3.{carry.from_previous}.{template.s3.applicant_columns[0].id}"
        source = previous.template.cell(first).row_label if previous.template.has_cell(first) else "结转下年度继续办理"
        lines.append(f"三「{row.short}」（取自 {previous.year} 年度报告的「{source}」）：{parts}")
    rule = template.s2.in_force
    if rule is not None:
        counts = [
            f"{template.cell(f's2.{r}.{rule.field}').row_label} {report.value(f's2.{r}.{rule.field}').text}"
            for r in rule.rows
            if not report.value(f"s2.{r}.{rule.field}").is_blank
        ]
        if counts:
            label = template.cell(f"s2.{rule.rows[0]}.{rule.field}").col_label
            lines.append(
                f"二「{label}」（{previous.year} 年末的件数，本年有制发、废止时请相应修改）：{'，'.join(counts)}"
            )
        elif any(previous.template.has_cell(f"s2.{r}.{rule.field}") for r in rule.rows):
            lines.append(f"二的现行有效件数：{previous.year} 年度报告没有填写，需要自行填写")
        else:
            lines.append(f"二的现行有效件数：{previous.year} 年度报告的格式不统计这一项，需要自行填写")
    contact = report.contact
    listed = "，".join(
        f"{CONTACT_LABELS[k]} {getattr(contact, k)}" for k in CONTACT_KEYS if getattr(contact, k)
    )
    lines.append(f"联系方式：{listed or '没有（可以在“机关信息”中填写）'}")
    lines.append("一、总体情况的标准小标题：" + "、".join(template.section("s1").subheadings))
    lines.append(f"格式：{template.name}（{template.document}）。上年的正文不复制。")
    return lines


class NextYearDialog(QDialog):
    """Next year's report of an agency, asked before it is made: the year (by default the first one
    after the chosen report without a report), and what is carried over from the year before it.
    After acceptance `report_id` is the new report's id, also sent with a message by `created`."""

    created = Signal(int, str)  # the new report's id, a message for the status bar

    def __init__(self, store: Store, agency: str, after: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("next_year_dialog")
        self.setWindowTitle("从上年报告创建")
        self.setMinimumWidth(560)
        self.store = store
        self.agency = agency
        self.report_id: int | None = None
        self.source_id: int | None = None
        self.existing_id: int | None = None

        intro = QLabel(
            f"为「{agency}」创建下一年度的报告：数字从上一年度的报告结转，正文从标准格式开始。请选择年度："
        )
        intro.setWordWrap(True)
        self.year_spin = _year_spin(first_free_year(store, agency, after))
        self.carry_label = QLabel()
        self.carry_label.setObjectName("carry_over")
        self.carry_label.setWordWrap(True)
        self.carry_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = _message_label("error", _ERROR_STYLE)
        form = QFormLayout()
        form.addRow("年度", self.year_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(QLabel("将结转和沿用："))
        layout.addWidget(self.carry_label)
        layout.addWidget(self.error_label)
        self.buttons = _buttons(self, "创建")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(self.buttons)
        self.year_spin.valueChanged.connect(self._year_changed)
        self._year_changed(self.year_spin.value())

    @property
    def year(self) -> int:
        return self.year_spin.value()

    def _year_changed(self, year: int) -> None:
        self.error_label.setVisible(False)
        self.carry_label.clear()
        self.ok_button.setEnabled(False)
        try:
            self.existing_id = self.store.find(self.agency, year)
            self.source_id = self.store.find(self.agency, year - 1)
            if self.existing_id is not None:
                self._fail(
                    f"数据库中已有「{self.agency}」{year} 年度报告，不能再创建一份；请换一个年度或在列表中打开它。"
                )
                return
            if self.source_id is None:
                self._fail(
                    f"数据库中没有「{self.agency}」{year - 1} 年度报告，无从结转。"
                    "请先导入上一年度的报告，或用「新建报告」创建空白报告。"
                )
                return
            previous = self.store.load(self.source_id)
            preview = preview_next_year(self.store, self.source_id)
        except UserError as exc:
            self._fail(str(exc))
            return
        self.carry_label.setText("\n".join(f"· {line}" for line in carry_over_lines(preview, previous)))
        self.ok_button.setEnabled(True)

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)

    def accept(self) -> None:
        if self.source_id is None or self.existing_id is not None:
            return
        try:
            self.report_id = create_next_year(self.store, self.source_id)
        except ReportExists as exc:
            self.existing_id = exc.report_id
            self._fail(f"数据库中已有「{exc.agency}」{exc.year} 年度报告，没有再创建。")
            self.ok_button.setEnabled(False)
            return
        except UserError as exc:
            self._fail(str(exc))
            return
        super().accept()
        self.created.emit(
            self.report_id, f"已从 {self.year - 1} 年度报告创建{self.agency} {self.year} 年度报告（已结转上年数字）"
        )
