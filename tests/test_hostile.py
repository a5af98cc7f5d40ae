"""The hostile-input suite (issue 11): seeded mutations of real reports in all four formats, and each case
the issue names, checked through the same entry as `main.py check`, each in a worker process limited to
1 GB of address space and 10 s. Not one may crash (exit 3, an uncaught exception, a traceback), run out
of memory or time.

HOSTILE_COUNT sets how many mutations run (2,000 by default, as in CI; a smaller number while working
on a reader). A failure is made again with `python -m tests.hostile_run COUNT SEED`."""

from __future__ import annotations

import os
import sys

import pytest

from tests.hostile_inputs import ANY_STATUS, FORMATS, NAMED, mutations, named_cases
from tests.hostile_run import MEMORY_LIMIT, TIMEOUT, Outcome, Summary, run_inputs

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the workers' limits use POSIX resource limits")

COUNT = int(os.environ.get("HOSTILE_COUNT", "2000"))
SEED = 11


@pytest.fixture(scope="module")
def named() -> dict[str, Outcome]:
    summary = run_inputs(named_cases())
    return {o.name: o for o in summary.outcomes}


def test_the_mutations_are_many_seeded_and_of_every_format() -> None:
    first = [(h.name, h.data) for h in mutations(40, SEED)]
    assert first == [(h.name, h.data) for h in mutations(40, SEED)]  # the same inputs on every run
    assert {h.suffix for h in mutations(8, SEED)} == set(FORMATS)
    assert len({name for name, _ in first}) == len(first)  # a name finds its input again


@pytest.mark.slow
def test_mutated_reports_never_crash_hang_or_exhaust_memory() -> None:
    summary: Summary = run_inputs(mutations(COUNT, SEED))
    assert len(summary.outcomes) == COUNT
    assert summary.failures == [], summary.describe()
    statuses = {o.status for o in summary.outcomes}
    assert statuses <= {0, 1, 2}
    assert 2 in statuses and statuses & {0, 1}  # both refused and readable inputs were made


@pytest.mark.parametrize("name", sorted(NAMED))
def test_each_named_case_is_refused_or_read_within_the_limits(named: dict[str, Outcome], name: str) -> None:
    _, _, status, words = NAMED[name]
    outcome = named[name]
    assert not outcome.crash, outcome.crash
    assert not outcome.timed_out, f"over {TIMEOUT} s"
    assert outcome.status in ((0, 1, 2) if status == ANY_STATUS else (status,)), outcome.stderr
    message = outcome.stderr.strip()
    for word in words:
        assert word in message, message
    if status == 2:
        assert message.count("\n") == 0 and "无法读取" in message and "Traceback" not in message


def test_the_workers_are_limited() -> None:
    assert MEMORY_LIMIT == 1024**3 and TIMEOUT == 10.0
