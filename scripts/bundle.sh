#!/usr/bin/env bash
# 政府信息公开年报助手：打包成不需要 Python 的单文件夹程序（PyInstaller），可再做成 Debian 安装包。
#
#   scripts/bundle.sh            生成 dist/gov-report/（可执行文件 dist/gov-report/gov-report：
#                                不带参数打开程序窗口，带参数运行命令行，与 main.py 相同）
#   scripts/bundle.sh --deb      同上，再生成 dist/gov-report_<版本>_amd64.deb（dpkg-deb）
#   scripts/bundle.sh --ocr      生成能读取扫描件的 dist/gov-report-ocr/（另带 onnxruntime、numpy 和
#                                PP-OCRv4 识别模型）；与 --deb 同用时生成 gov-report_<版本>_ocr_amd64.deb
#   scripts/bundle.sh --wheels   改为下载离线安装用的 wheel 包（scripts/wheels.sh；加 --ocr 时含扫描件识别）
#
# 用项目自己的 .venv（没有时先运行 scripts/setup.sh）；其中没有 PyInstaller 时用 pip 安装（需要联网一次）。
# 打包规则在 scripts/gov-report.spec：只含程序用到的 Qt 模块、X11/Wayland/offscreen 平台插件、Qt 的
# 简体中文翻译，不含测试和开发用的包；字体不打包，用系统的字体。
#
# 环境变量：BUNDLE_SKIP_BUILD=1  --deb 时不重新打包，直接用已有的 dist/gov-report/
#           BUNDLE_APP=文件夹    --deb 时把另一个已打包的文件夹做成 .deb（如 bundle_compat.sh 的
#                                dist/gov-report-glibc2.31/，得到 gov-report_<版本>_glibc<版本>_amd64.deb）
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '[bundle] %s\n' "$*" >&2; }
die() {
    printf '[bundle] 错误：%s\n' "$*" >&2
    exit 1
}

DEB=0
OCR=0
rest=()
for arg in "$@"; do
    case "$arg" in
        --wheels)
            # The offline wheel kit is its own script; the other arguments go to it.
            args=()
            for other in "$@"; do [ "$other" = "--wheels" ] || args+=("$other"); done
            exec bash "$ROOT/scripts/wheels.sh" "${args[@]}"
            ;;
        --deb) DEB=1 ;;
        --ocr) OCR=1 ;;
        -h | --help)
            sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *) rest+=("$arg") ;;
    esac
done
[ "${#rest[@]}" -eq 0 ] || die "不认识的参数：${rest[*]}（用 --help 查看用法）"

VPY="$ROOT/.venv/bin/python"
DIST="$ROOT/dist"
# The flavour built here: the base one, or with --ocr the one that reads scans (scripts/gov-report.spec).
BUILT="$DIST/gov-report"
WORK="$ROOT/build/pyinstaller"
if [ "$OCR" = "1" ]; then
    BUILT="$DIST/gov-report-ocr"
    WORK="$ROOT/build/pyinstaller-ocr"
fi
APP="${BUNDLE_APP:-$BUILT}"  # BUNDLE_APP: package another built folder (bundle_compat.sh's)
[ "$APP" = "$BUILT" ] || [ "$DEB" = "1" ] || die "BUNDLE_APP 只用于 --deb（把已打包的文件夹做成 .deb）。"

version() {
    "$VPY" -c 'import tomllib, sys; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' \
        "$ROOT/pyproject.toml"
}

# The lowest glibc and libstdc++ the bundle's binaries ask for (their versioned symbols), for the
# package's Depends: dpkg then refuses a system too old instead of the program failing at start.
symbol_floor() { # $1 = GLIBC | GLIBCXX
    find "$APP" -type f \( -name '*.so*' -o -name gov-report \) -exec objdump -T {} + 2>/dev/null \
        | grep -oE "\\b$1_[0-9]+(\\.[0-9]+)+" | sed "s/^$1_//" | sort -V | tail -1
}

build_bundle() {
    if [ ! -x "$VPY" ]; then
        say "没有 .venv，先运行 scripts/setup.sh …"
        bash "$ROOT/scripts/setup.sh"
    fi
    if ! "$VPY" -c 'import PyInstaller' >/dev/null 2>&1; then
        say "在 .venv 中安装 PyInstaller（pip install \"pyinstaller>=6\"）…"
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$VPY" -m pip install -q "pyinstaller>=6" >&2 \
            || die "安装 PyInstaller 失败（需要联网；也可以 pip install \".[bundle]\"）。"
    fi
    command -v readelf >/dev/null 2>&1 && command -v objdump >/dev/null 2>&1 \
        || die "需要 binutils（readelf、objdump）：apt-get install binutils"
    if [ "$OCR" = "1" ] && ! "$VPY" -c 'import onnxruntime, numpy' >/dev/null 2>&1; then
        die ".venv 中没有 onnxruntime 和 numpy：先运行 scripts/setup.sh（或 .venv/bin/pip install \".[ocr]\"）。"
    fi

    say "PyInstaller 打包 ${APP#"$ROOT"/}/ …"
    local start end
    start=$(date +%s)
    rm -rf "$APP"
    GOV_REPORT_BUNDLE_OCR="$OCR" "$VPY" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" \
        --workpath "$WORK" "$ROOT/scripts/gov-report.spec" >&2 || die "PyInstaller 打包失败，请查看上面的信息。"
    end=$(date +%s)

    # The bundle must run without the venv: its help from a bare environment.
    env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" LANG=C.UTF-8 "$APP/gov-report" --help >/dev/null \
        || die "打包出的程序无法运行：$APP/gov-report --help 失败。"
    say "已生成 $APP（$(du -sh "$APP" | cut -f1)，用时 $((end - start)) 秒；运行需要 glibc $(symbol_floor GLIBC) 及以上）。"
}

build_deb() {
    [ -x "$APP/gov-report" ] || die "没有 $APP/gov-report，请先打包。"
    command -v dpkg-deb >/dev/null 2>&1 || die "需要 dpkg-deb（Debian/Ubuntu/统信UOS/麒麟 自带）。"
    local ver glibc cxx gcc stage deb
    ver="$(version)"
    glibc="$(symbol_floor GLIBC)"
    cxx="$(symbol_floor GLIBCXX)"
    # GLIBCXX_3.4.N comes with GCC: 3.4.28 = 10, 29 = 11, 30 = 12, 31/32 = 13, 33 = 14.
    case "$cxx" in
        3.4.2[0-8] | 3.4.1* | "") gcc="" ;;
        3.4.29) gcc=11 ;;
        3.4.30) gcc=12 ;;
        3.4.31 | 3.4.32) gcc=13 ;;
        *) gcc=14 ;;
    esac

    stage="$ROOT/build/deb/gov-report"
    rm -rf "$stage"
    mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
        "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/icons/hicolor/48x48/apps" \
        "$stage/usr/share/icons/hicolor/scalable/apps"
    cp -a "$APP" "$stage/opt/gov-report"
    ln -s /opt/gov-report/gov-report "$stage/usr/bin/gov-report"
    install -m 0644 "$ROOT/packaging/gov-report.desktop" "$stage/usr/share/applications/gov-report.desktop"
    install -m 0644 "$ROOT/packaging/gov-report.png" "$stage/usr/share/icons/hicolor/256x256/apps/gov-report.png"
    install -m 0644 "$ROOT/packaging/gov-report-48.png" "$stage/usr/share/icons/hicolor/48x48/apps/gov-report.png"
    install -m 0644 "$ROOT/packaging/gov-report.svg" "$stage/usr/share/icons/hicolor/scalable/apps/gov-report.svg"
    chmod -R u=rwX,go=rX "$stage"

    # The system libraries the bundle leaves to the system (scripts/gov-report.spec, SYSTEM_LIBS; the
    # BUNDLE=1 test checks every library the bundle needs is in it or in one of these), then the
    # TrueType fonts the PDFs use (as scripts/setup.sh installs them). "a | b": Debian 13 and Ubuntu
    # 24.04 renamed some libraries (*t64); the older names are those of Debian 10-12, 统信UOS and 麒麟.
    local depends=(
        "libc6 (>= ${glibc})"
        "libstdc++6${gcc:+ (>= ${gcc})}"
        libgcc-s1
        "libglib2.0-0t64 | libglib2.0-0"
        libfontconfig1
        libfreetype6
        libdbus-1-3
        "libcups2t64 | libcups2"
        libgssapi-krb5-2
        libegl1
        libgl1
        libxkbcommon0
        libxkbcommon-x11-0
        libx11-6
        libx11-xcb1
        libxcb1
        libxcb-glx0
        libxcb-randr0
        libxcb-render0
        libxcb-shape0
        libxcb-shm0
        libxcb-sync1
        libxcb-xfixes0
        libxcb-xkb1
        libwayland-client0
        libwayland-cursor0
        libwayland-egl1
        libbrotli1
        liblzma5
        libuuid1
        zlib1g
        libzstd1
        fontconfig
        "fonts-wqy-zenhei | fonts-wqy-microhei"
        "fonts-arphic-gbsn00lp | fonts-arphic-uming"
    )
    local recommends=(fonts-arphic-gkai00mp fonts-liberation "libreoffice-writer-nogui | libreoffice-writer")
    local joined_dep joined_rec size
    joined_dep="$(printf '%s, ' "${depends[@]}")"
    joined_rec="$(printf '%s, ' "${recommends[@]}")"
    size="$(du -sk "$stage" --exclude=DEBIAN | cut -f1)"
    cat >"$stage/DEBIAN/control" <<CONTROL
Package: gov-report
Version: ${ver}
Section: misc
Priority: optional
Architecture: amd64
Maintainer: 政府信息公开年报助手 <gov-report@localhost>
Installed-Size: ${size}
Depends: ${joined_dep%, }
Recommends: ${joined_rec%, }
Description: 政府信息公开年报助手 (Government information disclosure annual report assistant)
 填写、检查、打印和发布政府信息公开工作年度报告：按国务院办公厅的格式填写，
 检查表格中的数字是否对得上，导出 Word、PDF、网页。命令 gov-report，
 不带参数打开程序窗口，gov-report --help 查看命令行用法。
 .
 Fill in, check, print and publish the annual report on government
 information disclosure (the State Council's format). Self-contained:
 Python and Qt are bundled under /opt/gov-report.
CONTROL
    # No maintainer scripts: the menus' and icon caches are refreshed by the dpkg triggers of
    # desktop-file-utils (/usr/share/applications) and hicolor-icon-theme (/usr/share/icons/hicolor)
    # where those are installed, and without a postrm `dpkg -r` leaves no trace (not even the
    # "config-files" record that only `dpkg -P` would clear).

    # The same package either way (installing one replaces the other); the file says which flavour.
    deb="$DIST/gov-report_${ver}_amd64.deb"
    [ "$OCR" = "1" ] && deb="$DIST/gov-report_${ver}_ocr_amd64.deb"
    # Another folder (BUNDLE_APP, e.g. bundle_compat.sh's for glibc 2.30): the file says which glibc.
    [ "$APP" = "$BUILT" ] || deb="$DIST/gov-report_${ver}_glibc${glibc}_amd64.deb"
    rm -f "$deb"
    local start end
    start=$(date +%s)
    dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2 || die "dpkg-deb 失败。"
    end=$(date +%s)
    say "已生成 $deb（$(du -h "$deb" | cut -f1)，用时 $((end - start)) 秒；需要 glibc ${glibc} 及以上）。"
}

if [ "$APP" != "$BUILT" ]; then
    [ -x "$APP/gov-report" ] || die "BUNDLE_APP=$APP 中没有 gov-report 可执行文件。"
    say "使用已有的 $APP（BUNDLE_APP）。"
elif [ "$DEB" = "1" ] && [ "${BUNDLE_SKIP_BUILD:-0}" = "1" ] && [ -x "$APP/gov-report" ]; then
    say "使用已有的 $APP（BUNDLE_SKIP_BUILD=1）。"
else
    build_bundle
fi
[ "$DEB" = "1" ] && build_deb
exit 0
