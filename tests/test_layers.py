"""core/ (and exports/) stay free of Qt: importing them must not pull in PySide6."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_imports_without_pyside6() -> None:
    modules = sorted(p.stem for p in (ROOT / "core").glob("*.py") if p.stem != "__init__")
    code = (
        "import sys\n"
        + "".join(f"import core.{m}\n" for m in modules)
        + "import exports\nimport reading.formats\n"
        + "bad = [m for m in sys.modules if m.startswith(('PySide6', 'ui'))]\n"
        + "assert not bad, bad\n"
        + "print(len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(modules) >= 8
