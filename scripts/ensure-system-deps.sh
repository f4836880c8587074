#!/usr/bin/env bash
# Make sure the system packages ReformSim's reports need are present; safe to run again.
#
#   scripts/ensure-system-deps.sh             # a font with Chinese glyphs (fonts-noto-cjk)
#   scripts/ensure-system-deps.sh --chromium  # also Debian's chromium (HTML -> PDF/screenshots)
#
# Installs with apt-get only when running as root on a Debian-like system; otherwise prints
# what is missing and the command to install it, and exits 1.
set -euo pipefail

want_chromium=0
for arg in "$@"; do
    case "$arg" in
        --chromium) want_chromium=1 ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "ensure-system-deps: unknown argument '$arg' (expected --chromium)" >&2; exit 2 ;;
    esac
done

missing_pkgs=()

has_cjk_font() {
    # fc-list is part of fontconfig; without it matplotlib still works but we cannot ask.
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n1)" ]
}

has_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || command -v google-chrome >/dev/null 2>&1
}

if has_cjk_font; then
    echo "ok: CJK font: $(fc-list :lang=zh family | head -n1)"
else
    command -v fc-list >/dev/null 2>&1 || missing_pkgs+=(fontconfig)
    missing_pkgs+=(fonts-noto-cjk)
fi

if [ "$want_chromium" = 1 ]; then
    if has_chromium; then
        echo "ok: chromium: $(command -v chromium || command -v chromium-browser || command -v google-chrome)"
    else
        missing_pkgs+=(chromium)
    fi
fi

if [ "${#missing_pkgs[@]}" = 0 ]; then
    exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${missing_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}"
    # matplotlib caches the font list; drop the cache so it sees the new font.
    rm -rf "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"/fontlist-*.json 2>/dev/null || true
    if ! has_cjk_font; then
        echo "error: fonts-noto-cjk installed but fc-list :lang=zh still finds no font" >&2
        exit 1
    fi
    echo "ok: installed ${missing_pkgs[*]}"
else
    echo "missing system packages: ${missing_pkgs[*]}" >&2
    echo "install them as root, e.g.: sudo apt-get install -y ${missing_pkgs[*]}" >&2
    echo "(fonts-noto-cjk gives Chinese glyphs to diagrams and plots; without it labels render as boxes)" >&2
    exit 1
fi
