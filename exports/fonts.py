"""Chinese TrueType fonts for the PDF export: find them on Windows, Linux and macOS, check, register."""

from __future__ import annotations

import hashlib
import os
import re
import struct
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from core.errors import UserError

ROLES: tuple[str, ...] = ("song", "hei", "kai", "fang", "title")
ROLE_NAMES: Mapping[str, str] = {
    "song": "宋体",
    "hei": "黑体",
    "kai": "楷体",
    "fang": "仿宋",
    "title": "方正小标宋",
}
ROLE_USES: Mapping[str, str] = {
    "song": "表格、页码",
    "hei": "一级标题",
    "kai": "二级标题",
    "fang": "正文",
    "title": "标题",
}
# A font must have these to be taken for Chinese text (common characters of every report).
CJK_PROBE = "政年"
FONT_SUFFIXES = frozenset({".ttf", ".ttc", ".otf", ".otc"})

INSTALL_HINT = (
    "请安装中文 TrueType 字体后重试：Debian/Ubuntu 运行 `sudo apt install fonts-wqy-zenhei`；"
    "Windows 使用系统自带的仿宋、黑体、楷体、宋体（C:\\Windows\\Fonts 中的 simfang.ttf、simhei.ttf、"
    "simkai.ttf、simsun.ttc）。Noto CJK、思源等 OpenType（CFF）字体无法嵌入 PDF。"
)


class FontError(UserError):
    """No usable font, or a bad font override; str() says in Chinese what to do."""


@dataclass(frozen=True)
class FontFile:
    """One TrueType font: a file and, for a collection (.ttc), the index of the font in it."""

    path: Path
    index: int = 0
    name: str = ""  # the family name the font gives itself, for messages

    @property
    def spec(self) -> str:
        """`path` or `path#index`, the form an override takes."""
        return f"{self.path}#{self.index}" if self.index else str(self.path)


@dataclass(frozen=True)
class FontSet:
    """The font for each role; `substituted` names the roles that use another role's font."""

    song: FontFile
    hei: FontFile
    kai: FontFile
    fang: FontFile
    title: FontFile
    substituted: frozenset[str] = frozenset()

    def font(self, role: str) -> FontFile:
        if role not in ROLES:
            raise KeyError(role)
        font: FontFile = getattr(self, role)
        return font

    def describe(self) -> str:
        """One line per role, in Chinese, for the settings dialog and the CLI."""
        lines = []
        for role in ROLES:
            font = self.font(role)
            note = "（未找到，代用）" if role in self.substituted else ""
            lines.append(f"{ROLE_USES[role]}（{ROLE_NAMES[role]}）{note}：{font.name or font.path.name}  {font.spec}")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Candidate:
    filename: str  # lower case
    index: int = 0


def _c(*names: str, index: int = 0) -> tuple[_Candidate, ...]:
    return tuple(_Candidate(n.lower(), index) for n in names)


# Preferred files per role, best first: the Windows system fonts named by the official format, the
# GB2312 fonts offices install, then what Linux distributions and macOS ship with TrueType outlines.
# A file is only a candidate: every one is checked (glyf outlines, Chinese glyphs, loads in reportlab).
CANDIDATES: Mapping[str, tuple[_Candidate, ...]] = {
    "fang": _c("仿宋_GB2312.ttf", "FS_GB2312.ttf", "simfang.ttf", "STFANGSO.TTF", "方正仿宋_GBK.ttf", "FZFSK.TTF"),
    "hei": (
        *_c("simhei.ttf", "方正黑体_GBK.ttf", "FZHTK.TTF", "STHEITI.TTF", "msyh.ttc", "msyh.ttf"),
        *_c("STHeiti Light.ttc", "STHeiti Medium.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc"),
        *_c("DroidSansFallbackFull.ttf", "DroidSansFallback.ttf"),
    ),
    "kai": (
        *_c("楷体_GB2312.ttf", "KAI_GB2312.ttf", "simkai.ttf", "STKAITI.TTF", "方正楷体_GBK.ttf", "FZKTK.TTF"),
        *_c("Kaiti.ttc", "LXGWWenKai-Regular.ttf", "LXGWWenKaiGB-Regular.ttf", "ukai.ttc", "gkai00mp.ttf"),
    ),
    "song": (
        *_c("simsun.ttc", "simsun.ttf", "STSONG.TTF", "方正书宋_GBK.ttf", "FZSSK.TTF", "Songti.ttc"),
        *_c("uming.ttc", "gbsn00lp.ttf"),
    ),
    "title": _c("FZXBSJW.TTF", "方正小标宋简体.ttf", "方正小标宋_GBK.ttf", "FZXBSK.TTF", "FZXBSJW--GB1-0.ttf"),
}
# Whose font a role borrows when it has none of its own: the closest look first.
FALLBACK_ORDER: Mapping[str, tuple[str, ...]] = {
    "fang": ("song", "kai", "hei"),
    "song": ("fang", "kai", "hei"),
    "kai": ("fang", "song", "hei"),
    "hei": ("song", "fang", "kai"),
    "title": ("song", "hei", "fang", "kai"),
}


def default_font_dirs() -> list[Path]:
    """Where Windows, Linux and macOS keep fonts (system-wide and per user); missing ones are skipped."""
    home = Path.home()
    dirs: list[Path] = []
    windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    elif sys.platform == "win32":
        dirs.append(Path("C:/Windows/Fonts"))
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    dirs += [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".fonts",
        home / ".local" / "share" / "fonts",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
        home / "Library" / "Fonts",
    ]
    return dirs


def _font_files(dirs: Iterable[Path]) -> Iterator[Path]:
    for base in dirs:
        if not base.is_dir():
            continue
        for root, subdirs, files in os.walk(base, onerror=None):
            subdirs.sort()
            for name in sorted(files):
                if Path(name).suffix.lower() in FONT_SUFFIXES:
                    yield Path(root) / name


# --- A small sfnt reader: decides from the table directory and cmap alone whether a font can be used,
# so that scanning a fonts folder does not parse every font fully.


class _Unusable(Exception):
    """The reason (Chinese) a font file cannot be used."""


def _u16(data: bytes, pos: int) -> int:
    value: int = struct.unpack_from(">H", data, pos)[0]
    return value


def _u32(data: bytes, pos: int) -> int:
    value: int = struct.unpack_from(">I", data, pos)[0]
    return value


def _read_at(handle: BinaryIO, offset: int, length: int) -> bytes:
    handle.seek(offset)
    data = handle.read(length)
    if len(data) != length:
        raise _Unusable("文件不完整或不是字体文件")
    return data


def _tables(handle: BinaryIO, index: int) -> dict[bytes, tuple[int, int]]:
    head = _read_at(handle, 0, 12)
    if head[:4] == b"ttcf":
        count = _u32(head, 8)
        if not 0 <= index < count:
            raise _Unusable(f"字体集中只有 {count} 个字体，没有第 {index} 个（编号从 0 开始）")
        start = _u32(_read_at(handle, 12 + 4 * index, 4), 0)
        head = _read_at(handle, start, 12)
    elif index != 0:
        raise _Unusable(f"不是字体集（.ttc），不能指定第 {index} 个字体")
    else:
        start = 0
    version = head[:4]
    if version == b"OTTO":
        raise _Unusable("是 OpenType（CFF 轮廓）字体，无法嵌入 PDF，请改用 TrueType 字体")
    if version not in (b"\x00\x01\x00\x00", b"true"):
        raise _Unusable("不是 TrueType 字体文件")
    count = _u16(head, 4)
    directory = _read_at(handle, start + 12, 16 * count)
    tables = {}
    for i in range(count):
        tag = directory[16 * i : 16 * i + 4]
        tables[tag] = (_u32(directory, 16 * i + 8), _u32(directory, 16 * i + 12))
    if b"CFF " in tables or b"CFF2" in tables:
        raise _Unusable("是 OpenType（CFF 轮廓）字体，无法嵌入 PDF，请改用 TrueType 字体")
    if b"glyf" not in tables or b"loca" not in tables:
        raise _Unusable("没有 TrueType 轮廓（glyf），无法嵌入 PDF")
    if b"cmap" not in tables:
        raise _Unusable("没有字符映射表（cmap）")
    return tables


def _cmap_has(cmap: bytes, chars: str) -> bool:
    """Whether the best Unicode subtable maps every char to a real glyph."""
    subtables: dict[tuple[int, int], int] = {}
    for i in range(_u16(cmap, 2)):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        subtables[(platform, encoding)] = offset
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
        if key in subtables:
            offset = subtables[key]
            fmt = _u16(cmap, offset)
            if fmt == 12:
                return all(_glyph_f12(cmap, offset, ord(ch)) for ch in chars)
            if fmt == 4:
                return all(_glyph_f4(cmap, offset, ord(ch)) for ch in chars)
    return False


def _glyph_f4(cmap: bytes, offset: int, code: int) -> int:
    if code > 0xFFFF:
        return 0
    segs = _u16(cmap, offset + 6) // 2
    ends = offset + 14
    starts = ends + 2 * segs + 2
    deltas = starts + 2 * segs
    ranges = deltas + 2 * segs
    for i in range(segs):
        if _u16(cmap, ends + 2 * i) >= code:
            start = _u16(cmap, starts + 2 * i)
            if start > code:
                return 0
            delta = _u16(cmap, deltas + 2 * i)
            range_offset = _u16(cmap, ranges + 2 * i)
            if range_offset == 0:
                return (code + delta) & 0xFFFF
            pos = ranges + 2 * i + range_offset + 2 * (code - start)
            glyph = _u16(cmap, pos)
            return (glyph + delta) & 0xFFFF if glyph else 0
    return 0


def _glyph_f12(cmap: bytes, offset: int, code: int) -> int:
    for i in range(_u32(cmap, offset + 12)):
        start, end, first = struct.unpack_from(">III", cmap, offset + 16 + 12 * i)
        if start <= code <= end:
            return int(first + code - start)
    return 0


def _family_name(name_table: bytes) -> str:
    """The family name, Chinese (zh-CN/zh-TW) when the font has one, else English."""
    count, strings = _u16(name_table, 2), _u16(name_table, 4)
    best: tuple[int, str] = (99, "")
    for i in range(count):
        platform, encoding, language, name_id, length, offset = struct.unpack_from(">HHHHHH", name_table, 6 + 12 * i)
        if name_id != 1 or platform != 3 or encoding not in (1, 10):
            continue
        rank = {0x0804: 0, 0x0404: 1, 0x0C04: 2, 0x0409: 3}.get(language, 4)
        if rank < best[0]:
            raw = name_table[strings + offset : strings + offset + length]
            best = (rank, raw.decode("utf-16-be", errors="replace"))
    return best[1]


@lru_cache(maxsize=512)
def _probe_cached(path: str, index: int, size: int, mtime_ns: int) -> tuple[str, str]:
    """(family name, "") for a usable font, ("", reason) otherwise. Keyed on size and mtime so a
    replaced file is looked at again."""
    try:
        with open(path, "rb") as handle:
            tables = _tables(handle, index)
            cmap_offset, cmap_length = tables[b"cmap"]
            if not _cmap_has(_read_at(handle, cmap_offset, cmap_length), CJK_PROBE):
                raise _Unusable("不含中文字形")
            name = ""
            if b"name" in tables:
                name_offset, name_length = tables[b"name"]
                name = _family_name(_read_at(handle, name_offset, name_length))
    except _Unusable as exc:
        return "", str(exc)
    except (struct.error, IndexError, UnicodeDecodeError):
        return "", "字体文件已损坏或不是字体文件"
    except OSError as exc:
        return "", f"无法读取（{exc.strerror or exc}）"
    return name or Path(path).stem, ""


def probe(path: Path, index: int = 0) -> FontFile:
    """A usable TrueType font at path/index, or FontError saying why not."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise FontError(f"字体文件不存在：{path}") from None
    except OSError as exc:
        raise FontError(f"无法读取字体文件 {path}：{exc.strerror or exc}") from None
    if not path.is_file():
        raise FontError(f"不是字体文件：{path}")
    name, reason = _probe_cached(str(path), index, stat.st_size, stat.st_mtime_ns)
    if reason:
        raise FontError(f"字体文件 {path}{'#' + str(index) if index else ''} 不能使用：{reason}")
    font = FontFile(path, index, name)
    _ttfont(font)  # the final word: reportlab must load it (embedding permission, table sanity)
    return font


_TTFONTS: dict[FontFile, TTFont] = {}


def _ttfont(font: FontFile) -> TTFont:
    cached = _TTFONTS.get(font)
    if cached is not None:
        return cached
    try:
        ttfont = TTFont(font_name(font), str(font.path), subfontIndex=font.index)
    except Exception as exc:  # reportlab raises TTFError, struct.error, KeyError … on odd fonts
        raise FontError(f"字体 {font.spec} 不能嵌入 PDF：{exc}") from None
    _TTFONTS[font] = ttfont
    return ttfont


def font_name(font: FontFile) -> str:
    """The stable name a font is registered under in reportlab (same file → same name)."""
    digest = hashlib.sha1(f"{font.path.resolve()}#{font.index}".encode()).hexdigest()[:8]
    stem = re.sub(r"[^A-Za-z0-9]+", "", font.path.stem)[:24] or "font"
    return f"GDAR-{stem}-{font.index}-{digest}"


def _parse_override(role: str, spec: str) -> tuple[Path, int]:
    if role not in ROLES:
        known = "、".join(f"{r}（{ROLE_NAMES[r]}）" for r in ROLES)
        raise FontError(f"未知的字体用途 “{role}”，应为 {known}")
    text = spec.strip()
    index = 0
    match = re.fullmatch(r"(.+)#(\d+)", text)
    if match:
        text, index = match.group(1), int(match.group(2))
    if not text:
        raise FontError(f"{ROLE_NAMES[role]}字体的路径是空的")
    return Path(text).expanduser(), index


def find_fonts(overrides: Mapping[str, str] | None = None, search_dirs: Sequence[Path] | None = None) -> FontSet:
    """The fonts for every role: overrides first (role → "path" or "path#index"), then the preferred
    system fonts, then any other Chinese TrueType font for roles without their own. FontError (in
    Chinese, naming what to install) when there is none; a bad override is an error, not skipped."""
    dirs = tuple(default_font_dirs() if search_dirs is None else search_dirs)
    chosen: dict[str, FontFile] = {}
    for role, spec in (overrides or {}).items():
        path, index = _parse_override(role, spec)
        try:
            chosen[role] = probe(path, index)
        except FontError as exc:
            raise FontError(f"{ROLE_USES[role]}（{ROLE_NAMES[role]}）字体设置有误：{exc}") from None
    return _complete(chosen, dirs)


def _complete(chosen: dict[str, FontFile], dirs: tuple[Path, ...]) -> FontSet:
    missing = [role for role in ROLES if role not in chosen]
    if missing:
        by_name: dict[str, list[Path]] = {}
        for path in _font_files(dirs):
            by_name.setdefault(path.name.lower(), []).append(path)
        for role in missing:
            found = _first_usable(
                (path, c.index) for c in CANDIDATES[role] for path in by_name.get(c.filename, ())
            )
            if found is not None:
                chosen[role] = found
        own = set(chosen)
        substituted = {role for role in ROLES if role not in own}
        if not own:
            # None of the known fonts: any Chinese TrueType font in the folders will do.
            anything = _first_usable((path, 0) for names in by_name.values() for path in names)
            if anything is None:
                raise FontError(f"未找到可嵌入 PDF 的中文字体，无法导出 PDF。{INSTALL_HINT}")
            chosen = dict.fromkeys(ROLES, anything)
        for role in sorted(substituted - set(chosen)):
            donor = next(d for d in (*FALLBACK_ORDER[role], *ROLES) if d in own)
            chosen[role] = chosen[donor]
    else:
        substituted = set()
    return FontSet(
        song=chosen["song"],
        hei=chosen["hei"],
        kai=chosen["kai"],
        fang=chosen["fang"],
        title=chosen["title"],
        substituted=frozenset(substituted),
    )


def _first_usable(candidates: Iterable[tuple[Path, int]]) -> FontFile | None:
    for path, index in candidates:
        try:
            return probe(path, index)
        except FontError:
            continue
    return None


def register(fontset: FontSet) -> dict[str, str]:
    """Register every font of the set with reportlab (once per file) and return role → font name."""
    names: dict[str, str] = {}
    registered = set(pdfmetrics.getRegisteredFontNames())
    for role in ROLES:
        font = fontset.font(role)
        ttfont = _ttfont(font)
        if ttfont.fontName not in registered:
            pdfmetrics.registerFont(ttfont)
            registered.add(ttfont.fontName)
        names[role] = ttfont.fontName
    return names


def has_glyph(fontname: str, char: str) -> bool:
    """Whether a registered TrueType font draws char (not the empty box of a missing glyph)."""
    face = pdfmetrics.getFont(fontname).face
    return ord(char) in face.charToGlyph
