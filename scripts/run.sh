#!/usr/bin/env bash
# 准备环境（首次会安装依赖）后启动政府信息公开年报助手。
# 用法：bash scripts/run.sh [main.py 的参数 …]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
exec .venv/bin/python main.py "$@"
