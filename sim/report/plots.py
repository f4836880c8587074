"""Report charts as PNG bytes: metric histogram + CDF with the target line, utilisation bars, tornado.

matplotlib runs on the Agg backend with the CJK font of ``sim.report.fonts`` so Chinese labels
draw as glyphs.

Example:
    >>> png = utilisation_png([("tax", 0.5)], lang="en")
    >>> png[:4] == b"\\x89PNG"
    True
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from .fonts import cjk_font  # noqa: E402

__all__ = ["distribution_png", "utilisation_png", "tornado_png", "sweep_png", "breakeven_map_png", "sobol_png"]

_T = {
    "en": {"share": "share of cases", "count": "cases", "cdf": "cumulative share", "target": "target",
           "util": "utilisation", "delta": "change in lower bound of share meeting the target", "base": "base"},
    "zh": {"share": "案件占比", "count": "案件数", "cdf": "累计占比", "target": "目标",
           "util": "利用率", "delta": "达标比例下限的变化", "base": "基准"},
}


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, facecolor="white", bbox_inches="tight")
    return buf.getvalue()


def _font_all(ax, font) -> None:  # noqa: ANN001 - matplotlib objects
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_fontproperties(font)


def distribution_png(values, target_lines: list[float], xlabel: str, title: str, lang: str = "zh") -> bytes:  # noqa: ANN001
    """Histogram and empirical CDF of ``values`` with vertical target lines."""
    import numpy as np

    t, font = _T[lang], cjk_font()
    v = np.sort(np.asarray(values, dtype=float))
    fig = Figure(figsize=(8, 3.2))
    a1, a2 = fig.subplots(1, 2)
    if len(v):
        a1.hist(v, bins=min(40, max(5, len(np.unique(v)))), color="#4c78a8")
        a2.plot(v, np.arange(1, len(v) + 1) / len(v), color="#4c78a8")
    for ax in (a1, a2):
        for x in target_lines:
            ax.axvline(x, color="#d62728", ls="--", lw=1.5, label=f"{t['target']} {x:g}")
        ax.set_xlabel(xlabel, fontproperties=font)
        _font_all(ax, font)
    a1.set_ylabel(t["count"], fontproperties=font)
    a2.set_ylabel(t["cdf"], fontproperties=font)
    a2.set_ylim(0, 1.02)
    if target_lines:
        a2.legend(prop=font, loc="lower right")
    fig.suptitle(title, fontproperties=font)
    return _png(fig)


def utilisation_png(rows: list[tuple[str, float]], lang: str = "zh") -> bytes:
    """Horizontal bars of agency utilisation (0–1)."""
    t, font = _T[lang], cjk_font()
    fig = Figure(figsize=(6, 0.45 * len(rows) + 1))
    ax = fig.subplots()
    names = [r[0] for r in rows][::-1]
    vals = [0.0 if r[1] != r[1] else r[1] for r in rows][::-1]
    ax.barh(names, vals, color=["#d62728" if x > 0.85 else "#4c78a8" for x in vals])
    ax.set_xlim(0, max(1.0, max(vals, default=0) * 1.05))
    ax.set_xlabel(t["util"], fontproperties=font)
    _font_all(ax, font)
    return _png(fig)


def tornado_png(rows: list[tuple[str, float]], lang: str = "zh", intervals: list[tuple[float, float]] | None = None) -> bytes:
    """Tornado chart: one bar per change, its effect on the share meeting the target; with
    ``intervals`` (95% bounds of each effect) an error bar each, and grey bars where it contains 0."""
    import math

    t, font = _T[lang], cjk_font()
    spans = intervals or [(math.nan, math.nan)] * len(rows)
    order = sorted(range(len(rows)), key=lambda i: abs(rows[i][1]))
    rows, spans = [rows[i] for i in order], [spans[i] for i in order]
    fig = Figure(figsize=(8, 0.35 * len(rows) + 1.2))
    ax = fig.subplots()

    def colour(r: tuple[str, float], span: tuple[float, float]) -> str:
        if intervals is not None and not (span[0] > 0 or span[1] < 0):
            return "#aaaaaa"  # no detectable effect
        return "#2ca02c" if r[1] > 0 else "#d62728"

    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=[colour(r, s) for r, s in zip(rows, spans)])
    if intervals is not None:
        err = [[max(r[1] - lo, 0) if not math.isnan(lo) else 0 for r, (lo, _) in zip(rows, spans)],
               [max(hi - r[1], 0) if not math.isnan(hi) else 0 for r, (_, hi) in zip(rows, spans)]]
        ax.errorbar([r[1] for r in rows], range(len(rows)), xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(t["delta"], fontproperties=font)
    _font_all(ax, font)
    return _png(fig)


def sweep_png(result: Any) -> bytes:
    """Target attainment over a sweep (a :class:`sim.whatif.sweep.SweepResult`): heat map for two settings,
    a line for one, bars otherwise, cheapest point marked."""
    rows, names = result.rows, result.names
    key = "attainment" if result.target else "workdays_mean"
    label = (f"share of cases meeting {result.target['label']}" if result.target else "mean working days")
    marked = result.marked()  # the cheapest reachable point of each condition value
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    if len(names) == 2:
        xs = sorted({r[names[0]] for r in rows})
        ys = sorted({r[names[1]] for r in rows})
        grid = [[next(r[key] for r in rows if r[names[0]] == x and r[names[1]] == y) for x in xs] for y in ys]
        im = ax.imshow(grid, origin="lower", aspect="auto", cmap="RdYlGn" if result.target else "viridis_r",
                       vmin=0 if result.target else None, vmax=1 if result.target else None)
        ax.set_xticks(range(len(xs)), [f"{x:g}" for x in xs])
        ax.set_yticks(range(len(ys)), [f"{y:g}" for y in ys])
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        for j, y in enumerate(ys):
            for i, x in enumerate(xs):
                ax.text(i, j, f"{grid[j][i]:.2f}", ha="center", va="center", fontsize=8)
        fig.colorbar(im, ax=ax, label=label)
        for k, i in enumerate(marked):
            c = rows[i]
            ax.plot(xs.index(c[names[0]]), ys.index(c[names[1]]), marker="*", markersize=22, markerfacecolor="none",
                    markeredgecolor="black", markeredgewidth=2, label="cheapest reachable point" if k == 0 else None)
        if marked:
            ax.legend(loc="upper left", fontsize=8)
    else:
        xs = [r[names[0]] for r in rows] if len(names) == 1 else list(range(len(rows)))
        ys = [r[key] for r in rows]
        if len(names) == 1:
            ax.plot(xs, ys, marker="o")
            ax.set_xlabel(names[0])
        else:
            ax.bar(xs, ys)
            ax.set_xlabel("grid point (see sweep.csv)")
        if result.target:
            ax.axhline(result.target["required"], color="grey", linestyle="--", label=f"required {result.target['required']:.0%}")
            ax.set_ylim(0, 1.05)
        if marked:
            ax.plot([xs[i] for i in marked], [ys[i] for i in marked], marker="*", markersize=20, color="crimson", linestyle="none",
                    label="cheapest reachable point")
        if result.target or marked:
            ax.legend(fontsize=8)
    ax.set_title("target attainment over the sweep" if result.target else "mean working days over the sweep")
    if not result.target:
        ax.set_ylabel(label)
    elif len(names) != 2:
        ax.set_ylabel(label)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


# --------------------------------------------------------------------------- robustness (sim.analysis.robustness)
_RT = {"en": {"holds": "reachable", "not": "not reachable", "first": "first-order", "total": "total",
              "index": "Sobol' index of the share meeting the target"},
       "zh": {"holds": "可达成", "not": "不可达成", "first": "一阶", "total": "总效应", "index": "达标比例的 Sobol 指数"}}


def breakeven_map_png(m: Any, title: str, lang: str = "zh") -> bytes:
    """A :class:`sim.analysis.robustness.BreakEvenMap`: where the target holds over two assumptions, the others central."""
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    t, font = _RT[lang], cjk_font()
    fig = Figure(figsize=(5.5, 4.2))
    ax = fig.subplots()
    grid = np.array(m.holds, dtype=float)
    xs, ys = np.asarray(m.xs), np.asarray(m.ys)
    ax.pcolormesh(_edges(xs), _edges(ys), grid, cmap=ListedColormap(["#f4b6b6", "#9fd69f"]), vmin=0, vmax=1, shading="flat")
    ax.set_xlabel(m.labels[0][lang], fontproperties=font)
    ax.set_ylabel(m.labels[1][lang], fontproperties=font)
    ax.legend(handles=[Patch(color="#9fd69f", label=t["holds"]), Patch(color="#f4b6b6", label=t["not"])], prop=font,
              loc="upper right", fontsize=8)
    ax.set_title(title, fontproperties=font)
    _font_all(ax, font)
    return _png(fig)


def _edges(centres: Any) -> Any:
    """Cell edges around grid centres (one cell per simulated point)."""
    import numpy as np

    c = np.asarray(centres, dtype=float)
    if len(c) == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mids = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mids[0] - c[0])], mids, [c[-1] + (c[-1] - mids[-1])]])


def sobol_png(rows: list[tuple[str, float, float, tuple[float, float] | None]], lang: str = "zh") -> bytes:
    """Bars of first-order and total Sobol' indices per assumption (``(label, first, total, total interval)``), ranked."""
    import numpy as np

    t, font = _RT[lang], cjk_font()
    rows = rows[::-1]  # the largest on top
    fig = Figure(figsize=(7, 0.5 * len(rows) + 1.2))
    ax = fig.subplots()
    y = np.arange(len(rows))
    ax.barh(y + 0.2, [max(r[1], 0.0) for r in rows], height=0.4, color="#9ecae1", label=t["first"])
    ax.barh(y - 0.2, [max(r[2], 0.0) for r in rows], height=0.4, color="#3182bd", label=t["total"])
    err = [[max(r[2] - r[3][0], 0) if r[3] else 0 for r in rows], [max(r[3][1] - r[2], 0) if r[3] else 0 for r in rows]]
    ax.errorbar([r[2] for r in rows], y - 0.2, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_xlim(0, 1.05)
    ax.set_xlabel(t["index"], fontproperties=font)
    ax.legend(prop=font, loc="lower right")
    _font_all(ax, font)
    return _png(fig)
