"""TrueType fonts for the PDF export: find them on Windows, Linux and macOS, check, register, and say
plainly which role has no face of its own look and what to install."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
import struct
import sys
import threading
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache, partial
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO
from weakref import WeakKeyDictionary

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase import ttfonts as ttfonts_module
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

from core.errors import UserError
from core.paths import cache_dir

# The Chinese roles: every one always has a font (its own, or another role's).
ROLES: tuple[str, ...] = ("song", "hei", "kai", "fang", "title")
# Digits and Latin letters (Times New Roman in the official format): optional, the Chinese fonts' own
# digits are used without it.
LATIN = "latin"
ALL_ROLES: tuple[str, ...] = (*ROLES, LATIN)  # every role a font can be set for
ROLE_NAMES: Mapping[str, str] = {
    "song": "宋体",
    "hei": "黑体",
    "kai": "楷体",
    "fang": "仿宋",
    "title": "方正小标宋",
    LATIN: "Times New Roman",
}
ROLE_USES: Mapping[str, str] = {
    "song": "表格、页码",
    "hei": "一级标题",
    "kai": "二级标题",
    "fang": "正文",
    "title": "标题",
    LATIN: "数字和西文",
}
# A font must have these to be taken for Chinese text (common characters of every report) …
CJK_PROBE = "政年"
# … and these for digits and Latin letters.
LATIN_PROBE = "0123456789AZaz"
FONT_SUFFIXES = frozenset({".ttf", ".ttc", ".otf", ".otc"})

# The Debian/Ubuntu package that gives a role its own face (scripts/setup.sh installs them all), and
# the file find_fonts takes from it. 仿宋 and 方正小标宋 have no free TrueType face to install.
DEBIAN_PACKAGES: Mapping[str, str] = {
    "hei": "fonts-wqy-zenhei",
    "song": "fonts-arphic-gbsn00lp",
    "kai": "fonts-arphic-gkai00mp",
    LATIN: "fonts-liberation",
}
DEBIAN_FILES: Mapping[str, str] = {
    "fonts-wqy-zenhei": "wqy-zenhei.ttc",
    "fonts-arphic-gbsn00lp": "gbsn00lp.ttf",
    "fonts-arphic-gkai00mp": "gkai00mp.ttf",
    "fonts-liberation": "LiberationSerif-Regular.ttf",
}
LIBERATION = "与 Times New Roman 同宽的 Liberation Serif"
# Files of the roles nothing installs for free, as offices have them.
FILE_EXAMPLES: Mapping[str, str] = {"fang": "仿宋_GB2312.ttf", "title": "方正小标宋简体.ttf"}
# What Windows brings for each role (方正小标宋 it does not).
WINDOWS_FILES: Mapping[str, str] = {
    "song": "simsun.ttc",
    "hei": "simhei.ttf",
    "kai": "simkai.ttf",
    "fang": "simfang.ttf",
    LATIN: "times.ttf",
}

INSTALL_HINT = (
    "请安装中文 TrueType 字体后重试：Debian/Ubuntu（统信 UOS、麒麟同样）运行 "
    f"`sudo apt install {' '.join(DEBIAN_PACKAGES.values())}`；"
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
    """The font for each role. `substituted` names the roles without a face of their own look: a
    Chinese role that uses another role's font, and latin when it has no Times New Roman (or a face
    with its widths): another serif, or none (`latin` None, digits come from the Chinese fonts)."""

    song: FontFile
    hei: FontFile
    kai: FontFile
    fang: FontFile
    title: FontFile
    substituted: frozenset[str] = frozenset()
    latin: FontFile | None = None

    def font(self, role: str) -> FontFile:
        """The font of a Chinese role (see `latin` for digits and Latin letters)."""
        if role not in ROLES:
            raise KeyError(role)
        font: FontFile = getattr(self, role)
        return font

    def donor(self, role: str) -> str | None:
        """The role whose own font a substituted Chinese role uses; None when it has its own, or when
        no role has one (any Chinese font found sets everything)."""
        if role not in self.substituted:
            return None
        font = self.font(role)
        return next((d for d in ROLES if d not in self.substituted and self.font(d) == font), None)

    def describe(self) -> str:
        """One line per role, in Chinese, for the settings dialog and the CLI."""
        lines = []
        for role in ROLES:
            font = self.font(role)
            note = ""
            if role in self.substituted:
                donor = self.donor(role)
                note = f"（未找到，代用{ROLE_NAMES[donor]}）" if donor else "（未找到，代用）"
            lines.append(f"{ROLE_USES[role]}（{ROLE_NAMES[role]}）{note}：{font.name or font.path.name}  {font.spec}")
        head = f"{ROLE_USES[LATIN]}（{ROLE_NAMES[LATIN]}）"
        if self.latin is None:
            lines.append(f"{head}（未找到）：用中文字体中的数字和字母")
        else:
            note = "（未找到，代用）" if LATIN in self.substituted else ""
            lines.append(f"{head}{note}：{self.latin.name or self.latin.path.name}  {self.latin.spec}")
        return "\n".join(lines)

    def notice(self, platform: str | None = None) -> str | None:
        """A short Chinese paragraph for the export and print dialogs and the CLI when some role has no
        face of its own look: which face stands in for which role, and what to install (Debian packages,
        or what Windows brings) or to set with `main.py fonts --set` for the official look. None when
        every role has its own. `platform` is sys.platform's value (this machine's by default)."""
        if not self.substituted:
            return None
        platform = sys.platform if platform is None else platform
        return "".join(
            (self._who_stands_in(), self._loud_warning(), self._what_to_install(platform), self._how_to_set(platform))
        )

    def _who_stands_in(self) -> str:
        by_face: dict[str, list[str]] = {}  # "宋体「文鼎ＰＬ简报宋」" -> roles it stands in for, in order
        for role in ROLES:
            if role in self.substituted:
                font, donor = self.font(role), self.donor(role)
                face = f"「{font.name or font.path.name}」"
                by_face.setdefault(f"{ROLE_NAMES[donor]}{face}" if donor else face, []).append(role)
        parts = [f"{'、'.join(_role_label(r) for r in roles)}暂用{face}代替" for face, roles in by_face.items()]
        if LATIN in self.substituted:
            latin = self.latin
            stand_in = "中文字体中的数字和字母" if latin is None else f"「{latin.name or latin.path.name}」"
            parts.append(f"{_role_label(LATIN)}暂用{stand_in}")
        return f"PDF 中有的用途没有对应的字体：{'；'.join(parts)}。"

    def _loud_warning(self) -> str:
        if self.donor("fang") is None and "fang" in self.substituted:
            return "注意：所有文字都用同一种字体印出，不像公文。"
        in_hei = [r for r in ("fang", "song", "kai", "title") if self.donor(r) == "hei"]
        if not in_hei:
            return ""
        return f"注意：{'、'.join(ROLE_USES[r] for r in in_hei)}都用黑体印出，与公文格式相差很大。"

    def _what_to_install(self, platform: str) -> str:
        missing = [r for r in ALL_ROLES if r in self.substituted]
        if platform == "win32":
            system = [r for r in missing if r in WINDOWS_FILES and r != LATIN]
            sentences = []
            if system:
                names = "、".join(ROLE_NAMES[r] for r in system)
                files = "、".join(WINDOWS_FILES[r] for r in system)
                sentences.append(
                    f"Windows 中文版自带{names}（{files}）；其他语言的 Windows 请在“设置 → 应用 → 可选功能 → "
                    "添加功能”中添加“中文(简体)补充字体”。"
                )
            if LATIN in missing:
                times = WINDOWS_FILES[LATIN]
                sentences.append(f"Times New Roman（{times}）是 Windows 自带的字体，被删除时请重新安装。")
            return "".join(sentences)
        packages = [r for r in missing if r in DEBIAN_PACKAGES]
        if not platform.startswith("linux") or not packages:
            return ""
        command = " ".join(DEBIAN_PACKAGES[r] for r in packages)
        names = "、".join(LIBERATION if r == LATIN else ROLE_NAMES[r] for r in packages)
        return f"Debian、Ubuntu、统信 UOS、麒麟等系统运行 `sudo apt install {command}` 即可装上{names}。"

    def _how_to_set(self, platform: str) -> str:
        missing = [r for r in ALL_ROLES if r in self.substituted]
        unset = [r for r in missing if not _installable(r, platform)]
        if unset:
            names = "、".join(ROLE_NAMES[r] for r in unset)
            examples = "、".join(FILE_EXAMPLES[r] for r in unset if r in FILE_EXAMPLES)
            examples = f"（如 {examples}）" if examples else ""
            lead = f"{names}不随系统提供，也没有免费字体包：有{names}的 TrueType 字体文件{examples}时，"
        else:
            unset, lead = missing, "也可以"
        commands = "、".join(f"`main.py fonts --set {r} 字体文件`" for r in unset)
        if platform == "win32":
            install = "或在字体文件上右键选“安装”"
        elif platform.startswith("linux"):
            install = "或把字体文件复制到 ~/.local/share/fonts"
        else:
            install = "或安装该字体"
        return f"{lead}用 {commands} 指定，{install}，再重新导出。"


def _role_label(role: str) -> str:
    return f"{ROLE_USES[role]}（{ROLE_NAMES[role]}）"


def _installable(role: str, platform: str) -> bool:
    """Whether a face of the role's look comes with the system or its free packages."""
    if platform == "win32":
        return role in WINDOWS_FILES
    return platform.startswith("linux") and role in DEBIAN_PACKAGES


@dataclass(frozen=True)
class _Candidate:
    filename: str  # lower case
    index: int = 0


def _c(*names: str, index: int = 0) -> tuple[_Candidate, ...]:
    return tuple(_Candidate(n.lower(), index) for n in names)


# Preferred files per role, best first: the Windows system fonts named by the official format, the
# GB2312 fonts offices install, then what Linux distributions and macOS ship with TrueType outlines.
# A file is only a candidate: every one is checked (glyf outlines, Chinese glyphs, loads in reportlab).
# Of the Debian faces, the AR PL GB fonts (scripts/setup.sh installs them) come before their larger
# collections uming/ukai, whose first font (CN) has the same simplified glyphs.
CANDIDATES: Mapping[str, tuple[_Candidate, ...]] = {
    "fang": _c("仿宋_GB2312.ttf", "FS_GB2312.ttf", "simfang.ttf", "STFANGSO.TTF", "方正仿宋_GBK.ttf", "FZFSK.TTF"),
    "hei": (
        *_c("simhei.ttf", "方正黑体_GBK.ttf", "FZHTK.TTF", "STHEITI.TTF", "msyh.ttc", "msyh.ttf"),
        *_c("STHeiti Light.ttc", "STHeiti Medium.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc"),
        *_c("DroidSansFallbackFull.ttf", "DroidSansFallback.ttf"),
    ),
    "kai": (
        *_c("楷体_GB2312.ttf", "KAI_GB2312.ttf", "simkai.ttf", "STKAITI.TTF", "方正楷体_GBK.ttf", "FZKTK.TTF"),
        *_c("Kaiti.ttc", "gkai00mp.ttf", "ukai.ttc", "LXGWWenKai-Regular.ttf", "LXGWWenKaiGB-Regular.ttf"),
    ),
    "song": (
        *_c("simsun.ttc", "simsun.ttf", "STSONG.TTF", "方正书宋_GBK.ttf", "FZSSK.TTF", "Songti.ttc"),
        *_c("gbsn00lp.ttf", "uming.ttc"),
    ),
    # 方正小标宋简体 (GB2312) and 方正小标宋_GBK under the names of the foundry's files and of copies.
    "title": _c(
        "FZXBSJW.TTF", "方正小标宋简体.ttf", "FZXiaoBiaoSong-B05S.ttf", "FZXBSJW--GB1-0.ttf",
        "方正小标宋_GBK.ttf", "FZXBSK.TTF", "FZXiaoBiaoSong-B05.ttf",
    ),
}
# Whose font a role borrows when it has none of its own: the closest look first. The text roles go
# 仿宋 → 宋 → 楷 and take 黑体, a sans, only when nothing else is there; the title (小标宋, a heavy Song)
# takes the Song, then the heavy 黑体; the 黑体 headings take the heaviest face there is.
FALLBACK_ORDER: Mapping[str, tuple[str, ...]] = {
    "fang": ("song", "kai", "title", "hei"),
    "song": ("fang", "kai", "title", "hei"),
    "kai": ("fang", "song", "title", "hei"),
    "hei": ("title", "song", "fang", "kai"),
    "title": ("song", "hei", "fang", "kai"),
}
# Digits and Latin letters: Times New Roman, else a face with its widths (Liberation Serif, Tinos)…
LATIN_CANDIDATES: tuple[_Candidate, ...] = _c(
    "times.ttf", "Times New Roman.ttf", "LiberationSerif-Regular.ttf", "Tinos-Regular.ttf"
)
# … else another TrueType serif, said to be a stand-in.
LATIN_STAND_INS: tuple[_Candidate, ...] = _c("FreeSerif.ttf", "DejaVuSerif.ttf", "NotoSerif-Regular.ttf")


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
def _probe_cached(path: str, index: int, size: int, mtime_ns: int, chars: str = CJK_PROBE) -> tuple[str, str]:
    """(family name, "") for a usable font that draws `chars`, ("", reason) otherwise. Keyed on size
    and mtime so a replaced file is looked at again."""
    try:
        with open(path, "rb") as handle:
            tables = _tables(handle, index)
            cmap_offset, cmap_length = tables[b"cmap"]
            if not _cmap_has(_read_at(handle, cmap_offset, cmap_length), chars):
                raise _Unusable("不含中文字形" if chars == CJK_PROBE else "不含西文字母和数字")
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


def probe(path: Path, index: int = 0, chars: str = CJK_PROBE) -> FontFile:
    """A usable TrueType font at path/index that draws `chars` (Chinese by default; LATIN_PROBE for
    the latin role), or FontError saying why not."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise FontError(f"字体文件不存在：{path}") from None
    except OSError as exc:
        raise FontError(f"无法读取字体文件 {path}：{exc.strerror or exc}") from None
    if not path.is_file():
        raise FontError(f"不是字体文件：{path}")
    name, reason = _probe_cached(str(path), index, stat.st_size, stat.st_mtime_ns, chars)
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
    name = font_name(font)
    ttfont = _load_cached_font(font, name)
    if ttfont is None:
        try:
            ttfont = TTFont(name, str(font.path), subfontIndex=font.index)
        except Exception as exc:  # reportlab raises TTFError, struct.error, KeyError … on odd fonts
            raise FontError(f"字体 {font.spec} 不能嵌入 PDF：{exc}") from None
        _save_cached_font(font, ttfont)
    _TTFONTS[font] = ttfont
    return ttfont


# --- A disk cache of parsed fonts. reportlab reads a font's tables in pure Python, 85 ms for the
# 17 MB wqy-zenhei.ttc in every process; the cache keeps what it read (the TTFontFace's state, without
# the file's bytes and the scale function) as JSON with the long number tables packed as arrays.
# A cached font is only used for the same file (path, size, time), reportlab and Python; anything
# wrong with the cache (missing, corrupt, old, unwritable folder) means the font is parsed as before.

_CACHE_FORMAT = 2
_CACHE_MAGIC = b"GDAR font cache\n"
_LONG = 16  # lists at least this long are packed


class _Uncacheable(Exception):
    """A value the cache format does not hold exactly."""


def _cache_key(font: FontFile) -> dict[str, Any]:
    path = font.path.resolve()
    stat = path.stat()
    return {
        "format": _CACHE_FORMAT,
        "path": str(path),
        "index": font.index,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "reportlab": reportlab.Version,
        "python": sys.version,
        "byteorder": sys.byteorder,
    }


def _cache_file(key: Mapping[str, Any]) -> Path:
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
    return cache_dir() / "fonts" / f"{Path(key['path']).stem[:40]}-{key['index']}-{digest}.font"


def _read_cache_key(handle: BinaryIO) -> Any:
    """The key at the head of a cache file (None when it is not one); the file is left after it."""
    if handle.read(len(_CACHE_MAGIC)) != _CACHE_MAGIC:
        return None
    (length,) = struct.unpack(">I", handle.read(4))
    return json.loads(handle.read(length))


_NUMBERS = frozenset({int, float})
_INT_RANGES = (("B", 0, 2**8), ("H", 0, 2**16), ("h", -(2**15), 2**15), ("I", 0, 2**32),
               ("i", -(2**31), 2**31), ("q", -(2**63), 2**63))  # the smallest that holds a column


def _int_array(values: Sequence[int]) -> array[int]:
    low, high = (min(values), max(values)) if values else (0, 0)
    code = next((c for c, lo, hi in _INT_RANGES if lo <= low and high < hi), None)
    if code is None:
        raise _Uncacheable("integer too large")
    return array(code, values)


class _Packer:
    """Values as JSON; long lists of numbers as typed arrays in a binary part after it."""

    def __init__(self) -> None:
        # Per column: [typecode, offset, count, patch]; a column of ints and floats (reportlab's
        # hmetrics) is an array of the more frequent kind, patched with [positions, values] of the other.
        self.columns: list[list[Any]] = []
        self.blob = bytearray()

    def _add(self, packed: array[Any], patch: list[int] | None = None) -> int:
        self.columns.append([packed.typecode, len(self.blob), len(packed), patch])
        self.blob += packed.tobytes()
        return len(self.columns) - 1

    def column(self, values: Sequence[Any]) -> int:
        kinds = set(map(type, values))
        if kinds <= {int}:
            return self._add(_int_array(values))
        if kinds == {float}:
            return self._add(array("d", values))
        if kinds != _NUMBERS:
            raise _Uncacheable("not a column of numbers")
        minority = float if 2 * sum(type(v) is float for v in values) < len(values) else int
        positions = [i for i, v in enumerate(values) if type(v) is minority]
        patch = [self.column(positions), self.column([values[i] for i in positions])]
        if minority is float:
            return self._add(_int_array([0 if type(v) is float else v for v in values]), patch)
        return self._add(array("d", [0.0 if type(v) is int else v for v in values]), patch)

    def sequence(self, items: Sequence[Any]) -> Any:
        if len(items) >= _LONG:
            kinds = set(map(type, items))
            if kinds <= _NUMBERS:
                return {"$col": self.column(items)}
            if kinds == {tuple} and len(set(map(len, items))) == 1 and items[0]:
                return {"$rows": [self.column(c) for c in zip(*items, strict=True)]}
            if kinds == {list}:
                flat = list(chain.from_iterable(items))
                if set(map(type, flat)) <= _NUMBERS:
                    return {"$lists": [self.column(list(map(len, items))), self.column(flat)]}
        return [self.value(v) for v in items]

    def value(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind in (bool, int, float, str):
            return value
        if kind is bytes:
            return {"$bytes": value.decode("latin-1")}
        if kind is TTFNameBytes:
            if set(vars(value)) != {"ustr"} or type(value.ustr) is not str:
                raise _Uncacheable("unknown name attributes")
            return {"$name": [bytes(value).decode("latin-1"), value.ustr]}
        if kind is tuple:
            return {"$tuple": [self.value(v) for v in value]}
        if kind is list:
            return self.sequence(value)
        if kind is dict:
            return {"$dict": [self.sequence(list(value)), self.sequence(list(value.values()))]}
        raise _Uncacheable(f"cannot keep a {kind.__name__}")


class _Unpacker:
    def __init__(self, columns: Sequence[Sequence[Any]], blob: bytes) -> None:
        self.columns = columns
        self.blob = blob

    def column(self, index: int) -> Sequence[Any]:
        """A column as an array (iterates as the same ints or floats) or, when patched, a list."""
        code, offset, count, patch = self.columns[index]
        packed = array(code)
        packed.frombytes(self.blob[offset : offset + count * packed.itemsize])
        if len(packed) != count:
            raise ValueError("cache file cut short")
        if patch is None:
            return packed
        values: list[Any] = packed.tolist()
        for i, v in zip(self.column(patch[0]), self.column(patch[1]), strict=True):
            values[i] = v
        return values

    def value(self, value: Any) -> Any:
        if type(value) is list:
            return [self.value(v) for v in value]
        if type(value) is not dict:
            return value
        ((tag, body),) = value.items()
        if tag == "$col":
            return list(self.column(body))
        if tag == "$rows":
            return list(zip(*(self.column(c) for c in body), strict=True))
        if tag == "$lists":
            lengths, flat = self.column(body[0]), self.column(body[1])
            if list(lengths).count(1) == len(lengths):
                return [[v] for v in flat]
            out, pos = [], 0
            for n in lengths:
                out.append(list(flat[pos : pos + n]))
                pos += n
            return out
        if tag == "$dict":
            keys, values = self._items(body[0]), self._items(body[1])
            return dict(zip(keys, values, strict=True))
        if tag == "$tuple":
            return tuple(self.value(v) for v in body)
        if tag == "$bytes":
            return body.encode("latin-1")
        if tag == "$name":
            name = bytes.__new__(TTFNameBytes, body[0].encode("latin-1"))
            name.ustr = body[1]
            return name
        raise ValueError(f"unknown tag {tag}")

    def _items(self, value: Any) -> Sequence[Any]:
        if type(value) is dict and "$col" in value:
            return self.column(value["$col"])  # no list made for a dict's keys or values
        items: Sequence[Any] = self.value(value)
        return items


_NOT_KEPT = ("_ttf_data", "_pdfScale")  # the file's bytes (read again) and a lambda (made again)
# Made when first asked for: only text shaping reads glyphToChar, and its 40 000 one-item lists would
# otherwise be made and then gone over by the garbage collector again and again in every export.
_LATER = ("glyphToChar",)
_MAKE_LATER: WeakKeyDictionary[Any, dict[str, Callable[[], Any]]] = WeakKeyDictionary()


class _CachedFace(TTFontFace):  # type: ignore[misc]
    """A TTFontFace made from the cache: the same state, some of it made when first asked for."""

    def __getattr__(self, name: str) -> Any:
        make = _MAKE_LATER.get(self, {}).get(name)
        if make is None:
            raise AttributeError(name)
        value = self.__dict__.setdefault(name, make())
        _MAKE_LATER[self].pop(name, None)
        return value


def _encode_face(face: TTFontFace) -> bytes:
    if type(face) is not TTFontFace:
        raise _Uncacheable("not a plain TTFontFace")
    packer = _Packer()
    state = {k: None if k in _NOT_KEPT else v for k, v in vars(face).items()}
    header = json.dumps({"face": packer.value(state), "columns": packer.columns}, ensure_ascii=True).encode()
    body = struct.pack(">I", len(header)) + header + bytes(packer.blob)
    return struct.pack(">I", zlib.crc32(body)) + body


def _decode_face(data: bytes) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """The face's state, and what makes the attributes left for later."""
    (checksum,) = struct.unpack_from(">I", data, 0)
    if zlib.crc32(memoryview(data)[4:]) != checksum:
        raise ValueError("cache file damaged")
    (length,) = struct.unpack_from(">I", data, 4)
    header = json.loads(data[8 : 8 + length])
    unpacker = _Unpacker(header["columns"], data[8 + length :])
    names, values = header["face"]["$dict"]
    state: dict[str, Any] = {}
    later: dict[str, Callable[[], Any]] = {}
    # Some 100 000 numbers and tuples, none of them in a cycle: the collector would look them all
    # over several times while they are made (a third of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name, value in zip(names, values, strict=True):
            if name in _LATER:
                later[name] = partial(unpacker.value, value)
            else:
                state[name] = unpacker.value(value)
    finally:
        if collecting:
            gc.enable()
    return state, later


def _rebuild(
    state: Mapping[str, Any], later: Mapping[str, Callable[[], Any]], name: str, path: Path, data: bytes
) -> TTFont:
    """The TTFont that `TTFont(name, path, subfontIndex=…)` makes, from the face's kept state and
    the font file's bytes."""
    face = _CachedFace.__new__(_CachedFace)
    face.__dict__.update(state)
    _MAKE_LATER[face] = dict(later)
    face._ttf_data = data
    face.filename = str(path)
    units = state["unitsPerEm"]
    if units == 1000:
        face._pdfScale = lambda x: x
    else:
        mult = 1000 / units
        face._pdfScale = lambda x: x * mult
    # The rest of TTFont.__init__; _save_cached_font checks that the result matches a parsed font.
    ttfont = TTFont.__new__(TTFont)
    ttfont.fontName = name
    ttfont.face = face
    ttfont.encoding = TTEncoding()
    ttfont.state = WeakKeyDictionary()
    ttfont._asciiReadable = rl_config.ttfAsciiReadable
    ttfont.shapable = not any(fnmatch(name, glob) for glob in ttfonts_module.unShapedFontGlob)
    return ttfont


_PLAIN = frozenset({type(None), bool, int, float, str, bytes})


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0 differ)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return _same(list(a), list(b)) and _same(list(a.values()), list(b.values()))
    if type(a) in (list, tuple):
        if a != b:
            return False
        kinds = list(map(type, a))
        if kinds != list(map(type, b)):
            return False
        if set(kinds) <= _PLAIN:
            return True
        if set(kinds) <= {list, tuple}:  # lengths and values already agree: compare one level down
            return _same(list(chain.from_iterable(a)), list(chain.from_iterable(b)))
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is TTFNameBytes and vars(a) != vars(b):
        return False
    return bool(a == b)


def _same_font(a: TTFont, b: TTFont) -> bool:
    """Whether two fonts hold the same (a parsed font and one from the cache, say)."""
    for face in (a.face, b.face):
        for name in list(_MAKE_LATER.get(face, ())):
            getattr(face, name)
    fa, fb = vars(a.face), vars(b.face)
    if not (isinstance(a.face, TTFontFace) and isinstance(b.face, TTFontFace)) or set(fa) != set(fb):
        return False
    if any(not _same(fa[k], fb[k]) for k in fa if k not in _NOT_KEPT):
        return False
    if any(a.face._pdfScale(x) != b.face._pdfScale(x) for x in (0, 1, -7, 1000, 2048)):
        return False
    va, vb = vars(a), vars(b)
    if list(va) != list(vb) or any(not _same(va[k], vb[k]) for k in va if k not in ("face", "encoding", "state")):
        return False
    return (
        type(a.encoding) is type(b.encoding)
        and vars(a.encoding) == vars(b.encoding)
        and type(a.state) is type(b.state)
        and len(a.state) == len(b.state) == 0
    )


def _load_cached_font(font: FontFile, name: str) -> TTFont | None:
    try:
        key = _cache_key(font)
        with _cache_file(key).open("rb") as handle:
            if _read_cache_key(handle) != key:
                return None
            state, later = _decode_face(handle.read())
        with open(font.path, "rb") as handle:  # what TTFontParser.readFile keeps
            data = handle.read()
        return _rebuild(state, later, name, font.path, data)
    except Exception:  # no cache, or one that cannot be used: the font is parsed
        return None


def _save_cached_font(font: FontFile, ttfont: TTFont) -> None:
    """Keep a parsed font for later processes if it can be kept exactly, in place of what was kept
    for an older version of the file or for fonts that are gone. Never fails."""
    try:
        key = _cache_key(font)
        body = _encode_face(ttfont.face)
        rebuilt = _rebuild(*_decode_face(body), ttfont.fontName, font.path, ttfont.face._ttf_data)
        if not _same_font(rebuilt, ttfont):
            return
        head = json.dumps(key).encode()
        target = _cache_file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        for old in target.parent.glob("*.font"):
            _prune(old, key)
        temp = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            temp.write_bytes(_CACHE_MAGIC + struct.pack(">I", len(head)) + head + body)
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
    except Exception:
        return


def _prune(path: Path, key: Mapping[str, Any]) -> None:
    """Delete a cache file kept for an older version of the same font, for a font that is gone, or
    that cannot be read."""
    try:
        with path.open("rb") as handle:
            other = _read_cache_key(handle)
        stale = not isinstance(other, dict) or not os.path.exists(other.get("path", ""))
        if stale or (other["path"], other.get("index")) == (key["path"], key["index"]):
            path.unlink()
    except (OSError, ValueError, struct.error):
        with contextlib.suppress(OSError):
            path.unlink()


def font_name(font: FontFile) -> str:
    """The stable name a font is registered under in reportlab (same file → same name)."""
    digest = hashlib.sha1(f"{font.path.resolve()}#{font.index}".encode()).hexdigest()[:8]
    stem = re.sub(r"[^A-Za-z0-9]+", "", font.path.stem)[:24] or "font"
    return f"GDAR-{stem}-{font.index}-{digest}"


def _parse_override(role: str, spec: str) -> tuple[Path, int]:
    if role not in ALL_ROLES:
        known = "、".join(f"{r}（{ROLE_NAMES[r]}）" for r in ALL_ROLES)
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
    system fonts, then the font of the role of the closest look (FALLBACK_ORDER) for roles without
    their own, then any other Chinese TrueType font. FontError (in Chinese, naming what to install)
    when there is none; a bad override is an error, not skipped. `search_dirs` replaces the system's
    font folders (`setup_font_dirs()`: exactly the fonts scripts/setup.sh installs)."""
    dirs = tuple(default_font_dirs() if search_dirs is None else search_dirs)
    chosen: dict[str, FontFile] = {}
    for role, spec in (overrides or {}).items():
        path, index = _parse_override(role, spec)
        try:
            chosen[role] = probe(path, index, LATIN_PROBE if role == LATIN else CJK_PROBE)
        except FontError as exc:
            raise FontError(f"{ROLE_USES[role]}（{ROLE_NAMES[role]}）字体设置有误：{exc}") from None
    return _complete(chosen, dirs)


def _complete(chosen: dict[str, FontFile], dirs: tuple[Path, ...]) -> FontSet:
    latin = chosen.pop(LATIN, None)
    missing = [role for role in ROLES if role not in chosen]
    substituted: set[str] = set()
    by_name: dict[str, list[Path]] = {}
    if missing or latin is None:
        for path in _font_files(dirs):
            by_name.setdefault(path.name.lower(), []).append(path)
    if missing:
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
    if latin is None:
        latin = _first_usable(
            ((path, c.index) for c in LATIN_CANDIDATES for path in by_name.get(c.filename, ())), LATIN_PROBE
        )
        if latin is None:
            substituted.add(LATIN)
            latin = _first_usable(
                ((path, c.index) for c in LATIN_STAND_INS for path in by_name.get(c.filename, ())), LATIN_PROBE
            )
    return FontSet(
        song=chosen["song"],
        hei=chosen["hei"],
        kai=chosen["kai"],
        fang=chosen["fang"],
        title=chosen["title"],
        substituted=frozenset(substituted),
        latin=latin,
    )


def _first_usable(candidates: Iterable[tuple[Path, int]], chars: str = CJK_PROBE) -> FontFile | None:
    for path, index in candidates:
        try:
            return probe(path, index, chars)
        except FontError:
            continue
    return None


def setup_font_dirs(root: Path = Path("/usr/share/fonts")) -> list[Path]:
    """The folders under `root` holding the fonts scripts/setup.sh installs (DEBIAN_FILES), for
    `find_fonts(search_dirs=…)` to find exactly those whatever else is installed: what a test that
    pins the fonts uses. FontError naming the packages to install when some are missing."""
    wanted = {name.lower(): package for package, name in DEBIAN_FILES.items()}
    found: dict[str, Path] = {}
    for path in _font_files([root]):
        package = wanted.get(path.name.lower())
        if package is not None:
            found.setdefault(package, path.parent)
    absent = [package for package in DEBIAN_FILES if package not in found]
    if absent:
        raise FontError(
            f"未安装 scripts/setup.sh 安装的字体：{'、'.join(absent)}（运行 `sudo apt install {' '.join(absent)}`）"
        )
    return list(dict.fromkeys(found[package] for package in DEBIAN_FILES))


def register(fontset: FontSet) -> dict[str, str]:
    """Register every font of the set with reportlab (once per file) and return role → font name;
    "latin" is in it only when the set has a latin font."""
    names: dict[str, str] = {}
    registered = set(pdfmetrics.getRegisteredFontNames())
    fonts = [(role, fontset.font(role)) for role in ROLES]
    if fontset.latin is not None:
        fonts.append((LATIN, fontset.latin))
    for role, font in fonts:
        ttfont = _ttfont(font)
        if ttfont.fontName not in registered:
            pdfmetrics.registerFont(ttfont)
            registered.add(ttfont.fontName)
        names[role] = ttfont.fontName
    return names


def has_glyph(fontname: str, char: str) -> bool:
    """Whether a registered TrueType font draws char (not the empty box of a missing glyph: reportlab
    keeps U+FFFF, which ends every format 4 cmap, mapped to glyph 0)."""
    face = pdfmetrics.getFont(fontname).face
    return bool(face.charToGlyph.get(ord(char), 0))
