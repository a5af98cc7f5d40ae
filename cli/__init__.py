"""The command line (check, import, list, export, new, fonts, backup, restore) over core, reading and exports.

main.py is the entry point: it sets up the streams, calls `run` and keeps the last-resort guard.
Without a subcommand `run` starts the app through the `start_app` it is given (cli does not import ui)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cli.commands import EXIT_UNREADABLE, Context
from cli.parser import build_parser
from cli.progname import PROG


def run(argv: Sequence[str], *, start_app: Callable[[Path], int]) -> int:
    """Parse the arguments and run the subcommand (or the app); returns the exit status. A message meant
    for the user (UserError) is one line on stderr and exit 2; bad arguments exit 2 through SystemExit."""
    from core.errors import UserError
    from core.paths import default_db_path

    args = build_parser().parse_args(argv)
    db_path = Path(getattr(args, "db", None) or default_db_path())
    context = Context(db_path, sys.stdout, sys.stderr)
    try:
        if args.func is None:
            return start_app(db_path)
        from core.template import template_problems

        for problem in template_problems():  # a template file an office added that cannot be used
            context.err.write(f"（未载入：{problem}）\n")
        status: int = args.func(args, context)
        return status
    except UserError as exc:
        context.err.write(f"{exc}{_damage_hint(exc)}\n")
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        context.err.write("已中断。\n")
        return 130
    finally:
        context.close()


def _damage_hint(exc: Exception) -> str:
    """For a damaged database, how to get the reports back on the command line."""
    from core.storage import DatabaseDamaged

    if not isinstance(exc, DatabaseDamaged):
        return ""
    hint = f"用 {PROG} restore 以最新的完好备份恢复，{PROG} restore --list 列出全部备份"
    if exc.can_keep:
        hint += f"，{PROG} restore --keep-current 不恢复、继续使用现有的数据库"
    return hint + "。"
