"""Strings at the boundary: what may enter a report from a file, a reader or the keyboard.

Every text of a report ends up in XML (DOCX), a PDF's text layer, an HTML page or a UTF-8 report file.
None of them can hold a lone surrogate (a half of a UTF-16 pair, e.g. "\\ud800" in JSON), and XML cannot
hold control characters such as NUL. A DOCX's core properties hold at most 255 characters. So texts are
checked where they come in: a report file with such characters is refused (it was written by a broken
program and nothing is lost by not reading it), a document read by a reader has them replaced (a
published PDF's text layer often carries stray control characters) and typed text has them removed."""

from __future__ import annotations

import re

# Tab, line feed and carriage return are the only control characters a text may hold (\r is read as a
# line break). C0, DEL and C1 controls, lone surrogates and the non-characters U+FFFE/U+FFFF are not.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"

# The longest each text may be, in characters. Real values are far shorter: the longest organ names
# (e.g. "某某省某某市某某区人民政府办公室政务公开办公室") are under 40 characters, titles under 60; the
# whole of a real report is 5,000-20,000 characters. The title must stay under the 255 characters a DOCX
# core property can hold.
SHORT_FIELD_CHARS = 200  # agency, title, signature, contact details
LONG_FIELD_CHARS = 200_000  # a section's text (十倍 the longest real report)
FIELD_LIMITS: dict[str, int] = {
    "agency": SHORT_FIELD_CHARS,
    "title": SHORT_FIELD_CHARS,
    "signature.organ": SHORT_FIELD_CHARS,
    "signature.date": SHORT_FIELD_CHARS,
    "contact.address": SHORT_FIELD_CHARS,
    "contact.postcode": SHORT_FIELD_CHARS,
    "contact.phone": SHORT_FIELD_CHARS,
    "contact.email": SHORT_FIELD_CHARS,
}
FIELD_NAMES: dict[str, str] = {
    "agency": "机关名称",
    "title": "标题",
    "preamble": "引言",
    "s1": "一、总体情况",
    "s2_note": "二的说明",
    "s5": "五、存在的主要问题及改进情况",
    "s6": "六、其他需要报告的事项",
    "signature.organ": "落款机关",
    "signature.date": "成文日期",
    "contact.address": "地址",
    "contact.postcode": "邮编",
    "contact.phone": "电话",
    "contact.email": "电子邮箱",
}


def field_limit(key: str) -> int:
    return FIELD_LIMITS.get(key, LONG_FIELD_CHARS)


def field_name(key: str) -> str:
    return FIELD_NAMES.get(key, key)


def has_unwanted(text: str) -> bool:
    """Whether the text holds a character no export can hold (unwanted_character says which)."""
    return _UNWANTED.search(text) is not None


def unwanted_character(text: str) -> str | None:
    """A one-line description of the first character no export can hold, or None when there is none."""
    match = _UNWANTED.search(text)
    if match is None:
        return None
    char = match.group()
    where = f"第 {match.start() + 1} 个字符"
    if _SURROGATE.fullmatch(char):
        return f"{where}是无效的 Unicode 字符（孤立的代理项 U+{ord(char):04X}）"
    return f"{where}是不可见的控制字符（U+{ord(char):04X}）"


def replace_unwanted(text: str) -> str:
    """The text with lone surrogates replaced by U+FFFD and other unwanted characters removed; \\r\\n and
    \\r become \\n."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _UNWANTED.search(text):
        return text
    return _CONTROL.sub("", _SURROGATE.sub(REPLACEMENT, text))


def truncated(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]
