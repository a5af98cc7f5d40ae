"""The sentence for section 一 that states the tables' key figures, so the text cannot contradict them."""

from __future__ import annotations

from core.numbers import Number
from core.report import Report

_OUTCOME_GROUPS: tuple[tuple[str, str], ...] = (
    ("予以公开", "granted"),
    ("部分公开", "partially_granted"),
    ("不予公开", "denied_"),
    ("无法提供", "unable_"),
    ("不予处理", "rejected_"),
    ("其他处理", "other"),
)


def summary_sentence(report: Report) -> str:
    """e.g. 2025年，本机关本年新收政府信息公开申请12件，上年结转1件，办结12件，其中予以公开5件……"""
    totals = report.totals()
    s3 = report.template.s3

    def outcome(prefix: str) -> Number:
        rows = [r.id for r in s3.outcome_rows if r.id == prefix or r.id.startswith(prefix)]
        return sum((totals[f"s3.{r}.total"] for r in rows), 0)

    parts = "，".join(f"{label}{outcome(prefix)}件" for label, prefix in _OUTCOME_GROUPS)
    suits = totals["s4.suit_direct.total"] + totals["s4.suit_after_review.total"]
    return (
        f"{report.year}年，本机关本年新收政府信息公开申请{totals['s3.new.total']}件，"
        f"上年结转{totals['s3.carried_over.total']}件，办结{totals['s3.total_processed.total']}件，"
        f"其中{parts}；结转下年度继续办理{totals['s3.carried_forward.total']}件。"
        f"因政府信息公开工作被申请行政复议{totals['s4.review.total']}件，被提起行政诉讼{suits}件。"
    )
