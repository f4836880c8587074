"""Find a font that draws Chinese, so labels never come out as boxes.

A font counts only if its character map really holds the sample characters (checked with
FreeType through ``matplotlib.ft2font``), not because its name looks right. Preferred families
come first (Simplified-Chinese sans faces); otherwise any installed font that covers the sample.

Example (the family found depends on the machine, so the example checks glyphs, not a name):
    >>> from matplotlib import font_manager
    >>> fp = cjk_font(size=9)
    >>> covers(font_manager.findfont(fp, fallback_to_default=False), "开办企业注册登记")
    True
"""

from __future__ import annotations

import functools

from matplotlib import font_manager
from matplotlib import ft2font

from sim.errors import ReformSimError

__all__ = ["cjk_font", "cjk_family", "covers", "SAMPLE", "INSTALL_HINT"]

# Characters every diagram label needs; "开办企业注册登记" is the core vocabulary of the chains.
SAMPLE = "开办企业注册登记审批环节"

INSTALL_HINT = (
    "no installed font has Chinese glyphs (checked the character map of every font matplotlib knows "
    f'for "{SAMPLE}"); install the Debian package fonts-noto-cjk '
    "(run scripts/ensure-system-deps.sh as root, or: sudo apt-get install -y fonts-noto-cjk), "
    "then delete matplotlib's font cache (~/.cache/matplotlib/fontlist-*.json)"
)

# Simplified-Chinese sans faces first: they match mainland government documents best.
_PREFERRED = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "AR PL UMing CN",
    "AR PL UKai CN",
)


def covers(fname: str, text: str = SAMPLE, face_index: int = 0) -> bool:
    """True when the font file's character map has a glyph for every character of ``text``."""
    try:
        font = ft2font.FT2Font(fname, face_index=face_index)
        cmap = font.get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False  # unreadable or unsupported font file: not a candidate
    return all(ord(ch) in cmap and cmap[ord(ch)] != 0 for ch in text if not ch.isspace())


@functools.lru_cache(maxsize=1)
def cjk_family() -> str:
    """The family name of an installed font that covers :data:`SAMPLE`.

    Raises :class:`~sim.errors.ReformSimError` with the package to install when there is none.
    """
    entries = [e for e in font_manager.fontManager.ttflist if e.style == "normal"]
    by_name: dict[str, list] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
    preferred = [name for name in _PREFERRED if name in by_name]
    others = sorted(name for name in by_name if name not in _PREFERRED)
    for name in preferred + others:
        # Regular weight first: that is the face matplotlib picks for normal text.
        for entry in sorted(by_name[name], key=lambda e: abs(_weight(e.weight) - 400)):
            if covers(entry.fname, SAMPLE, getattr(entry, "index", 0)):
                return name
    raise ReformSimError(INSTALL_HINT)


def _weight(weight: object) -> int:
    if isinstance(weight, int):
        return weight
    return font_manager.weight_dict.get(str(weight), 400)


def cjk_font(size: float | None = None) -> font_manager.FontProperties:
    """FontProperties for a Chinese-capable font (its Latin glyphs serve English labels too)."""
    return font_manager.FontProperties(family=cjk_family(), size=size)
