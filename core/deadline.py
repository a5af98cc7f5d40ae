"""When a report is due: 条例第四十九条 sets 1月31日 for a department's report and 3月31日 for a people's
government's own report, each of the year after the report year."""

from __future__ import annotations

from datetime import date

KIND_DEPARTMENT = "department"
KIND_GOVERNMENT = "government"
KIND_LABELS: dict[str, str] = {KIND_DEPARTMENT: "部门（1月31日前）", KIND_GOVERNMENT: "人民政府（3月31日前）"}
KINDS: tuple[str, ...] = (KIND_DEPARTMENT, KIND_GOVERNMENT)
REMIND_DAYS = 10  # from this many days before the due date an unfinished report is highlighted
STALE_DAYS = 365  # …and until this many days after it


def guess_kind(agency: str) -> str:
    """A name ending in 人民政府 is a government reporting for itself; everything else (bureaus,
    offices, 街道办事处, the government's 办公室) reports as a department."""
    return KIND_GOVERNMENT if agency.strip().endswith("人民政府") else KIND_DEPARTMENT


def due_date(kind: str, year: int) -> date:
    """The last day to publish the report of `year` (a report year, e.g. 2025 → 2026-01-31)."""
    if kind == KIND_GOVERNMENT:
        return date(year + 1, 3, 31)
    return date(year + 1, 1, 31)


def days_left(due: date, today: date | None = None) -> int:
    """Days from today to the due date: negative once it has passed."""
    return (due - (today or date.today())).days


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def due_text(due: date, today: date | None = None) -> str:
    """e.g. 2026年1月31日前公开（还有 12 天）/（今天截止）/（已逾期 3 天）."""
    left = days_left(due, today)
    when = f"{chinese_date(due)}前公开"
    if left > 0:
        return f"{when}（还有 {left} 天）"
    if left == 0:
        return f"{when}（今天截止）"
    return f"{when}（已逾期 {-left} 天）"


def is_stale(due: date, today: date | None = None) -> bool:
    """A due date STALE_DAYS or more behind: a draft of an earlier round, kept for reference."""
    return days_left(due, today) <= -STALE_DAYS


def needs_reminder(due: date, finished: bool, today: date | None = None) -> bool:
    """An unfinished report from REMIND_DAYS before its due date on, and while it is overdue, until a
    year after the due date: by then the next year's report is the one being written, and an old draft
    kept for reference (or the example report) is no longer a reminder."""
    return not finished and not is_stale(due, today) and days_left(due, today) <= REMIND_DAYS
