"""Compare two runs: KPI deltas with 95% confidence intervals of the paired difference, the change
in the share meeting each target of the chain, and the design checks before and after.

Both sides run with the same seed (common random numbers): replication ``i`` of A and of B draw
from the same seed stream, so the difference of their means varies much less than either mean,
and a real effect shows with fewer replications. The interval is a t-interval of the per-
replication differences; when the two runs cannot be paired (different seeds or replication
counts, e.g. two stored runs), Welch's unpaired interval is used and the row says so.

The same pairing gives the percentiles (P50, P80, P95: each replication's percentile of its
cases, averaged; the change has the paired interval) and, for each register target on the
compared chain, the change in the share of cases meeting it. Design checks (procedures,
documents, stages, fee) come from the one counter, :mod:`sim.analysis.paths`, on both models.
Verdicts are shown in words (:func:`sim.analysis.assess.verdict_words`), never as codes.

Example:
    >>> rows = compare_per_replication({"workdays": [3.0, 4.0, 5.0]}, {"workdays": [2.0, 3.1, 3.9]}, paired=True)
    >>> r = rows[0]; (r["metric"], round(r["delta"], 2), r["significant"])
    ('workdays', -1.0, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.runner import CASE_METRICS, SimulationResult
from ..engine.stats import mean_ci95
from ..i18n import COMPARE, METRICS, Text, agency_name, pad as _pad, say, words
from .history import result_record

__all__ = ["compare_per_replication", "compare_results", "compare_stored", "format_comparison", "process_changes",
           "verdicts_under_both", "design_changes", "same_chain", "comparison_sheets", "PERCENTILES", "LANGS"]

PERCENTILES = {"P50": 0.5, "P80": 0.8, "P95": 0.95}
LANGS = ("zh", "en")


def _ci(values: np.ndarray) -> tuple[float, float]:
    _, lo, hi = mean_ci95(values)
    return lo, hi


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    from scipy import stats

    if len(a) < 2 or len(b) < 2:
        return (math.nan, math.nan)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        d = float(b.mean() - a.mean())
        return d, d
    dof = (va + vb) ** 2 / ((va**2 / (len(a) - 1) if va else 0) + (vb**2 / (len(b) - 1) if vb else 0))
    half = stats.t.ppf(0.975, dof) * se
    d = float(b.mean() - a.mean())
    return d - half, d + half


def compare_per_replication(a: Mapping[str, Sequence[float | None]], b: Mapping[str, Sequence[float | None]], *,
                            paired: bool) -> list[dict[str, Any]]:
    """One row per metric both sides have: means, delta (B − A), its 95% CI, significant or not."""
    rows = []
    order = [m for m in CASE_METRICS if m in a and m in b] + sorted(k for k in a if k in b and k not in CASE_METRICS)
    for metric in order:
        xa = np.array([math.nan if v is None else v for v in a[metric]], dtype=float)
        xb = np.array([math.nan if v is None else v for v in b[metric]], dtype=float)
        if paired and len(xa) == len(xb):
            keep = np.isfinite(xa) & np.isfinite(xb)
            xa, xb = xa[keep], xb[keep]
            if not len(xa):
                continue
            d = xb - xa
            lo, hi = _ci(d)
            if len(d) >= 2 and d.std(ddof=1) == 0:
                lo = hi = float(d.mean())  # identical on every replication: an exact difference
            how = "paired"
        else:
            xa, xb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
            if not len(xa) or not len(xb):
                continue
            lo, hi = _welch(xa, xb)
            how = "welch"
        delta = float(xb.mean() - xa.mean())
        significant = bool(not math.isnan(lo) and (lo > 0 or hi < 0))
        rows.append({"metric": metric, "a": float(xa.mean()), "b": float(xb.mean()), "delta": delta,
                     "ci95": [lo, hi], "significant": significant, "method": how})
    return rows


def process_changes(a: SimulationResult, b: SimulationResult) -> list[str]:
    """Plain-language differences between the two process models (empty when they are the same)."""
    pa, pb = a.process, b.process
    out = []
    if pa.id != pb.id:
        out.append(Text(f"different process files: {pa.id} → {pb.id}", f"流程文件不同：{pa.id} → {pb.id}"))
    ta, tb = {n.id: n for n in pa.tasks()}, {n.id: n for n in pb.tasks()}
    if gone := sorted(set(ta) - set(tb)):
        out.append(Text("steps only in A: " + ", ".join(gone), "仅 A 有的环节：" + "、".join(gone)))
    if new := sorted(set(tb) - set(ta)):
        out.append(Text("steps only in B: " + ", ".join(new), "仅 B 有的环节：" + "、".join(new)))
    changed = sorted(i for i in set(ta) & set(tb) if ta[i].facts != tb[i].facts)
    if changed:
        out.append(Text("steps with changed facts: " + ", ".join(changed), "事实有变化的环节：" + "、".join(changed)))
    if set(pa.flows) != set(pb.flows) and pa.id == pb.id:
        out.append(Text("the sequence flows differ (steps reordered, merged or run in parallel)", "顺序流不同（环节调序、合并或并行）"))
    # the levers by name (sim.model.levers labels, Chinese first), then the edits' own notes
    la, lb = getattr(a, "levers", ()), getattr(b, "levers", ())  # a result-like object may carry no levers
    if only_b := [lv for lv in lb if lv not in la]:
        out.append(Text("levers only in B: " + "; ".join(lv.label("en") for lv in only_b),
                        "B 独有措施：" + "；".join(lv.label("zh") for lv in only_b)))
    if only_a := [lv for lv in la if lv not in lb]:
        out.append(Text("levers only in A: " + "; ".join(lv.label("en") for lv in only_a),
                        "A 独有措施：" + "；".join(lv.label("zh") for lv in only_a)))
    from ..analysis.paths import max_counts  # the one counter, as list, diff and assess count

    ca, cb = max_counts(pa), max_counts(pb)
    moved = {lang: [f"{words(METRICS, lang)[what]} {getattr(ca, what)} → {getattr(cb, what)}"
                    for what in ("procedures", "documents", "stages") if getattr(ca, what) != getattr(cb, what)] for lang in ("zh", "en")}
    if ca.statutory != cb.statutory:
        moved["en"].append(f"statutory time {ca.statutory_text('en') or 'not stated'} → {cb.statutory_text('en') or 'not stated'}")
        moved["zh"].append(f"法定时限 {ca.statutory_text('zh') or '未标注'} → {cb.statutory_text('zh') or '未标注'}")
    if moved["en"]:
        out.append(Text("worst-path counts: " + ", ".join(moved["en"]), "最差路径计数：" + "，".join(moved["zh"])))
    out += [n for n in pb.notes if n not in pa.notes]
    return out


def replication_percentiles(result: SimulationResult, q: float) -> dict[str, list[float]]:
    """Per case metric, each replication's ``q``-quantile of its cases (NaN for a replication without cases)."""
    out = {}
    for m in CASE_METRICS:
        out[m] = [float(np.quantile(v, q)) if len(v := r.metric(m).values()) else math.nan for r in result.replications]
    return out


def compare_results(a: SimulationResult, b: SimulationResult, register: Any = None,
                    required: float | None = None) -> dict[str, Any]:
    """Compare two fresh results (paired when they share seed and replication count).

    With a ``register``, its targets on the compared chain are judged on both (:func:`verdicts_under_both`).
    """
    ra, rb = result_record(a), result_record(b)
    paired = a.seed == b.seed and len(a.replications) == len(b.replications)
    rows = compare_per_replication(ra["per_replication"], rb["per_replication"], paired=paired)
    for name, q in PERCENTILES.items():
        per = {r["metric"]: r for r in compare_per_replication(replication_percentiles(a, q), replication_percentiles(b, q),
                                                               paired=paired)}
        for row in rows:
            if row["metric"] in per:
                row.setdefault("percentiles", {})[name] = {k: per[row["metric"]][k] for k in ("a", "b", "delta", "ci95", "significant")}
    out = {"a": a.scenario.name, "b": b.scenario.name, "seed": [a.seed, b.seed],
           "replications": [len(a.replications), len(b.replications)], "paired": paired, "rows": rows,
           "design": design_changes(a.process, b.process), "process_changes": process_changes(a, b)}
    if register is not None:
        out["verdicts"] = verdicts_under_both(a, b, register, required)
    return out


def design_changes(pa: Any, pb: Any) -> list[dict[str, Any]]:
    """Worst-path procedures, documents, stages and fee of both models, from the one counter (:func:`~sim.analysis.paths.max_counts`)."""
    from ..analysis.paths import max_counts

    ca, cb = max_counts(pa), max_counts(pb)
    return [{"what": what, "a": float(getattr(ca, what)), "b": float(getattr(cb, what)),
             "delta": float(getattr(cb, what)) - float(getattr(ca, what))} for what in ("procedures", "documents", "stages", "fee")]


def compare_stored(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Compare two rows of the run history (:meth:`History.get`), without rerunning."""
    paired = a["seed"] == b["seed"] and a["replications"] == b["replications"]
    changes = []
    if a["process"] != b["process"]:
        changes.append(f"different process files: {a['process']} → {b['process']}")
    if a["code_version"] != b["code_version"]:
        changes.append(f"recorded with different code versions: {a['code_version']} vs {b['code_version']}")
    return {"a": f"#{a['id']} {a['name']}", "b": f"#{b['id']} {b['name']}", "seed": [a["seed"], b["seed"]],
            "replications": [a["replications"], b["replications"]], "paired": paired,
            "rows": compare_per_replication(a["per_replication"], b["per_replication"], paired=paired),
            "process_changes": changes}


def _chain(path: str | None) -> str:
    """The chain of a process file from the catalog beside it; a file no catalog lists is a chain of its own."""
    from ..catalog import catalog_for

    if not path:
        return ""
    catalog = catalog_for(path)
    return (catalog.chain_of(path) if catalog is not None else "") or f"file:{Path(path).resolve()}"


def same_chain(a: str, b: str) -> bool:
    """Whether two process files belong to one chain (by the catalog beside them; a file no catalog lists is its own chain)."""
    return _chain(a) == _chain(b) != ""


def _target_files(register: Any, check: Any) -> list[str]:
    return [str(Path(register.root or ".") / p) for p in check.test.processes]


def verdicts_under_both(a: SimulationResult, b: SimulationResult, register: Any, required: float | None = None) -> list[dict[str, Any]]:
    """The register's checks on either run's chain, judged on both runs, with the change in the share meeting each.

    Performance checks: the share of cases meeting it on each side, its verdict, and the paired
    change (B − A) with its 95% interval. Design checks: counts and fees on every path (the one
    counter), with the design verdict of each side. ``required`` is the default share when
    the register row names none (:data:`~sim.analysis.assess.DEFAULT_REQUIRED` when None).
    Left to ``reformsim assess``: checks against a baseline file (``below_baseline``), context-only
    checks, and checks on no case time (one step's ``online`` fact, calculators, tax filings).
    """
    from ..analysis.assess import (DEFAULT_REQUIRED, DESIGN, PERFORMANCE, STATIC_METRICS, design_verdict, judged_metric,
                                   judged_threshold, replication_shares, share_interval, static_check, threshold_text, verdict)

    by_path = (*STATIC_METRICS, "fee")  # design facts of the file, counted on every path

    chains = {_chain(a.process.file), _chain(b.process.file)} - {""}
    rows = []
    for target, check in register.tested():
        if check.threshold is None or check.threshold.kind == "below_baseline" or check.test is None or check.context:
            continue
        if not any(_chain(f) in chains for f in _target_files(register, check)):
            continue
        metric = judged_metric(check)
        if not (metric in CASE_METRICS or metric in by_path or metric.startswith("step:")):
            continue
        if metric.startswith("step:") and not all(metric[5:] in r.replications[0].tasks for r in (a, b)):
            continue  # the step is not in one of the models (removed or merged): nothing to compare on it
        th = judged_threshold(check)
        need = check.required or required or DEFAULT_REQUIRED
        row: dict[str, Any] = {"target": target.id, "check": check.name if check.name != target.id else "", "metric": metric,
                               "threshold": threshold_text(check.threshold), "required": need}
        if metric in by_path:
            row["kind"] = DESIGN
            for key, result in (("a", a), ("b", b)):
                worst, share = static_check(result.process, metric, th)
                row[key] = {"value": worst, "share": share, "lo": share, "hi": share, "verdict": design_verdict(share, share)}
            d = row["b"]["share"] - row["a"]["share"]
            row["change"] = {"delta": d, "ci95": [d, d], "significant": d != 0, "method": "exact (every path)"}
        else:
            row["kind"] = PERFORMANCE
            shares = {key: replication_shares(result, metric, th) for key, result in (("a", a), ("b", b))}
            for key in ("a", "b"):
                share, lo, hi = share_interval(shares[key])
                row[key] = {"share": share, "lo": lo, "hi": hi, "verdict": verdict(share, lo, hi, need)}
            paired = a.seed == b.seed and len(a.replications) == len(b.replications)
            change = compare_per_replication({"share": shares["a"]}, {"share": shares["b"]}, paired=paired)
            for c in change:  # a change in a share lies in [-1, 1]; the t interval does not know that
                c["ci95"] = [max(-1.0, c["ci95"][0]), min(1.0, c["ci95"][1])]
            row["change"] = ({k: change[0][k] for k in ("delta", "ci95", "significant", "method")} if change else
                             {"delta": math.nan, "ci95": [math.nan, math.nan], "significant": False, "method": "none"})
        rows.append(row)
    return rows


# The comparison's own headings; verdict words come from sim.analysis.assess (verdict_words).
_TEXT = COMPARE  # the one table of labels: sim.i18n


def _words(lang: str) -> dict[str, Any]:
    if lang not in _TEXT:
        raise ValueError(f'lang must be one of {", ".join(LANGS)}, got {lang!r}')
    return _TEXT[lang]


def metric_label(metric: str, lang: str = "zh") -> str:
    """A compared metric as a planner reads it: ``workdays`` → 工作日, ``utilisation.tax`` → 利用率 · 省税务局."""
    if metric.startswith("utilisation."):
        aid = metric.split(".", 1)[1]
        return f"{words(METRICS, lang).get('utilisation', 'utilisation')} · {agency_name(aid, lang)}"
    return words(METRICS, lang).get(metric, metric)


def _stat_rows(c: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(metric, statistic, row) for every mean and percentile row, in table order."""
    out = []
    for r in c["rows"]:
        out.append((r["metric"], "mean", r))
        out += [(r["metric"], name, pr) for name, pr in r.get("percentiles", {}).items()]
    return out


def format_comparison(c: Mapping[str, Any], lang: str = "zh") -> str:
    """The comparison as plain-text tables (``lang`` zh or en): KPIs, targets with verdicts in words, design checks."""
    from ..analysis.assess import DESIGN, verdict_words

    t = _words(lang)
    how = t["paired"] if c["paired"] else t["welch"]
    lines = [f"A = {c['a']}   B = {c['b']}   {t['seeds']} {c['seed'][0]}/{c['seed'][1]}, "
             f"{c['replications'][0]}/{c['replications'][1]} {t['reps']} ({how})", "",
             f"{t['kpi']:36} {t['stat']:>6} {'A':>10} {'B':>10} {t['change']:>10} {t['ci']:>24}  {t['sig']}"]
    for metric, stat, r in _stat_rows(c):
        lo, hi = r["ci95"]
        pct = metric.startswith("utilisation.")
        fmt = (lambda v: f"{v:10.1%}") if pct else (lambda v: f"{v:10.3f}")
        ci = "—" if math.isnan(lo) else f"[{lo:+.1%}, {hi:+.1%}]" if pct else f"[{lo:.3f}, {hi:.3f}]"
        name = _pad(metric_label(metric, lang), 36) if stat == "mean" else " " * 36
        shown = t["mean"] if stat == "mean" else stat
        lines.append(f"{name} {_pad(shown, 6, right=True)} {fmt(r['a'])} {fmt(r['b'])} {fmt(r['delta'])} {ci:>24}  "
                     f"{t['yes'] if r['significant'] else t['no']}")
    lines.append(t["pct_note"] if any("percentiles" in r for r in c["rows"]) else t["no_pct"])
    if c.get("verdicts"):
        lines += ["", t["targets"],
                  f"{t['target']:8} {t['metric']:16} {t['threshold']:>10} {t['share_a']:>12} {t['verdict_a']:>14} "
                  f"{t['share_b']:>12} {t['verdict_b']:>14} {t['share_change']:>10} {t['ci']:>20}"]
        for v in c["verdicts"]:
            ch = v["change"]
            lo, hi = ch["ci95"]
            ci = "—" if math.isnan(lo) else f"[{lo:+.1%}, {hi:+.1%}]"
            kind = t["design_kind"] if v["kind"] == DESIGN else ""
            lines.append(f"{v['target']:8} {_pad(metric_label(v['metric'], lang), 16)} {v['threshold']:>10} {v['a']['share']:12.1%} "
                         f"{verdict_words(v['a']['verdict'], lang):>14} {v['b']['share']:12.1%} "
                         f"{verdict_words(v['b']['verdict'], lang):>14} {ch['delta']:+10.1%} {ci:>20} {kind}")
    if c.get("design"):
        lines += ["", t["design"], f"{t['what']:16} {'A':>10} {'B':>10} {t['change']:>10}"]
        for d in c["design"]:
            lines.append(f"{t['whats'][d['what']]:16} {d['a']:10g} {d['b']:10g} {d['delta']:+10g}")
    if c["process_changes"]:
        lines += ["", t["process"] + ":"] + [f"  - {say(x, lang)}" for x in c["process_changes"]]
    return "\n".join(lines)


def comparison_sheets(c: Mapping[str, Any], lang: str = "zh") -> dict[str, list[dict[str, Any]]]:
    """The comparison as tables (sheet name → rows) for a workbook: full precision, verdicts in words."""
    from ..analysis.assess import DESIGN, verdict_words

    t = _words(lang)
    kpis = [{t["kpi"]: metric_label(metric, lang), t["stat"]: t["mean"] if stat == "mean" else stat, "A": r["a"], "B": r["b"], t["change"]: r["delta"],
             f"{t['ci']} (lo)": r["ci95"][0], f"{t['ci']} (hi)": r["ci95"][1], t["sig"]: t["yes"] if r["significant"] else t["no"]}
            for metric, stat, r in _stat_rows(c)]
    targets = [{t["target"]: v["target"], t["check"]: v["check"], t["kind"]: t["design_kind"] if v["kind"] == DESIGN else t["performance"],
                t["metric"]: metric_label(v["metric"], lang), t["threshold"]: v["threshold"], t["required"]: v["required"],
                t["share_a"]: v["a"]["share"], t["verdict_a"]: verdict_words(v["a"]["verdict"], lang),
                t["share_b"]: v["b"]["share"], t["verdict_b"]: verdict_words(v["b"]["verdict"], lang),
                t["share_change"]: v["change"]["delta"], f"{t['ci']} (lo)": v["change"]["ci95"][0],
                f"{t['ci']} (hi)": v["change"]["ci95"][1]} for v in c.get("verdicts", [])]
    design = [{t["what"]: t["whats"][d["what"]], "A": d["a"], "B": d["b"], t["change"]: d["delta"]} for d in c.get("design", [])]
    changes = [{t["process"]: say(x, lang)} for x in c["process_changes"]]
    names = t["sheets"]
    return {names["kpis"]: kpis, names["targets"]: targets, names["design"]: design, names["changes"]: changes}

