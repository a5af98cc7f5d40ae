"""政府信息公开年报助手: parses the command line, opens the database, runs a subcommand or the app."""

from __future__ import annotations

import argparse
import contextlib
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.storage import Store

USAGE_EPILOG = """命令：
  check FILE… [--json]     检查报告文件，按文件列出错误和提示
  export FILE --to OUT     把报告文件（或数据库中的报告编号）导出为 .docx/.pdf/.html/.json（--draft 加草稿水印）
  import FILE… [--replace] 把报告文件存入本地数据库
  list                     列出数据库中的报告
  new --agency 机关 --year 年度 | --from 编号   新建报告（可从上年报告结转）
  fonts [--set 用途 字体文件 | --reset]   查看或设置 PDF 使用的字体
任何命令都可加 --db PATH 使用指定的数据库。"""


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese one-line errors and exit status 2, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}：参数有误：{message}\n（用 --help 查看用法）\n")


def _parser() -> argparse.ArgumentParser:
    db = _Parser(add_help=False)
    db.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="使用指定的数据库文件")
    parser = _Parser(
        prog="main.py",
        description="政府信息公开年报助手：填写、检查、打印和发布政府信息公开工作年度报告",
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[db],
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    p = sub.add_parser("check", parents=[db], help="检查报告文件")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p = sub.add_parser("export", parents=[db], help="导出报告")
    p.add_argument("source", metavar="FILE")
    p.add_argument("--to", required=True, metavar="OUT", help="输出文件：.docx、.pdf、.html 或 .json")
    p.add_argument("--draft", action="store_true", help="加“草稿”水印（未定稿的报告）")
    p.add_argument("--blanks", choices=["zero", "blank"], help="空白单元格印为 0（zero）或留空（blank）")
    p.add_argument("--fragment", action="store_true", help="HTML 只输出粘贴到网站编辑器的正文部分")
    p = sub.add_parser("import", parents=[db], help="导入报告文件到数据库")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--replace", action="store_true", help="替换数据库中同一机关同一年度的报告")
    sub.add_parser("list", parents=[db], help="列出数据库中的报告")
    p = sub.add_parser("new", parents=[db], help="新建报告")
    p.add_argument("--agency")
    p.add_argument("--year", type=int)
    p.add_argument("--from", dest="from_id", type=int, metavar="编号")
    p = sub.add_parser("fonts", parents=[db], help="查看或设置 PDF 使用的字体")
    p.add_argument(
        "--set", nargs=2, metavar=("用途", "字体文件"),
        help="用途：song 宋体、hei 黑体、kai 楷体、fang 仿宋、title 标题",
    )
    p.add_argument("--reset", action="store_true", help="恢复自动查找字体")
    return parser


def _utf8_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="replace")


def _log_crash() -> Path | None:
    from core.paths import data_dir

    try:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().isoformat(timespec='seconds')} {sys.argv!r}\n")
            log.write(traceback.format_exc())
        return path
    except OSError:
        return None


def _fonts(setting: list[str] | None, reset: bool) -> int:
    """Show the fonts PDF export will embed; change the mapping kept in settings.json."""
    from core.settings import load_settings, pdf_font_overrides, save_settings, settings_path
    from exports.fonts import ROLES, find_fonts

    settings = load_settings()
    overrides = pdf_font_overrides(settings)
    if reset:
        overrides = {}
    if setting:
        role, path = setting
        if role not in ROLES:
            sys.stderr.write(f"未知的字体用途「{role}」，应为 {'、'.join(ROLES)} 之一\n")
            return 2
        overrides[role] = str(Path(path).resolve())
    fontset = find_fonts(overrides or None)  # a bad choice raises FontError before it is saved
    if setting or reset:
        settings["pdf_fonts"] = overrides
        save_settings(settings)
        sys.stdout.write(f"已保存到 {settings_path()}\n")
    sys.stdout.write(fontset.describe() + "\n")
    return 0


def run(argv: Sequence[str]) -> int:
    from core import commands
    from core.errors import UserError
    from core.paths import default_db_path
    from core.report import Report

    args = _parser().parse_args(argv)
    db_path = Path(getattr(args, "db", None) or default_db_path())
    opened: list[Store] = []  # opened on first use: check and export of files need no database

    def store() -> Store:
        from core.storage import Store

        if not opened:
            opened.append(Store(db_path))
        return opened[0]

    out, err = sys.stdout, sys.stderr
    try:
        if args.command is None:
            from ui.app import launch

            return launch(db_path)
        if args.command == "check":
            existing: Store | None = None
            if db_path.exists():
                from core.storage import StorageError, Store

                try:
                    existing = Store(db_path, seed=False)
                    opened.append(existing)
                except StorageError as exc:
                    err.write(f"（未使用数据库中的上年报告：{exc}）\n")
            return commands.check(args.files, as_json=args.json, store=existing, out=out, err=err)
        if args.command == "export":
            from core.settings import load_settings, pdf_font_overrides
            from exports import WRITERS, ExportOptions, export_report

            fonts = pdf_font_overrides(load_settings())

            def write(report: Report, path: Path, blank_as_zero: bool) -> None:
                options = ExportOptions(blank_as_zero, args.draft, args.fragment, fonts)
                export_report(report, path, options)

            return commands.export(
                args.source, args.to, write=write, suffixes=WRITERS.keys(), blanks=args.blanks,
                store_opener=store, out=out, err=err,
            )
        if args.command == "import":
            return commands.import_files(args.files, store=store(), replace=args.replace, out=out, err=err)
        if args.command == "list":
            return commands.list_reports(store=store(), out=out)
        if args.command == "new":
            return commands.new(
                store=store(), agency=args.agency, year=args.year, from_id=args.from_id, out=out, err=err
            )
        if args.command == "fonts":
            return _fonts(args.set, args.reset)
        raise AssertionError(args.command)
    except UserError as exc:
        err.write(f"{exc}\n")
        return 2
    except KeyboardInterrupt:
        err.write("已中断。\n")
        return 130
    finally:
        for s in opened:
            s.close()


def main() -> int:
    _utf8_streams()
    try:
        return run(sys.argv[1:])
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    except Exception as exc:  # the last guard: a one-line message, the details in the log
        log = _log_crash()
        where = f"，详情已记录在 {log}" if log else ""
        sys.stderr.write(f"程序内部错误：{type(exc).__name__}: {exc}{where}\n")
        return 3


if __name__ == "__main__":
    sys.exit(main())
