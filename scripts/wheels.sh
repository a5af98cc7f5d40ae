#!/usr/bin/env bash
# 政府信息公开年报助手：生成离线安装包（wheel 套件），给已有 Python 3.11/3.12 但不能联网的电脑。
#
# 用法：bash scripts/wheels.sh [--ocr] [输出文件夹]     （也可 bash scripts/bundle.sh --wheels [--ocr]）
#   输出文件夹默认为 dist/wheels/。下载本程序运行所需的全部 wheel（不含测试用的包），
#   覆盖 Windows x64 和 Linux x86_64（glibc 2.28 及以上，统信UOS、麒麟可用）× CPython 3.11、3.12，
#   加上本程序自己的 wheel 和安装脚本（install.sh、install.ps1、install.bat、说明.txt），放在同一个文件夹里。
#   版本取 .venv 中装的（测试过的）；某个平台没有该版本的 wheel 时，取该平台可用的最新版本（例如
#   PySide6 6.11 在 Linux 上要 glibc 2.34，Linux 部分因此用 6.9）。可重复执行：就地更新，多余的旧 wheel 被删除。
#   生成时需要联网（PyPI）；安装时不需要。
#   --ocr：同时带上读取扫描件的组件（onnxruntime、numpy：Linux 每个 Python 版本约 45 MB、Windows 约 30 MB，
#   四个目标合计约 150 MB）；安装时 sh install.sh --ocr（Windows：install.bat --ocr）才装上它。
#
# 可用环境变量：WHEELS_DIR=…  同第一个参数。
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OCR=()
OUT=""
for arg in "$@"; do
    case "$arg" in
        -h | --help)
            sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        --ocr) OCR=(--ocr) ;;
        -*)
            printf '[wheels] 错误：不认识的参数：%s（用 --help 查看用法）\n' "$arg" >&2
            exit 1
            ;;
        *) OUT="$arg" ;;
    esac
done
OUT="${OUT:-${WHEELS_DIR:-$ROOT/dist/wheels}}"
VPY="$ROOT/.venv/bin/python"

say() { printf '[wheels] %s\n' "$*" >&2; }
die() {
    printf '[wheels] 错误：%s\n' "$*" >&2
    exit 1
}

[ -x "$VPY" ] || die "没有找到 $VPY；请先运行 scripts/setup.sh 建立开发环境"

start=$(date +%s)
"$VPY" "$ROOT/scripts/wheel_kit.py" --out "$OUT" "${OCR[@]}"
took=$(($(date +%s) - start))

count=$(find "$OUT" -maxdepth 1 -name '*.whl' | wc -l)
size=$(du -sh "$OUT" | cut -f1)
say "完成：$OUT"
say "共 $count 个 wheel，合计 $size，用时 ${took} 秒"
if [ "${#OCR[@]}" -gt 0 ]; then
    say "Linux 上安装：sh $OUT/install.sh --ocr；Windows 上：install.bat --ocr（不加 --ocr 则不装扫描件识别）"
else
    say "Linux 上安装：sh $OUT/install.sh；Windows 上：双击 install.bat"
fi
