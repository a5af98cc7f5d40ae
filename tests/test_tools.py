"""The needs_tool machinery of conftest.py: a missing tool skips its tests, or fails them in CI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_TOOLS_ENV, TOOLS, require_tool, tool_problem, tools_required

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def missing_tool(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setitem(TOOLS, "no-such-tool", (lambda: "not on this machine", "it: apt install it"))
    monkeypatch.delenv(REQUIRE_TOOLS_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    yield "no-such-tool"
    tool_problem.cache_clear()


def test_missing_tool_skips_with_the_reason_and_what_to_install(missing_tool: str) -> None:
    assert not tools_required()
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_tool(missing_tool)
    assert str(skipped.value).startswith("needs no-such-tool: not on this machine (install it: apt install it")


@pytest.mark.parametrize(("name", "value"), [(REQUIRE_TOOLS_ENV, "1"), ("CI", "true"), ("CI", "True")])
def test_missing_tool_fails_where_tools_are_required(
    missing_tool: str, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    assert tools_required()
    with pytest.raises(pytest.fail.Exception, match="needs no-such-tool: not on this machine"):
        require_tool(missing_tool)


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_other_values_do_not_require_tools(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REQUIRE_TOOLS_ENV, value)
    monkeypatch.setenv("CI", value)
    assert not tools_required()


def test_ci_requires_the_tools() -> None:
    assert f"export {REQUIRE_TOOLS_ENV}=1" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
