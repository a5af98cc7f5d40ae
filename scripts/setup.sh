#!/usr/bin/env bash
# 政府信息公开年报助手：一键准备运行与测试环境（Linux / macOS）。
#
# 做三件事，均可重复执行（幂等）：
#   1. Debian/Ubuntu 上安装 PySide6（Qt 6）运行所需的系统库、PDF 用的 TrueType 字体（黑体、宋体、
#      楷体和 Times New Roman 同宽的西文字体），以及测试用的
#      LibreOffice Writer 和 Calc（无界面版）和 poppler-utils（只安装缺少的包；全部已装时不联网、不调用 apt）；
#   2. 用 Python 3.11+ 创建 .venv；
#   3. pip install -e ".[test,ocr]"（editable_mode=compat；ocr 是读取扫描件用的 onnxruntime 和 numpy，
#      测试和 run.sh 启动的程序都用它），以 pyproject.toml 的 sha256 和安装方式作为标记，未变时跳过安装。
#
# 可用环境变量：
#   PYTHON=/path/to/python3.x   指定用来创建 .venv 的解释器（需 3.11 及以上）
#   SETUP_SKIP_APT=1            不检查、不安装系统包
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
VPY="$VENV/bin/python"

# 所有提示写到 stderr，避免污染 CLI 的标准输出（run.sh 会在本脚本之后运行 main.py）。
say() { printf '[setup] %s\n' "$*" >&2; }
warn() { printf '[setup] 警告：%s\n' "$*" >&2; }
die() {
    printf '[setup] 错误：%s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------------------
# 1. 找到 Python 3.11+
# ---------------------------------------------------------------------------
py_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    local cand
    for cand in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$cand" ] || continue
        command -v "$cand" >/dev/null 2>&1 || continue
        if py_ok "$cand"; then
            command -v "$cand"
            return 0
        fi
    done
    return 1
}

PY=""
if [ -x "$VPY" ] && py_ok "$VPY"; then
    : # 已有可用的 .venv，不需要再找系统 Python（除非后面要装 python3-venv，见下）
elif ! PY="$(find_python)"; then
    found=""
    if command -v python3 >/dev/null 2>&1; then
        found="$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || echo '未知')"
    fi
    if [ -n "$found" ]; then
        die "需要 Python 3.11 或更高版本，但找到的 python3 是 ${found}。请安装 Python 3.11+（例如 apt-get install python3.11 或使用 pyenv），或用 PYTHON=/path/to/python3.11 指定解释器后重试。"
    else
        die "没有找到 python3。请先安装 Python 3.11 或更高版本，或用 PYTHON=/path/to/python3.11 指定解释器后重试。"
    fi
fi

# ---------------------------------------------------------------------------
# 2. 系统包（仅 Debian/Ubuntu）
# ---------------------------------------------------------------------------
# 每项可写成 "首选名|备选名"：任一已安装即视为满足；安装时取第一个在软件源中存在的名字
# （Ubuntu 24.04 / Debian 13 起部分库改名为 *t64）。
APT_PACKAGES=(
    # Qt 核心、offscreen 平台与字体渲染
    "libglib2.0-0t64|libglib2.0-0"
    libfontconfig1
    libfreetype6
    fontconfig
    libdbus-1-3
    libegl1
    libgl1
    libxkbcommon0
    libgssapi-krb5-2
    # xcb 平台（X11 桌面）
    libxkbcommon-x11-0
    libx11-6
    libx11-xcb1
    libxcb1
    libxcb-cursor0
    libxcb-icccm4
    libxcb-image0
    libxcb-keysyms1
    libxcb-randr0
    libxcb-render0
    libxcb-render-util0
    libxcb-shape0
    libxcb-shm0
    libxcb-sync1
    libxcb-util1
    libxcb-xfixes0
    libxcb-xinerama0
    libxcb-xkb1
    libxcb-glx0
    libxrender1
    libxi6
    libsm6
    libice6
    # wayland 平台（Wayland 桌面）
    libwayland-client0
    libwayland-cursor0
    libwayland-egl1
    # PDF 字体，都是 TrueType（glyf 轮廓，reportlab 可以嵌入；Noto CJK、思源是 CFF，不行）。
    # 不装 fonts-noto-cjk（56 MB）：LibreOffice 用它排版的 PDF 已存为测试数据（tests/data/office）。
    # 黑体（一级标题）：文泉驿正黑。
    fonts-wqy-zenhei
    # 宋体（表格、页码；也代替没有自由字体的仿宋正文和小标宋标题）、楷体（二级标题）：文鼎 AR PL
    # SungtiL GB、KaitiM GB，单个 .ttf，GB2312 字形，合计下载 4 MB。不用同源的 fonts-arphic-uming/ukai
    # （.ttc，合计 16 MB，简体字形相同）；不写成“a|b”备选，好让每台机器印出同样的 PDF（测试按它们比对）。
    fonts-arphic-gbsn00lp
    fonts-arphic-gkai00mp
    # 数字和西文：Liberation Serif（与 Times New Roman 字宽相同，TrueType，下载 0.8 MB）。
    fonts-liberation
    # 测试用工具（tests 中标为 needs_tool 的测试；CI 里缺少即失败）：
    # LibreOffice Writer（无界面版）把导出的 DOCX 打印成 PDF，pdffonts（poppler-utils）查看 PDF 嵌入的字体
    "libreoffice-writer-nogui|libreoffice-writer"
    # LibreOffice Calc（无界面版）重新计算导出的汇总表（XLSX）中的公式，核对合计
    "libreoffice-calc-nogui|libreoffice-calc"
    poppler-utils
)

pkg_installed() { # $1 = "a|b|c"
    local alt
    local IFS='|'
    for alt in $1; do
        [ -n "${INSTALLED[$alt]+x}" ] && return 0
    done
    return 1
}

apt_candidate() { # 输出第一个有安装候选的名字
    local alt policy
    local IFS='|'
    for alt in $1; do
        # 先取完整输出再匹配：管道里用 grep -q 会在 pipefail 下因 SIGPIPE 误判失败。
        policy="$(apt-cache policy "$alt" 2>/dev/null || true)"
        if [[ "$policy" == *"Candidate: "[!\(]* ]]; then
            printf '%s\n' "$alt"
            return 0
        fi
    done
    return 1
}

if [ "${SETUP_SKIP_APT:-0}" != "1" ] && [ -f /etc/debian_version ] \
    && command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then

    # 用系统 Python 建 venv 时，Debian 把 ensurepip 拆在 python3.X-venv 包里。
    if [ -n "$PY" ] && ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        pyminor="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
        APT_PACKAGES+=("python${pyminor}-venv|python3-venv")
    fi

    # 一次 dpkg-query 查出全部已安装的包（比逐个 dpkg -s 快；不联网）。
    declare -A INSTALLED=()
    all_names=()
    for spec in "${APT_PACKAGES[@]}"; do
        IFS='|' read -r -a alts <<<"$spec"
        all_names+=("${alts[@]}")
    done
    while read -r name status; do
        [ "$status" = "installed" ] && INSTALLED["$name"]=1
    done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${all_names[@]}" 2>/dev/null || true)

    missing=()
    for spec in "${APT_PACKAGES[@]}"; do
        pkg_installed "$spec" || missing+=("$spec")
    done

    if [ "${#missing[@]}" -gt 0 ]; then
        SUDO=()
        can_install=1
        if [ "$(id -u)" -ne 0 ]; then
            if command -v sudo >/dev/null 2>&1; then
                if [ -t 0 ]; then SUDO=(sudo); else SUDO=(sudo -n); fi
            else
                can_install=0
            fi
        fi
        if [ "$can_install" -eq 0 ]; then
            warn "缺少以下系统包，但当前不是 root 且没有 sudo，无法自动安装："
            warn "  ${missing[*]//|/ 或 }"
            warn "请让管理员执行：apt-get install --no-install-recommends ${missing[*]%%|*}"
            warn "继续安装 Python 依赖；缺少这些包时界面或中文字体可能无法正常工作，"
            warn "需要 LibreOffice、pdffonts 的测试会被跳过（CI 中则判为失败）。"
        else
            export DEBIAN_FRONTEND=noninteractive
            say "安装缺少的系统包：${missing[*]//|/ 或 }"
            if ! "${SUDO[@]}" apt-get update -q >&2; then
                warn "apt-get update 失败，仍尝试用现有软件源列表安装。"
            fi
            to_install=()
            for spec in "${missing[@]}"; do
                if name="$(apt_candidate "$spec")"; then
                    to_install+=("$name")
                else
                    warn "软件源中没有 ${spec//|/ 或 }，已跳过。"
                fi
            done
            if [ "${#to_install[@]}" -gt 0 ]; then
                if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${to_install[@]}" >&2; then
                    warn "apt-get install 失败。请手动安装：${to_install[*]}"
                fi
            fi
        fi
    fi
fi

# ---------------------------------------------------------------------------
# 3. 虚拟环境 .venv
# ---------------------------------------------------------------------------
if [ -e "$VENV" ] && ! { [ -x "$VPY" ] && py_ok "$VPY"; }; then
    say ".venv 不可用（解释器缺失或版本低于 3.11），将重新创建。"
    rm -rf "$VENV"
fi

if [ ! -x "$VPY" ]; then
    [ -n "$PY" ] || PY="$(find_python)" || die "没有找到 Python 3.11+。"
    say "用 $PY（$("$PY" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')）创建 .venv …"
    if ! "$PY" -m venv "$VENV"; then
        rm -rf "$VENV"
        die "创建虚拟环境失败。Debian/Ubuntu 上请安装 python3-venv（或 python3.X-venv）后重试。"
    fi
fi

# ---------------------------------------------------------------------------
# 4. 安装项目及测试依赖（pyproject.toml 未变时跳过）
# ---------------------------------------------------------------------------
if command -v sha256sum >/dev/null 2>&1; then
    HASH="$(sha256sum pyproject.toml | cut -d' ' -f1)"
elif command -v shasum >/dev/null 2>&1; then
    HASH="$(shasum -a 256 pyproject.toml | cut -d' ' -f1)"
else
    HASH="$("$VPY" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' pyproject.toml)"
fi
# The way the project is installed (and with which extras) is part of the stamp too: a change to it
# installs again.
EXTRAS="test,ocr"
INSTALL_MODE="editable-compat-${EXTRAS//,/-}"
STAMP="$VENV/.installed-$HASH-$INSTALL_MODE"

if [ -f "$STAMP" ]; then
    say "环境已就绪（.venv，依赖无变化，跳过安装）。"
    exit 0
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# 可编辑安装（PEP 660）需要 pip >= 21.3；这里要求 >= 22，够新就不升级（不联网）。
if ! "$VPY" -c 'import sys, pip; sys.exit(0 if int(pip.__version__.split(".")[0]) >= 22 else 1)' >/dev/null 2>&1; then
    say "升级 .venv 中的 pip …"
    "$VPY" -m pip install -q --upgrade pip >&2 || die "升级 pip 失败。"
fi

# Packages earlier versions of the project used and that now conflict with its pins.
if "$VPY" -m pip show -q PySide6-Pdf >/dev/null 2>&1; then
    "$VPY" -m pip uninstall -q -y PySide6-Pdf >&2 || true
fi

# editable_mode=compat puts the project folder on sys.path with a plain .pth line. The default mode
# imports a finder module at every interpreter start (about 30 ms of every `main.py export`).
say "安装项目依赖（pip install -e \".[$EXTRAS]\"），首次可能需要几分钟 …"
if ! "$VPY" -m pip install -q -e ".[$EXTRAS]" --config-settings editable_mode=compat >&2; then
    die "pip 安装依赖失败，请查看上面的错误信息（网络、磁盘空间或 pyproject.toml）。"
fi

say "自检：导入依赖并在 offscreen 模式下用 Qt 绘制中文 …"
if ! "$VPY" scripts/check_env.py >&2; then
    die "环境自检失败。若提示缺少 .so 库，请安装上面列出的系统包；可设置 QT_DEBUG_PLUGINS=1 查看 Qt 插件加载细节。"
fi

rm -f "$VENV"/.installed-*
touch "$STAMP"
say "环境已就绪。"
