#!/usr/bin/env bash
# 准备环境后依次运行 ruff、mypy 和 pytest；任何一步失败即以非零退出。
# 用法：bash scripts/test.sh [pytest 的参数 …]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

# 测试默认不需要显示器；已设置时尊重调用者的选择（例如在 Xvfb 下用 xcb）。
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"

echo "[test] ruff check ." >&2
.venv/bin/ruff check .

echo "[test] mypy core reading exports cli ui" >&2
.venv/bin/mypy core reading exports cli ui

echo "[test] pytest" >&2
exec .venv/bin/python -m pytest -q "$@"
