#!/bin/sh
# 政府信息公开年报助手 @VERSION@：离线安装（Linux x86_64，包括统信UOS、麒麟）。
#
# 用法：sh install.sh [--ocr] [安装位置]
#   安装位置默认为 ~/.local/share/gov-report/venv；可重复执行（已装的版本相同则不变，较旧则升级）。
#   --ocr：同时安装读取扫描件的组件（onnxruntime、numpy；本安装包要用 wheels.sh --ocr 生成）。
#   需要本机已有 Python 3.11 或 3.12（含 venv 模块）；可用环境变量 PYTHON=/path/to/python3.x 指定。
# 只从本文件夹安装（pip --no-index），不联网。
set -eu

KIT="$(cd "$(dirname "$0")" && pwd)"
OCR=0
TARGET=""
for arg in "$@"; do
    case "$arg" in
        --ocr) OCR=1 ;;
        *) TARGET="$arg" ;;
    esac
done
TARGET="${TARGET:-${XDG_DATA_HOME:-$HOME/.local/share}/gov-report/venv}"

say() { printf '%s\n' "$*"; }
die() {
    printf '错误：%s\n' "$*" >&2
    exit 1
}

# Python 3.11 或 3.12：本安装包只带这两个版本的组件（lxml、Pillow 等按 Python 版本编译）。
py_fits() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)' >/dev/null 2>&1
}

PY=""
for cand in "${PYTHON:-}" python3.12 python3.11 python3; do
    [ -n "$cand" ] || continue
    command -v "$cand" >/dev/null 2>&1 || continue
    if py_fits "$cand"; then
        PY="$(command -v "$cand")"
        break
    fi
done
if [ "$OCR" = "1" ] && ! ls "$KIT"/onnxruntime-*.whl >/dev/null 2>&1; then
    die "本安装包不含扫描件识别组件（onnxruntime）：请用带扫描件识别的安装包（生成时 wheels.sh --ocr），或去掉 --ocr 安装。"
fi

if [ -z "$PY" ]; then
    if command -v python3 >/dev/null 2>&1; then
        have="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 未知)"
        die "本机的 Python 版本是 $have，本安装包需要 Python 3.11 或 3.12。请先安装其中一个版本（统信UOS、麒麟、Debian、Ubuntu：sudo apt install python3.11 python3.11-venv），或改用不需要 Python 的打包程序（gov-report 文件夹或 .deb 安装包）。"
    fi
    die "本机没有 Python 3。本安装包需要 Python 3.11 或 3.12；请先安装，或改用不需要 Python 的打包程序（gov-report 文件夹或 .deb 安装包）。"
fi

if [ ! -x "$TARGET/bin/python" ] || ! py_fits "$TARGET/bin/python"; then
    say "用 $PY 在 $TARGET 创建虚拟环境 …"
    mkdir -p "$(dirname "$TARGET")"
    if ! "$PY" -m venv --clear "$TARGET"; then
        die "无法创建虚拟环境（缺少 venv 模块？统信UOS、麒麟、Debian、Ubuntu 上请安装 python3-venv 或 python3.11-venv），或没有写入 $TARGET 的权限。"
    fi
fi

WHAT="gov-disclosure-annual-report"
[ "$OCR" = "1" ] && WHAT="gov-disclosure-annual-report[ocr]"
say "从 $KIT 安装（不联网）…"
if ! "$TARGET/bin/python" -m pip install --disable-pip-version-check --no-index --find-links "$KIT" \
    --upgrade "$WHAT"; then
    die "安装失败：本文件夹中的 wheel 不全或与本机不符（需要 Linux x86_64、Python 3.11 或 3.12）。"
fi

"$TARGET/bin/gov-report" --help >/dev/null 2>&1 || die "已安装，但 $TARGET/bin/gov-report 无法运行。"
if [ "$OCR" = "1" ]; then
    "$TARGET/bin/python" -c 'import sys; from reading.scan import ocr_available; sys.exit(0 if ocr_available() else 1)' \
        || die "已安装，但扫描件识别组件无法使用（onnxruntime 不能在本机运行？）。"
fi

say ""
say "安装完成：政府信息公开年报助手 @VERSION@"
[ "$OCR" = "1" ] && say "已安装扫描件识别（可以读取扫描的 PDF 和 JPG、PNG、TIFF 图片）"
say "打开程序：          $TARGET/bin/gov-report"
say "命令行（例如检查）：$TARGET/bin/gov-report check 报告.docx"
say "卸载：删除文件夹    $TARGET（数据在 ~/.local/share/gov-disclosure-annual-report，不会被删除）"
