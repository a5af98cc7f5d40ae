"""The program's name as the user typed it, for the usage line and the hints that name a command."""

from __future__ import annotations

import sys
from pathlib import Path


def program_name() -> str:
    """The bundle's executable and the installed command are gov-report (gov-report-cli on Windows);
    a source checkout runs main.py."""
    name = Path(sys.argv[0] if sys.argv else "").stem
    if name.startswith("gov-report"):
        return name
    return "gov-report" if getattr(sys, "frozen", False) else "main.py"


PROG = program_name()
