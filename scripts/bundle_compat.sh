#!/usr/bin/env bash
# 政府信息公开年报助手：在 Debian 11 (bullseye, glibc 2.31) 的 chroot 里打包，得到能在较老系统上运行的程序文件夹。
#
#   sudo scripts/bundle_compat.sh     生成 dist/gov-report-glibc2.31/（与 scripts/bundle.sh 的 dist/gov-report/
#                                     相同的打包规则 scripts/gov-report.spec，但只需要 glibc 2.31 及以上，
#                                     可在 麒麟 V10 等 glibc 2.31 的系统上运行；统信UOS V20 是 glibc 2.28，
#                                     这样打出的包仍然不能运行）
#
# 为什么：在本机（Debian 12）打的包要 glibc 2.35 以上（本机的 Python 和 PySide6 6.11 用到新版本的符号）。
# 做法：debootstrap 一个 bullseye 系统到 $COMPAT_CHROOT，在里面从源码编译 Python 3.11（--enable-shared），
# 建虚拟环境装程序的依赖（PySide6-Essentials 6.9.x：有 manylinux_2_28 的 wheel），用 git archive 取
# 当前提交（HEAD，不含未提交的修改）的源码，运行 PyInstaller；最后检查包里所有 ELF 文件要求的 glibc 版本。
# 第一次运行要下载约 250 MB、编译 Python（双核约 6 分钟），共约 9 分钟；chroot（约 2.2 GB）保留着，
# 再次运行只重新打包（约 1 分钟）。
#
# 需要：root、debootstrap（没有时 apt-get 安装）、能访问 deb.debian.org 和 PyPI。
# 环境变量：
#   COMPAT_CHROOT=/var/tmp/gov-report-bullseye   chroot 的位置（保留，重复使用；不用时 umount 检查后 rm -rf）
#   COMPAT_MIRROR=http://deb.debian.org/debian   Debian 镜像
#   COMPAT_PYTHON_SRC=/path/Python-3.11.x.tar.*  已下载的 Python 源码包；没有时先试 python.org，
#                                                再用 Debian bookworm 的 python3.11 源码包里的上游源码
#   COMPAT_PYSIDE='PySide6-Essentials==6.9.*'    包里用的 PySide6（6.10 以后的 wheel 要 glibc 2.34 以上）
#   COMPAT_JOBS=2                                编译 Python 的并行数（以 nice -n 10 运行）
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CHROOT="${COMPAT_CHROOT:-/var/tmp/gov-report-bullseye}"
MIRROR="${COMPAT_MIRROR:-http://deb.debian.org/debian}"
PYSIDE="${COMPAT_PYSIDE:-PySide6-Essentials==6.9.*}"
JOBS="${COMPAT_JOBS:-2}"
GLIBC_MAX="2.31"
OUT="$ROOT/dist/gov-report-glibc${GLIBC_MAX}"
PY_VERSION_WANTED="3.11.9"

say() { printf '[bundle-compat] %s\n' "$*" >&2; }
die() {
    printf '[bundle-compat] 错误：%s\n' "$*" >&2
    exit 1
}
step_start=0
step() {
    step_start=$(date +%s)
    say "$*"
}
step_done() { say "  完成，用时 $(($(date +%s) - step_start)) 秒。"; }

case "${1:-}" in
    -h | --help)
        sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    "") ;;
    *) die "不认识的参数：$*（用 --help 查看用法）" ;;
esac

[ "$(id -u)" = "0" ] || die "需要 root（debootstrap、chroot、mount）：sudo $0"
command -v git >/dev/null 2>&1 || die "需要 git（用 git archive 取源码）。"
command -v objdump >/dev/null 2>&1 || die "需要 binutils（objdump）：apt-get install binutils"

# ---- mounts, undone on every exit --------------------------------------------------------------
MOUNTED=()
DEBSRC_TMP=""
cleanup() {
    local i
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTED[$i]}" 2>/dev/null || umount -l "${MOUNTED[$i]}" 2>/dev/null \
            || printf '[bundle-compat] 警告：无法卸载 %s\n' "${MOUNTED[$i]}" >&2
    done
    if [ -n "$DEBSRC_TMP" ] && [ -e "$DEBSRC_TMP" ]; then
        rm -f "$DEBSRC_TMP"
        apt-get update -qq >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_in() { # $1 = type or "bind", $2 = source, $3 = target inside the chroot
    local target="$CHROOT$3"
    mkdir -p "$target"
    mountpoint -q "$target" && return 0
    if [ "$1" = "bind" ]; then
        mount --bind "$2" "$target"
    else
        mount -t "$1" "$2" "$target"
    fi
    MOUNTED+=("$target")
}

# The host's proxy settings and certificate authorities go into the chroot: where HTTPS passes a
# proxy that signs with a local CA (update-ca-certificates on the host), pip in the chroot needs it.
PASS_ENV=()
for var in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -n "${!var:-}" ] && PASS_ENV+=("$var=${!var}")
done
HOST_CA="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
in_chroot() { # runs bash -c "$1" in the chroot with a clean environment
    local ca=()
    [ -s "$CHROOT/etc/ssl/certs/host-ca-certificates.crt" ] && ca=(PIP_CERT=/etc/ssl/certs/host-ca-certificates.crt)
    chroot "$CHROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "${PASS_ENV[@]}" "${ca[@]}" /bin/bash -euo pipefail -c "$1"
}

# ---- 1. the bullseye system ---------------------------------------------------------------------
# (debootstrap removes $CHROOT/debootstrap/ when it has finished)
if [ ! -x "$CHROOT/usr/bin/apt-get" ] || [ -d "$CHROOT/debootstrap" ]; then
    if ! command -v debootstrap >/dev/null 2>&1; then
        say "安装 debootstrap …"
        apt-get install -y debootstrap >&2 || die "安装 debootstrap 失败。"
    fi
    step "debootstrap bullseye → $CHROOT（约 5 分钟）…"
    debootstrap --variant=minbase bullseye "$CHROOT" "$MIRROR" >&2 || die "debootstrap 失败。"
    step_done
fi
grep -q '^11' "$CHROOT/etc/debian_version" || die "$CHROOT 不是 Debian 11 (bullseye)。"

mount_in proc proc /proc
mount_in sysfs sysfs /sys
mount_in bind /dev /dev
mountpoint -q /dev/pts && mount_in bind /dev/pts /dev/pts
mountpoint -q /dev/shm && mount_in bind /dev/shm /dev/shm
cp -L /etc/resolv.conf "$CHROOT/etc/resolv.conf"
if [ -s "$HOST_CA" ]; then
    mkdir -p "$CHROOT/etc/ssl/certs"
    cp -L "$HOST_CA" "$CHROOT/etc/ssl/certs/host-ca-certificates.crt"
fi

# ---- 2a. build tools and the libraries PyInstaller follows from Qt's -------------------------------
if [ ! -e "$CHROOT/.gov-report-deps-ok" ]; then
    step "在 chroot 中安装编译工具和 Qt 需要的库 …"
    in_chroot '
        apt-get update -qq
        pkgs="build-essential pkg-config xz-utils ca-certificates binutils file
              libssl-dev zlib1g-dev libffi-dev libsqlite3-dev libbz2-dev liblzma-dev uuid-dev
              libreadline-dev libncursesw5-dev libgdbm-dev
              libgl1 libegl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
              libdbus-1-3 libglib2.0-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
              libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libxcb-sync1
              libxcb-shm0 libxcb-glx0 libxcb-util1 libx11-xcb1 libcups2 libgssapi-krb5-2
              libwayland-client0 libwayland-cursor0 libwayland-egl1 libbrotli1 libzstd1"
        # Qt 6.5+ needs libxcb-cursor0 for X11 and PySide6 brings none (bullseye has it; guarded in case a
        # mirror or an older base lacks it: then the bundle needs the one of the system)
        if apt-cache show libxcb-cursor0 >/dev/null 2>&1; then pkgs="$pkgs libxcb-cursor0"; fi
        apt-get install -y -q --no-install-recommends $pkgs >/dev/null
    ' || die "安装 chroot 中的软件包失败。"
    touch "$CHROOT/.gov-report-deps-ok"
    step_done
fi

# ---- 2b. Python 3.11 from source ----------------------------------------------------------------
if [ ! -x "$CHROOT/opt/py311/bin/python3.11" ]; then
    mkdir -p "$CHROOT/usr/src/py311"
    src="${COMPAT_PYTHON_SRC:-}"
    if [ -z "$src" ]; then
        src="$(ls "$CHROOT"/usr/src/py311/Python-3.11.*.tar.* "$CHROOT"/usr/src/py311/python3.11_3.11.*.orig.tar.* \
            2>/dev/null | head -1 || true)"
    fi
    if [ -z "$src" ]; then
        step "取 Python 3.11 源码 …"
        url="https://www.python.org/ftp/python/$PY_VERSION_WANTED/Python-$PY_VERSION_WANTED.tar.xz"
        if curl -sfI -m 15 "$url" >/dev/null 2>&1; then
            curl -sf -m 600 -o "$CHROOT/usr/src/py311/Python-$PY_VERSION_WANTED.tar.xz" "$url" \
                || die "下载 $url 失败。"
            src="$CHROOT/usr/src/py311/Python-$PY_VERSION_WANTED.tar.xz"
        else
            # python.org unreachable: the upstream tarball inside Debian bookworm's source package
            # (a temporary deb-src line, removed again by cleanup).
            say "  python.org 无法访问，改用 Debian bookworm 的 python3.11 源码包（上游源码）…"
            DEBSRC_TMP=/etc/apt/sources.list.d/gov-report-deb-src-tmp.list
            echo "deb-src $MIRROR bookworm main" >"$DEBSRC_TMP"
            apt-get update -qq >&2 || die "apt-get update 失败。"
            (cd "$CHROOT/usr/src/py311" && apt-get source --download-only python3.11 >&2) \
                || die "apt-get source python3.11 失败。"
            rm -f "$DEBSRC_TMP"
            apt-get update -qq >&2 || true
            DEBSRC_TMP=""
            src="$(ls "$CHROOT"/usr/src/py311/python3.11_3.11.*.orig.tar.* | head -1)"
        fi
        step_done
    fi
    [ -f "$src" ] || die "没有 Python 源码包：$src"
    case "$src" in
        "$CHROOT"/*) ;;
        *) cp "$src" "$CHROOT/usr/src/py311/" && src="$CHROOT/usr/src/py311/$(basename "$src")" ;;
    esac
    step "在 chroot 中编译 Python（$(basename "$src")；nice -n 10，make -j$JOBS）…"
    in_chroot "
        cd /usr/src/py311
        rm -rf build && mkdir build && tar -xf '${src#"$CHROOT"}' -C build --strip-components=1
        cd build
        nice -n 10 ./configure --prefix=/opt/py311 --enable-shared LDFLAGS=-Wl,-rpath,/opt/py311/lib >/dev/null
        nice -n 10 make -j$JOBS >/dev/null 2>build.err || { tail -30 build.err; exit 1; }
        nice -n 10 make install >/dev/null 2>install.err || { tail -30 install.err; exit 1; }
        /opt/py311/bin/python3.11 -c 'import ssl, sqlite3, ctypes, bz2, lzma, zlib, uuid; print(ssl.OPENSSL_VERSION)'
    " >&2 || die "编译 Python 失败。"
    step_done
fi

# ---- 3. the app's dependencies, the source, PyInstaller ------------------------------------------
step "在 chroot 中准备虚拟环境 /opt/build-venv（$PYSIDE，pyinstaller>=6）…"
rm -rf "$CHROOT/src"
mkdir -p "$CHROOT/src"
git -C "$ROOT" archive --format=tar HEAD | tar -x -C "$CHROOT/src"
in_chroot "
    [ -x /opt/build-venv/bin/python ] || /opt/py311/bin/python3.11 -m venv /opt/build-venv
    cd /src
    /opt/build-venv/bin/python - '$PYSIDE' >/tmp/requirements.txt <<'PY'
import re, sys, tomllib
deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']
for dep in deps:
    name = re.split(r'[<>=!~; \[]', dep, maxsplit=1)[0]
    print(sys.argv[1] if name.lower() == 'pyside6-essentials' else dep)
print('pyinstaller>=6')
PY
    /opt/build-venv/bin/python -m pip install -q --upgrade pip
    /opt/build-venv/bin/python -m pip install -q --prefer-binary \
        --only-binary PySide6-Essentials,shiboken6,lxml,pillow,pypdfium2,reportlab -r /tmp/requirements.txt
    /opt/build-venv/bin/python -c 'import PySide6, PyInstaller; print(\"PySide6\", PySide6.__version__, \"PyInstaller\", PyInstaller.__version__)'
" >&2 || die "安装依赖失败（需要能访问 PyPI）。"
step_done

step "在 chroot 中用 PyInstaller 打包 …"
in_chroot "
    cd /src
    /opt/build-venv/bin/python -m PyInstaller --noconfirm --log-level WARN --distpath /src/dist \
        --workpath /src/build/pyinstaller /src/scripts/gov-report.spec
" >&2 || die "PyInstaller 打包失败，请查看上面的信息。"
step_done

# ---- 4. check: glibc floor, runs on bullseye itself ----------------------------------------------
symbol_floor() { # $1 = folder, $2 = GLIBC | GLIBCXX (as scripts/bundle.sh)
    find "$1" -type f \( -name '*.so*' -o -name gov-report \) -exec objdump -T {} + 2>/dev/null \
        | grep -oE "\\b$2_[0-9]+(\\.[0-9]+)+" | sed "s/^$2_//" | sort -V | tail -1
}
floor="$(symbol_floor "$CHROOT/src/dist/gov-report" GLIBC)"
cxx="$(symbol_floor "$CHROOT/src/dist/gov-report" GLIBCXX)"
[ -n "$floor" ] || die "无法读出包里的 glibc 版本要求（objdump）。"
if [ "$(printf '%s\n%s\n' "$floor" "$GLIBC_MAX" | sort -V | tail -1)" != "$GLIBC_MAX" ]; then
    bad="$(find "$CHROOT/src/dist/gov-report" -type f \( -name '*.so*' -o -name gov-report \) \
        | while read -r f; do objdump -T "$f" 2>/dev/null | grep -q "GLIBC_$floor\b" && echo "${f##*/}"; done \
        | head -5 | tr '\n' ' ' || true)"
    die "包里有文件要求 glibc $floor（高于 $GLIBC_MAX）：$bad"
fi

step "在 chroot（glibc $(in_chroot 'ldd --version | head -1 | grep -oE "[0-9]+\.[0-9]+$"')）中试运行 …"
in_chroot "
    rm -rf /tmp/gov-report-try && mkdir -p /tmp/gov-report-try
    export HOME=/tmp/gov-report-try GOV_REPORT_DATA_DIR=/tmp/gov-report-try/data QT_QPA_PLATFORM=offscreen
    /src/dist/gov-report/gov-report --help >/dev/null
    set +e
    /src/dist/gov-report/gov-report check /src/tests/data/seed-2020-tiexi.json >/tmp/gov-report-try/check.txt 2>&1
    rc=\$?
    set -e
    # the example report has one known imbalance: check exits 1 and names it
    [ \"\$rc\" = 1 ] && grep -q S3-BALANCE /tmp/gov-report-try/check.txt || { cat /tmp/gov-report-try/check.txt; exit 1; }
    rm -rf /tmp/gov-report-try
" >&2 || die "打包出的程序在 bullseye 中运行失败。"
step_done

rm -rf "$OUT"
mkdir -p "$ROOT/dist"
cp -a "$CHROOT/src/dist/gov-report" "$OUT"
env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" LANG=C.UTF-8 "$OUT/gov-report" --help >/dev/null \
    || die "打包出的程序在本机无法运行：$OUT/gov-report --help 失败。"
say "已生成 $OUT（$(du -sh "$OUT" | cut -f1)；运行需要 glibc $floor 及以上${cxx:+、libstdc++ GLIBCXX_$cxx}）。"
say "chroot 保留在 $CHROOT（再次打包更快）；不再需要时确认已卸载（mount | grep $CHROOT）后 rm -rf 删除。"
exit 0
