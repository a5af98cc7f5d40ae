"""The command line's arguments: the subcommands, each bound to its function (`func`), with Chinese
one-line errors and exit status 2 for arguments that do not fit."""

from __future__ import annotations

import argparse
import sys

from cli import commands
from cli.progname import PROG

USAGE_EPILOG = """命令：
  check FILE… [--json] [--rules 规则包]   检查报告文件，按文件列出错误和提示（含已载入的地方规则包）
  compare LAST THIS [--json]   同一单位上年与本年报告的同比：主要数字、有变化的单元格、衔接与照抄检查
  summary FILE_OR_FOLDER… [--to 汇总.xlsx] [--json] [--all]   汇总多个单位的报告（三、四和二的可相加栏目）
  export FILE --to OUT     把报告文件（或数据库中的报告编号）导出为 .docx/.pdf/.html/.json（--draft 加草稿水印）
  import FILE… [--replace] 把报告文件存入本地数据库
  list                     列出数据库中的报告
  new --agency 机关 --year 年度 | --from 编号   新建报告（可从上年报告结转）
  fonts [--set 用途 字体文件 | --reset]   查看或设置 PDF 使用的字体
  backup                   立即备份数据库
  restore [BACKUP] | --list   从备份恢复数据库（默认最新的完好备份）；--list 列出备份
任何命令都可加 --db PATH 使用指定的数据库。
check 和 import 可读取的文件：{readable}（.doc、.wps 需安装 LibreOffice）"""


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with Chinese one-line errors and exit status 2, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}：参数有误：{message}\n（用 --help 查看用法）\n")

    def format_help(self) -> str:
        """The help, naming the files check and import read. They are looked up only when help is shown:
        reading.formats loads the report model and the templates, which parsing the arguments never needs."""
        text = super().format_help()
        if _READABLE not in text:
            return text
        from reading.formats import READABLE_SUFFIXES

        return text.replace(_READABLE, "、".join(READABLE_SUFFIXES))


_READABLE = "{readable}"  # stands for the readable suffixes in the help texts until help is shown


class _VersionAction(argparse.Action):
    """--version: the program's name and version, looked up only when asked (the app's start never is)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="显示版本号并退出")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        from core.version import app_version

        sys.stdout.write(f"政府信息公开年报助手 {app_version()}\n")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    """The parser; the parsed arguments' `func` is the chosen subcommand's function (None: no command)."""
    db = ChineseArgumentParser(add_help=False)
    db.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="使用指定的数据库文件")
    parser = ChineseArgumentParser(
        prog=PROG,
        description="政府信息公开年报助手：填写、检查、打印和发布政府信息公开工作年度报告",
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[db],
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.set_defaults(func=None)
    sub = parser.add_subparsers(dest="command", parser_class=ChineseArgumentParser)

    p = sub.add_parser("check", parents=[db], help="检查报告文件")
    p.add_argument("files", nargs="+", metavar="FILE", help=f"报告文件：{_READABLE}")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.add_argument(
        "--rules", action="append", default=[], metavar="PACK",
        help="本次检查另外使用的地方规则包（.json，可多次给出）；已载入数据文件夹的规则包总会使用",
    )
    p.set_defaults(func=commands.check)

    p = sub.add_parser(
        "compare", parents=[db], help="上年与本年报告同比",
        description="比较同一单位上年（LAST）与本年（THIS）的报告：主要数字及增减（增减至少 10 且达上年的 50% 标 ⚠）、"
        "有变化的单元格，以及与上年报告核对的检查（CARRY-OVER、S2-IN-FORCE、TEXT-COPIED）。"
        "两份报告不是同一机关或年度不相接时在标准错误输出提示一行，仍然比较。",
    )
    p.add_argument("last", metavar="LAST", help=f"上年报告文件：{_READABLE}")
    p.add_argument("this", metavar="THIS", help="本年报告文件")
    p.add_argument(
        "--json", action="store_true",
        help='以 JSON 输出：{"changes": [{"cell", "label", "last", "this", "flagged"}, …], "findings": […]}；'
        "changes 含二、三、四的每个单元格（合计在内，没有变化的也列出，便于按编号查找），"
        "某一年的格式没有的单元格为 null",
    )
    p.set_defaults(func=commands.compare)

    p = sub.add_parser(
        "summary", parents=[db], help="汇总多个单位的报告",
        description="把多个单位的报告逐格相加：三、四的每个单元格和二的可相加栏目（规章、规范性文件件数，"
        "处理决定数量，金额）；总计由相加后的数计算，不取各单位印出的合计。每个文件先检查（同一批或数据库中有"
        "该机关上年报告时核对衔接）。有错误的单位不计入（--all 计入）；与多数单位年度不同、同一机关同一年度的"
        "第二份、格式不同且不能逐行对应的，不计入并说明原因。"
        "退出码：0 没有错误，1 有文件或汇总数存在错误，2 有文件无法读取或汇总表无法写入，3 读取时程序出错。",
    )
    p.add_argument("sources", nargs="+", metavar="FILE_OR_FOLDER", help=f"报告文件或文件夹（含子文件夹）：{_READABLE}")
    p.add_argument("--to", metavar="汇总.xlsx", help="另存汇总表（XLSX：每表一页，每单位一行，合计为公式）")
    p.add_argument(
        "--json", action="store_true",
        help='以 JSON 输出：{"totals": {单元格编号: 数}, "units": [{"file", "agency", "year", "template", '
        '"errors", "included"}, …]}；totals 含三、四的每个单元格（合计在内）和二的可相加栏目，金额以万元计',
    )
    p.add_argument("--all", action="store_true", help="有错误的单位也计入")
    p.set_defaults(func=commands.summary)

    p = sub.add_parser("export", parents=[db], help="导出报告")
    p.add_argument("source", metavar="FILE")
    p.add_argument("--to", required=True, metavar="OUT", help="输出文件：.docx、.pdf、.html 或 .json")
    p.add_argument("--draft", action="store_true", help="加“草稿”水印（未定稿的报告）")
    p.add_argument("--blanks", choices=["zero", "blank"], help="空白单元格印为 0（zero）或留空（blank）")
    p.add_argument("--fragment", action="store_true", help="HTML 只输出粘贴到网站编辑器的正文部分")
    p.set_defaults(func=commands.export)

    p = sub.add_parser("import", parents=[db], help="导入报告文件到数据库")
    p.add_argument("files", nargs="+", metavar="FILE", help=f"报告文件：{_READABLE}")
    p.add_argument("--replace", action="store_true", help="替换数据库中同一机关同一年度的报告")
    p.set_defaults(func=commands.import_files)

    p = sub.add_parser("list", parents=[db], help="列出数据库中的报告")
    p.set_defaults(func=commands.list_reports)

    p = sub.add_parser("new", parents=[db], help="新建报告")
    p.add_argument("--agency")
    p.add_argument("--year", type=int)
    p.add_argument("--from", dest="from_id", type=int, metavar="编号")
    p.set_defaults(func=commands.new)

    p = sub.add_parser("fonts", parents=[db], help="查看或设置 PDF 使用的字体")
    p.add_argument(
        "--set", nargs=2, metavar=("用途", "字体文件"),
        help="用途：song 宋体、hei 黑体、kai 楷体、fang 仿宋、title 标题、latin 数字和西文（Times New Roman）",
    )
    p.add_argument("--reset", action="store_true", help="恢复自动查找字体")
    p.set_defaults(func=commands.fonts)

    p = sub.add_parser("backup", parents=[db], help="立即备份数据库")
    p.set_defaults(func=commands.backup_now)

    p = sub.add_parser("restore", parents=[db], help="从备份恢复数据库")
    p.add_argument("backup", nargs="?", metavar="BACKUP", help="restore --list 中的编号或备份文件；默认最新的完好备份")
    p.add_argument("--list", action="store_true", help="列出备份：时间、原因、大小、报告数")
    p.add_argument(
        "--keep-current", action="store_true",
        help="数据库最近的保存丢失时，不恢复备份，继续使用现有的数据库",
    )
    p.set_defaults(func=commands.restore)
    return parser
