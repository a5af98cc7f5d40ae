"""Local rule packs (地方规则包): a region's own requirements for its annual reports, as data.

A city or province often adds to the national format a notice of its own: 总体情况 no longer than 1,000
characters, its five parts all present, certain figures written. A rule pack says that in a JSON
file; the checks (core.checks.validate) add a warning for every requirement a report misses, with the
rule's id (LOCAL-…), after the official findings. No code per region: every rule is one of the kinds
below, checked by the same code.

The file::

    {"format": "gov-report-rule-pack", "format_version": 1,
     "name": "某市2025年度政府信息公开工作年度报告编制要求",     # required; shown with every finding
     "source": "某市政务公开办公室通知（2025年）",               # optional: where the requirements come from
     "description": "…",                                          # optional
     "applies_to_years": [2025],                                  # optional: report years; none = every year
     "rules": [ {rule}, … ]}

Each rule is an object with "id", "section", exactly one kind key, and an optional "message":

* "id": LOCAL- followed by capital letters, digits and hyphens (LOCAL-S1-LENGTH): never an official
  rule's id, and unique across every pack loaded together.
* "section": "s1" (一、总体情况), "s5" (五、存在的主要问题及改进情况), "s6" (六、其他需要报告的事项),
  "preamble" (前言) or "all" (the report's whole prose: 前言, 一, 二's note, 五 and 六, in that order).
* "message": the requirement in the notice's own words; every finding of the rule quotes it after the
  pack's name. Optional except for "pattern", whose requirement cannot be told from the data.
* The kinds:
  - "max_chars": N / "min_chars": N — the section's length. Characters are counted as a notice's
    “字” is meant: every character that is not whitespace (汉字, punctuation, digits and Latin letters
    one each; spaces and line breaks not at all).
  - "required_headings": ["主动公开", {"title": "政府信息公开平台建设", "accept": ["平台建设"]}, …] —
    each part must be present as a heading (see below) naming the title or one of its accepted forms.
  - "required_phrases": ["…", …] — each must occur anywhere in the section.
  - "required_figures": [{"name": "主动公开政府信息条数", "near": ["主动公开", "发布"], "unit": "条",
    "within": "主动公开", "distance": 30}, …] — a number (Arabic digits, possibly with thousands
    separators or decimals, or Chinese numerals; 万/余/多 may stand between it and the unit) followed by
    one of the units ("unit": a string or a list), with one of the "near" phrases in the same sentence
    no more than "distance" characters (default 30) before or after it. With "within", the number is
    looked for in the part whose heading names that phrase; when the section has no such part, in the
    whole section (the message says so).
  - "pattern": "regular expression" — advanced: the section must contain a match (Python `re` syntax,
    checked when the pack is loaded); "message" is required.

A heading is either an ordinal — （一） (一) 一、 （1） (1) 1. 1、 — at the start of the text, of a line or
after whitespace or a sentence's end, followed by its title (up to the first whitespace or punctuation),
as in the real “（一）主动公开方面 平潭综合实验区…” where the parts run on in one paragraph; or a line
that begins with the part's name (主动公开方面：…). A heading names a part when its title contains the
part's name or one of its accepted forms. A part runs from its heading to the next heading of the same
kind of ordinal or the next heading that names another of the pack's parts in that section, so （一）'s
part holds its own 1. 2. 3. items, and a text numbered （一） 2. 3. (铁西区 2020) is still cut right.
A missing figure or part is reported once per figure or part.

Every rule is a warning: local requirements never make a report wrong by the national format.

Where packs live: the data folder's `rulepacks/` (core.paths.data_dir() / "rulepacks"). Every valid pack
there whose years include the report's year (or that names no years) is active. A broken pack (bad JSON,
an unknown key, a bad regular expression, a duplicate id, a missing message…) is refused with a one-line
Chinese reason naming the file and the rule; the others are used without it (`pack_problems()`).
The folder is read again whenever a file in it changes (names, sizes, modification times and file
numbers are compared on every call, which costs a directory listing: about 55 µs), so the checks stay
fast: the example pack adds about 0.4 ms to checking a report with a 2,000-character 一.
`use_for_run` adds packs for one process (main.py check --rules).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from core.errors import UserError
from core.fileio import ReportFileError, read_regular, write_atomic

FORMAT = "gov-report-rule-pack"
FORMAT_VERSION = 1
RULEPACKS_FOLDER = "rulepacks"
REMOVED_FOLDER = "rulepacks-removed"  # where 移除 moves a pack: out of use, not lost
MAX_PACK_BYTES = 1024 * 1024
DEFAULT_DISTANCE = 30
MAX_PATTERN_LENGTH = 500

SECTION_NAMES = {
    "s1": "一、总体情况",
    "s5": "五、存在的主要问题及改进情况",
    "s6": "六、其他需要报告的事项",
    "preamble": "前言",
    "all": "全文",
}
# The report texts a section of a pack reads ("all": every prose text of the report).
_ALL_TEXTS = ("preamble", "s1", "s2_note", "s5", "s6")
# Where the editor shows a finding of each section (the preamble is on the cover tab).
_SHOWN_IN = {"s1": "s1", "s5": "s5", "s6": "s6", "preamble": "cover", "all": "s1"}

KINDS = ("max_chars", "min_chars", "required_headings", "required_phrases", "required_figures", "pattern")
_PACK_KEYS = {"format", "format_version", "name", "source", "description", "applies_to_years", "rules"}
_RULE_KEYS = {"id", "section", "message", *KINDS}
_FIGURE_KEYS = {"name", "near", "unit", "within", "distance"}
_HEADING_KEYS = {"title", "accept"}
_ID = re.compile(r"LOCAL-[A-Z0-9]+(?:-[A-Z0-9]+)*")


class RulePackError(UserError):
    """A pack that cannot be used; str() is one Chinese line naming the file (and the rule)."""

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))


def _one_line(text: str) -> str:
    """A message with whatever a file name or key brought in of line breaks and control characters
    written as escapes (\\n), so it stays one line."""
    return "".join(
        json.dumps(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text
    )


# --- the pack as data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    title: str
    accept: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.title, *self.accept)


@dataclass(frozen=True)
class Figure:
    name: str
    near: tuple[str, ...]
    units: tuple[str, ...]
    within: str = ""
    distance: int = DEFAULT_DISTANCE


@dataclass(frozen=True)
class PackRule:
    id: str
    section: str
    kind: str
    message: str = ""
    limit: int = 0  # max_chars / min_chars
    headings: tuple[Heading, ...] = ()
    phrases: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    pattern: re.Pattern[str] | None = None

    @property
    def section_name(self) -> str:
        return SECTION_NAMES[self.section]

    def requirement(self) -> str:
        """The rule as one Chinese sentence made from its data (the dialog's 要求 column)."""
        where = self.section_name
        if self.kind == "max_chars":
            text = f"{where} 不超过 {self.limit:,} 字"
        elif self.kind == "min_chars":
            text = f"{where} 不少于 {self.limit:,} 字"
        elif self.kind == "required_headings":
            parts = "、".join(_quoted(h) for h in self.headings)
            text = f"{where} 含有小标题{parts}"
        elif self.kind == "required_phrases":
            text = f"{where} 写有" + "、".join(f"“{p}”" for p in self.phrases)
        elif self.kind == "required_figures":
            text = f"{where} 写明" + "；".join(_figure_text(f) for f in self.figures)
        else:
            text = f"{where} {self.message}"
        return text


def _quoted(heading: Heading) -> str:
    also = f"（或“{'”“'.join(heading.accept)}”）" if heading.accept else ""
    return f"“{heading.title}”{also}"


def _figure_text(figure: Figure) -> str:
    where = f"“{figure.within}”部分中" if figure.within else ""
    return f"{figure.name}（{where}“{'/'.join(figure.near)}”附近以{'/'.join(figure.units)}计的数字）"


@dataclass(frozen=True)
class RulePack:
    name: str
    source: str
    years: tuple[int, ...]
    rules: tuple[PackRule, ...]
    file_name: str  # the file it was read from (in messages and the dialog)
    description: str = ""
    fingerprint: str = ""  # changes whenever the pack's data does
    path: Path | None = field(default=None, compare=False)

    def applies_to(self, year: int) -> bool:
        return not self.years or year in self.years

    @property
    def years_text(self) -> str:
        return "、".join(f"{y} 年度" for y in self.years) if self.years else "所有年度"

    def part_names(self, section: str) -> tuple[str, ...]:
        """The names of the parts this pack speaks of in a section: what a line heading may begin with."""
        names: list[str] = []
        for rule in self.rules:
            if rule.section != section:
                continue
            for heading in rule.headings:
                names.extend(heading.names)
            names.extend(f.within for f in rule.figures if f.within)
        return tuple(dict.fromkeys(names))


# --- reading a pack --------------------------------------------------------------------------------


class _Refused(Exception):
    """A reason to refuse a pack, named after the rule it comes from (if any)."""

    def __init__(self, reason: str, rule: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.rule = rule


def parse_pack(text: str, file_name: str, *, taken: dict[str, str] | None = None) -> RulePack:
    """A pack from its JSON text; RulePackError with a one-line Chinese reason when it cannot be used.
    `taken` maps rule ids already in use (by other packs) to the file that uses them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列"
        raise RulePackError(f"规则包「{file_name}」无法使用：不是有效的 JSON（{where}）") from None
    try:
        return _pack(data, file_name, taken or {})
    except _Refused as exc:
        rule = f"规则「{exc.rule}」" if exc.rule else ""
        raise RulePackError(f"规则包「{file_name}」无法使用：{rule}{exc.reason}") from None


def read_pack(path: str | os.PathLike[str], *, taken: dict[str, str] | None = None) -> RulePack:
    """A pack file; RulePackError when it cannot be read or used."""
    name = Path(path).name
    try:
        raw = read_regular(path, MAX_PACK_BYTES)
    except ReportFileError as exc:
        raise RulePackError(f"规则包「{name}」无法读取：{exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulePackError(f"规则包「{name}」无法使用：不是 UTF-8 编码的文本文件") from None
    pack = parse_pack(text, name, taken=taken)
    return _with_path(pack, Path(path))


def _with_path(pack: RulePack, path: Path) -> RulePack:
    return RulePack(
        pack.name, pack.source, pack.years, pack.rules, pack.file_name, pack.description, pack.fingerprint, path
    )


def _unknown(data: dict[str, Any], allowed: set[str], what: str, rule: str = "") -> None:
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise _Refused(f"{what}有未知的键「{unknown[0]}」（可用：{'、'.join(sorted(allowed))}）", rule)


def _string(value: object, what: str, rule: str = "", *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Refused(f"{what}应为非空的文字", rule)
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise _Refused(f"{what}应为一行文字，不能含换行等控制字符", rule)  # every message shows it on one line
    return value.strip()


def _strings(value: object, what: str, rule: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise _Refused(f"{what}应为文字或非空的文字列表", rule)
    return tuple(_string(v, what, rule) for v in items)


def _count(value: object, what: str, rule: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Refused(f"{what}应为 {low} 到 {high:,} 之间的整数", rule)
    return value


def _pack(data: object, file_name: str, taken: dict[str, str]) -> RulePack:
    if not isinstance(data, dict):
        raise _Refused("最外层应为 JSON 对象")
    if data.get("format") != FORMAT:
        raise _Refused(f"不是规则包（“format”应为“{FORMAT}”）")
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise _Refused(f"由更新的版本制作（格式版本 {version}），请升级本程序")
    if version != FORMAT_VERSION:
        raise _Refused(f"“format_version”应为 {FORMAT_VERSION}")
    _unknown(data, _PACK_KEYS, "规则包")
    name = _string(data.get("name"), "“name”（规则包名称）")
    source = _string(data.get("source"), "“source”（来源）", required=False)
    description = _string(data.get("description"), "“description”（说明）", required=False)
    years_data = data.get("applies_to_years", [])
    if not isinstance(years_data, list):
        raise _Refused("“applies_to_years”应为年度的列表，例如 [2025]")
    years = tuple(sorted({_count(y, "“applies_to_years”中的年度", "", 2000, 2100) for y in years_data}))
    rules_data = data.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        raise _Refused("“rules”应为非空的规则列表")
    rules: list[PackRule] = []
    seen: set[str] = set()
    for number, item in enumerate(rules_data, 1):
        rule = _rule(item, number)
        if rule.id in seen:
            raise _Refused("的编号在本规则包中重复", rule.id)
        if rule.id in taken:
            raise _Refused(f"的编号已由规则包「{taken[rule.id]}」使用", rule.id)
        seen.add(rule.id)
        rules.append(rule)
    fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    return RulePack(name, source, years, tuple(rules), file_name, description, fingerprint)


def _rule(item: object, number: int) -> PackRule:
    if not isinstance(item, dict):
        raise _Refused(f"第 {number} 条规则应为 JSON 对象")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise _Refused(f"第 {number} 条规则缺少“id”")
    if not _ID.fullmatch(rule_id):
        raise _Refused("的编号应以 LOCAL- 开头，只含大写字母、数字和连字符（例如 LOCAL-S1-LENGTH）", rule_id)
    _unknown(item, _RULE_KEYS, "", rule_id)
    section = item.get("section")
    if not isinstance(section, str) or section not in SECTION_NAMES:
        raise _Refused(f"的“section”应为 {'、'.join(SECTION_NAMES)} 之一", rule_id)
    kinds = [k for k in KINDS if k in item]
    if len(kinds) != 1:
        found = f"却有 {len(kinds)} 种（{'、'.join(kinds)}）" if kinds else "却没有"
        raise _Refused(f"应有且只有一种要求（{'、'.join(KINDS)}），{found}", rule_id)
    kind = kinds[0]
    value = item[kind]
    message = _string(item.get("message"), "的“message”", rule_id, required=kind == "pattern")
    base: dict[str, Any] = {"id": rule_id, "section": section, "kind": kind, "message": message}
    if kind in ("max_chars", "min_chars"):
        return PackRule(**base, limit=_count(value, f"的“{kind}”", rule_id, 1, 1_000_000))
    if kind == "required_headings":
        if not isinstance(value, list) or not value:
            raise _Refused("的“required_headings”应为非空列表", rule_id)
        return PackRule(**base, headings=tuple(_heading(v, rule_id) for v in value))
    if kind == "required_phrases":
        if not isinstance(value, list):
            raise _Refused("的“required_phrases”应为非空的文字列表", rule_id)
        return PackRule(**base, phrases=_strings(value, "的“required_phrases”", rule_id))
    if kind == "required_figures":
        if not isinstance(value, list) or not value:
            raise _Refused("的“required_figures”应为非空列表", rule_id)
        return PackRule(**base, figures=tuple(_figure(v, rule_id) for v in value))
    pattern_text = _string(value, "的“pattern”", rule_id)
    if len(pattern_text) > MAX_PATTERN_LENGTH:
        raise _Refused(f"的“pattern”过长（最多 {MAX_PATTERN_LENGTH} 个字符）", rule_id)
    try:
        pattern = re.compile(pattern_text)
    except re.error as exc:
        raise _Refused(f"的正则表达式有误：{exc}", rule_id) from None
    return PackRule(**base, pattern=pattern)


def _heading(value: object, rule_id: str) -> Heading:
    if isinstance(value, str):
        return Heading(_string(value, "的小标题", rule_id))
    if not isinstance(value, dict):
        raise _Refused("的“required_headings”中每项应为文字或 {\"title\": …, \"accept\": […]}", rule_id)
    _unknown(value, _HEADING_KEYS, "的小标题", rule_id)
    title = _string(value.get("title"), "的小标题“title”", rule_id)
    accept = _strings(value["accept"], "的小标题“accept”", rule_id) if "accept" in value else ()
    return Heading(title, accept)


def _figure(value: object, rule_id: str) -> Figure:
    if not isinstance(value, dict):
        raise _Refused("的“required_figures”中每项应为 JSON 对象", rule_id)
    _unknown(value, _FIGURE_KEYS, "的数字要求", rule_id)
    name = _string(value.get("name"), "的数字要求“name”", rule_id)
    if "near" not in value or "unit" not in value:
        raise _Refused(f"的数字要求「{name}」缺少“{'near' if 'near' not in value else 'unit'}”", rule_id)
    near = _strings(value["near"], f"的数字要求「{name}」的“near”", rule_id)
    units = _strings(value["unit"], f"的数字要求「{name}」的“unit”", rule_id)
    within = _string(value.get("within"), f"的数字要求「{name}」的“within”", rule_id, required=False)
    distance = DEFAULT_DISTANCE
    if "distance" in value:
        distance = _count(value["distance"], f"的数字要求「{name}」的“distance”", rule_id, 1, 200)
    return Figure(name, near, units, within, distance)


# --- the packs there are -----------------------------------------------------------------------------


def rulepacks_dir() -> Path:
    from core.paths import data_dir

    return data_dir() / RULEPACKS_FOLDER


# The folder, and each file's name, modification time, size and file number (a file replaced within
# the same tick of a coarse clock, as write_atomic does, is a new file).
_Signature = tuple[str, tuple[tuple[str, int, int, int], ...]]


class _Installed(NamedTuple):
    signature: _Signature
    packs: tuple[RulePack, ...]
    problems: tuple[str, ...]
    fingerprint: str


_lock = threading.Lock()
_installed: _Installed | None = None
_run_packs: tuple[RulePack, ...] = ()  # added for this run only (main.py check --rules)


def _signature(folder: Path) -> _Signature:
    found: list[tuple[str, int, int, int]] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return str(folder), ()
    for entry in entries:
        if not entry.name.lower().endswith(".json"):
            continue
        try:
            status = entry.stat()
        except OSError:
            continue
        found.append((entry.name, status.st_mtime_ns, status.st_size, entry.inode()))
    return str(folder), tuple(sorted(found))


def _load(folder: Path, signature: _Signature) -> _Installed:
    packs: list[RulePack] = []
    problems: list[str] = []
    taken: dict[str, str] = {}
    names: dict[str, str] = {}
    for file_name, *_changed in signature[1]:
        try:
            pack = read_pack(folder / file_name, taken=taken)
        except RulePackError as exc:
            problems.append(str(exc))
            continue
        if pack.name in names:
            problems.append(_one_line(f"规则包「{file_name}」无法使用：名称与规则包「{names[pack.name]}」相同"))
            continue
        names[pack.name] = file_name
        taken.update((r.id, file_name) for r in pack.rules)
        packs.append(pack)
    fingerprint = hashlib.sha256(":".join(f"{p.file_name}={p.fingerprint}" for p in packs).encode()).hexdigest()[:16]
    return _Installed(signature, tuple(packs), tuple(problems), fingerprint if packs else "")


def _current() -> _Installed:
    global _installed
    folder = rulepacks_dir()
    signature = _signature(folder)
    with _lock:
        if _installed is None or _installed.signature != signature:
            _installed = _load(folder, signature)
        return _installed


def installed_packs() -> tuple[RulePack, ...]:
    """Every valid pack in the data folder, in file name order."""
    return _current().packs


def pack_problems() -> tuple[str, ...]:
    """The pack files in the data folder that cannot be used, one Chinese line each."""
    return _current().problems


def installed_fingerprint() -> str:
    """Changes whenever a pack is added, changed or removed ("" when there is none): results that
    depend on the packs (the reports list's counts of findings) are made again."""
    installed = _current()
    extra = ":".join(p.fingerprint for p in _run_packs)
    return f"{installed.fingerprint}+{extra}" if extra else installed.fingerprint


def active_packs(year: int) -> tuple[RulePack, ...]:
    """The packs that apply to a report of this year: the data folder's and this run's (a run's pack
    replaces an installed one of the same name)."""
    run_names = {p.name for p in _run_packs}
    packs = [p for p in installed_packs() if p.name not in run_names] + list(_run_packs)
    return tuple(p for p in packs if p.applies_to(year))


def use_for_run(paths: Sequence[str | os.PathLike[str]]) -> tuple[RulePack, ...]:
    """Read packs to use, with the installed ones, for the rest of this process (main.py check --rules);
    RulePackError when one cannot be used, and then none of them is."""
    global _run_packs
    packs: list[RulePack] = []
    taken: dict[str, str] = {}
    for path in paths:
        pack = read_pack(path, taken=taken)
        taken.update((r.id, pack.file_name) for r in pack.rules)
        packs.append(pack)
    names = {p.name for p in packs}
    for installed in installed_packs():
        if installed.name in names:
            continue  # replaced by this run's version
        for rule in installed.rules:
            if rule.id in taken:
                raise RulePackError(
                    f"规则包「{Path(taken[rule.id]).name}」无法使用：规则「{rule.id}」的编号已由已安装的规则包"
                    f"「{installed.file_name}」使用"
                )
    _run_packs = tuple(packs)
    return _run_packs


def clear_run_packs() -> None:
    global _run_packs
    _run_packs = ()


# --- installing and removing --------------------------------------------------------------------------


def find_installed(name: str) -> RulePack | None:
    return next((p for p in installed_packs() if p.name == name), None)


def install(pack_path: str | os.PathLike[str]) -> RulePack:
    """Copy a pack into the data folder (written whole or not at all). A pack of the same name is
    replaced: its file goes. RulePackError when the pack cannot be used (against the other installed
    packs) or cannot be written."""
    source = Path(pack_path)
    same = find_installed(read_pack(source).name)
    taken = {r.id: p.file_name for p in installed_packs() if p is not same for r in p.rules}
    pack = read_pack(source, taken=taken)  # read again with the ids the other packs use
    folder = rulepacks_dir()
    target = folder / (same.file_name if same is not None else _free_name(folder, source.name))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(target, read_regular(source, MAX_PACK_BYTES))
    except (OSError, ReportFileError) as exc:
        raise RulePackError(f"规则包「{source.name}」无法保存到数据文件夹：{_reason(exc)}") from None
    return _with_path(pack, target)


def install_text(text: str, file_name: str) -> RulePack:
    """Install a pack given as text (the example shipped with the program) under `file_name`."""
    pack = parse_pack(text, file_name)
    same = find_installed(pack.name)
    taken = {r.id: p.file_name for p in installed_packs() if p is not same for r in p.rules}
    pack = parse_pack(text, file_name, taken=taken)
    folder = rulepacks_dir()
    target = folder / (same.file_name if same is not None else _free_name(folder, file_name))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise RulePackError(f"规则包「{file_name}」无法保存到数据文件夹：{_reason(exc)}") from None
    return _with_path(pack, target)


def remove(pack: RulePack) -> Path:
    """Take an installed pack out of use: its file moves to the data folder's rulepacks-removed/
    (nothing is lost). Returns where it went; RulePackError when it cannot be moved."""
    if pack.path is None:
        raise RulePackError(f"规则包「{pack.name}」不在数据文件夹中")
    from core.paths import data_dir

    folder = data_dir() / REMOVED_FOLDER
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{pack.path.stem}-{stamp}{pack.path.suffix}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_path(target)
        shutil.move(str(pack.path), str(target))
    except OSError as exc:
        raise RulePackError(f"规则包「{pack.file_name}」无法移除：{_reason(exc)}") from None
    return target


def _reason(exc: Exception) -> str:
    from core.fileio import os_reason

    if isinstance(exc, UserError) or not isinstance(exc, OSError):
        return str(exc)
    return os_reason(exc, writing=True)


def _free_name(folder: Path, name: str) -> str:
    return _free_path(folder / (name if name.lower().endswith(".json") else f"{name}.json")).name


def _free_path(path: Path) -> Path:
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def example_text() -> str:
    """The example pack shipped with the program (resources/rulepacks/example-city-2025.json)."""
    from importlib import resources

    return resources.files("resources.rulepacks").joinpath(EXAMPLE_FILE).read_text("utf-8")


EXAMPLE_FILE = "example-city-2025.json"


# --- checking a report ---------------------------------------------------------------------------------


class PackFinding(NamedTuple):
    """A requirement a report misses: the rule's id, the message, where to show it (a section of the
    editor) and the part of that section's text it is about (offsets into it), if any."""

    rule: str
    message: str
    section: str
    span: tuple[int, int] | None = None


def section_text(texts: dict[str, str], section: str) -> str:
    """The text a pack's section reads, from the report's texts by key (preamble, s1, s2_note, s5, s6)."""
    if section == "all":
        return "\n".join(t for t in (texts.get(k, "") for k in _ALL_TEXTS) if t)
    return texts.get(section, "")


def counted_chars(text: str) -> int:
    """The length of a text as a notice's “字”: every character that is not whitespace."""
    return len("".join(text.split()))  # str.split() splits at exactly the characters isspace() is true of


def run_packs(texts: dict[str, str], packs: Iterable[RulePack]) -> list[PackFinding]:
    """Every requirement of these packs the texts miss, pack by pack, rule by rule."""
    out: list[PackFinding] = []
    for pack in packs:
        for rule in pack.rules:
            out.extend(_run_rule(pack, rule, section_text(texts, rule.section)))
    return out


def _said(pack: RulePack, rule: PackRule) -> str:
    """Whose requirement it is, at the end of every message: the pack, and the notice's words."""
    return f"（{pack.name}：{rule.message}）" if rule.message else f"（{pack.name}）"


def _run_rule(pack: RulePack, rule: PackRule, text: str) -> Iterator[PackFinding]:
    where, shown = rule.section_name, _SHOWN_IN[rule.section]
    said = _said(pack, rule)
    if rule.kind in ("max_chars", "min_chars"):
        n = counted_chars(text)
        if rule.kind == "max_chars" and n > rule.limit:
            yield PackFinding(rule.id, f"{where} {n:,} 字，超过本地要求的 {rule.limit:,} 字{said}", shown)
        elif rule.kind == "min_chars" and n < rule.limit:
            yield PackFinding(rule.id, f"{where} {n:,} 字，少于本地要求的 {rule.limit:,} 字{said}", shown)
    elif rule.kind == "required_headings":
        heads = headings(text, pack.part_names(rule.section))
        for heading in rule.headings:
            if not any(_names(h.title, heading) for h in heads):
                yield PackFinding(
                    rule.id, f"{where} 缺少本地要求的小标题“{heading.title}”，{_present(heads)}{said}", shown
                )
    elif rule.kind == "required_phrases":
        for phrase in rule.phrases:
            if phrase not in text:
                yield PackFinding(rule.id, f"{where} 未写到本地要求的“{phrase}”{said}", shown)
    elif rule.kind == "required_figures":
        heads = headings(text, pack.part_names(rule.section))
        for figure in rule.figures:
            span = None
            if figure.within:
                span = part_span(text, heads, figure.within, pack.part_names(rule.section))
            start, end = span if span is not None else (0, len(text))
            if find_figure(text, figure, start, end) is not None:
                continue
            missing = f"未见“{figure.near[0]}”附近以{'/'.join(figure.units)}计的数字"
            if not figure.within:
                message = f"{where} 未写明{figure.name}：{missing}{said}"
            elif span is None:
                message = f"{where} 未写明{figure.name}：未见“{figure.within}”部分，全文中也{missing}{said}"
            else:
                message = f"{where}“{figure.within}”部分未写明{figure.name}：{missing}{said}"
            yield PackFinding(rule.id, message, shown, span if rule.section != "all" else None)
    elif rule.pattern is not None and not rule.pattern.search(text):
        yield PackFinding(rule.id, f"{where} 未见本地要求的内容{said}", shown)


# --- headings, parts and figures in prose ----------------------------------------------------------------

_CN_DIGITS = "一二三四五六七八九十"
_ORDINALS = (
    ("paren-cn", rf"[（(][{_CN_DIGITS}]{{1,3}}[）)]"),
    ("cn", rf"[{_CN_DIGITS}]{{1,3}}、"),
    ("paren-num", r"[（(][0-9０-９]{1,2}[）)]"),
    ("num", r"[0-9０-９]{1,2}(?:[、．]|\.(?![0-9]))"),
)
_HEADING = re.compile(
    r"(?:^|(?<=[\s。！？；;：:]))(?:" + "|".join(f"(?P<{kind.replace('-', '_')}>{rx})" for kind, rx in _ORDINALS)
    + r")[ \t\u3000]*(?P<title>[^\s。！？；;：:，,]{1,30})",
    re.MULTILINE,
)
_LINE_START = re.compile(r"^[ \t\u3000]*(?:【|关于)?", re.MULTILINE)
_TITLE_END = re.compile(r"[\s。！？；;：:，,】]")


class FoundHeading(NamedTuple):
    start: int  # where the heading begins (its ordinal)
    title: str
    style: str  # paren-cn, cn, paren-num, num, or line


def headings(text: str, part_names: Iterable[str] = ()) -> list[FoundHeading]:
    """The headings of a text: ordinals followed by a title, and lines beginning with one of
    `part_names`; in the order they come."""
    return list(_headings(text, tuple(n for n in part_names if n)))


@lru_cache(maxsize=32)  # a pack's rules on one section ask for the same headings; the editor checks often
def _headings(text: str, names: tuple[str, ...]) -> tuple[FoundHeading, ...]:
    found: dict[int, FoundHeading] = {}
    for match in _HEADING.finditer(text):
        style = next(kind for kind, _ in _ORDINALS if match.group(kind.replace("-", "_")))
        found[match.start()] = FoundHeading(match.start(), match.group("title"), style)
    if names:
        for match in _LINE_START.finditer(text):
            at = match.end()
            if match.start() not in found and any(text.startswith(n, at) for n in names):
                end = _TITLE_END.search(text, at)
                title = text[at : end.start() if end else len(text)][:30]
                found[match.start()] = FoundHeading(match.start(), title, "line")
    return tuple(found[k] for k in sorted(found))


def _present(heads: Sequence[FoundHeading], most: int = 6) -> str:
    """What headings there are, for a message: the top level's (the first heading's style), at most `most`."""
    if not heads:
        return "未见任何小标题"
    top = [h.title for h in heads if h.style == heads[0].style]
    more = "等" if len(top) > most else ""
    return "已有小标题：" + "、".join(top[:most]) + more


def _names(title: str, heading: Heading) -> bool:
    return any(name in title for name in heading.names)


def part_span(
    text: str, heads: list[FoundHeading], name: str, part_names: Iterable[str] = ()
) -> tuple[int, int] | None:
    """The part of the text under the heading that names `name`: the first whose title begins with it,
    else the first whose title contains it (（一）主动公开方面 before （4）推进其他应主动公开的信息公开);
    up to the next heading of the same style or naming another of `part_names` (a text that numbers
    its parts （一） 2. 3. …, as 铁西区's 2020 report does), or the end."""
    others = tuple(n for n in part_names if n and n not in name)
    ranked = [i for i, h in enumerate(heads) if h.title.startswith(name)]
    ranked += [i for i, h in enumerate(heads) if name in h.title and i not in ranked]
    if not ranked:
        return None
    head = heads[ranked[0]]
    following = heads[ranked[0] + 1 :]
    end = next((h.start for h in following if h.style == head.style or any(n in h.title for n in others)), len(text))
    return head.start, end


_CN_NUMBER = "[零〇一二两三四五六七八九十百千万]+"
_NUMBER = rf"(?:(?<![0-9０-９.,，])[0-9０-９][0-9０-９,，]*(?:\.[0-9]+)?|{_CN_NUMBER})"
_DIGIT = re.compile("[0-9０-９零〇一二两三四五六七八九十]")
_SENTENCE_END = "。！？；;!?\n"


def find_figure(text: str, figure: Figure, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """Where text[start:end] states the figure: a number with one of its units, with a `near` phrase
    in the same sentence within `distance` characters; (start, end) of the number and unit, or None."""
    end = len(text) if end is None else end
    if not any(text.find(n, start, end) >= 0 for n in figure.near):
        return None  # nothing a number could be near
    units = "|".join(re.escape(u) for u in sorted(figure.units, key=len, reverse=True))
    pattern = re.compile(rf"({_NUMBER})\s*(?:万|千|余|多)*\s*(?:{units})")
    for match in pattern.finditer(text, start, end):
        if not _DIGIT.search(match.group(1)):
            continue  # 万条, 千个: a unit, not a number
        around = text[max(start, match.start() - figure.distance) : min(end, match.end() + figure.distance)]
        if not any(n in around for n in figure.near):
            continue
        before = max(max(text.rfind(m, start, match.start()) for m in _SENTENCE_END) + 1, start)
        after = min([i for i in (text.find(m, match.end(), end) for m in _SENTENCE_END) if i >= 0] or [end])
        window = text[max(before, match.start() - figure.distance) : min(after, match.end() + figure.distance)]
        if any(n in window for n in figure.near):
            return match.start(), match.end()
    return None
