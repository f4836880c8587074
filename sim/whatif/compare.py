"""Compare two runs: KPI deltas with 95% confidence intervals of the paired difference.

Both sides run with the same seed (common random numbers): replication ``i`` of A and of B draw
from the same seed stream, so the difference of their means varies much less than either mean,
and a real effect shows with fewer replications. The interval is a t-interval of the per-
replication differences; when the two runs cannot be paired (different seeds or replication
counts, e.g. two stored runs), Welch's unpaired interval is used and the row says so.

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
from .history import result_record

__all__ = ["compare_per_replication", "compare_results", "compare_stored", "format_comparison", "process_changes"]


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
        out.append(f"different process files: {pa.id} → {pb.id}")
    ta, tb = {n.id: n for n in pa.tasks()}, {n.id: n for n in pb.tasks()}
    if gone := sorted(set(ta) - set(tb)):
        out.append("steps only in A: " + ", ".join(gone))
    if new := sorted(set(tb) - set(ta)):
        out.append("steps only in B: " + ", ".join(new))
    changed = sorted(i for i in set(ta) & set(tb) if ta[i].facts != tb[i].facts)
    if changed:
        out.append("steps with changed facts: " + ", ".join(changed))
    if set(pa.flows) != set(pb.flows) and pa.id == pb.id:
        out.append("the sequence flows differ (steps reordered, merged or run in parallel)")
    # the levers by name (sim.model.levers labels, Chinese first), then the edits' own notes
    la, lb = getattr(a, "levers", ()), getattr(b, "levers", ())  # a result-like object may carry no levers
    if only_b := [lv.label() for lv in lb if lv not in la]:
        out.append("levers only in B (B 独有措施): " + "; ".join(only_b))
    if only_a := [lv.label() for lv in la if lv not in lb]:
        out.append("levers only in A (A 独有措施): " + "; ".join(only_a))
    from ..analysis.paths import max_counts  # the one counter, as list, diff and assess count

    ca, cb = max_counts(pa), max_counts(pb)
    moved = [f"{what} {getattr(ca, what)} → {getattr(cb, what)}" for what in ("procedures", "documents", "stages")
             if getattr(ca, what) != getattr(cb, what)]
    if ca.statutory != cb.statutory:
        moved.append(f"statutory time {ca.statutory_text('en') or 'not stated'} → {cb.statutory_text('en') or 'not stated'}")
    if moved:
        out.append("worst-path counts: " + ", ".join(moved))
    out += [n for n in pb.notes if n not in pa.notes]
    return out


def compare_results(a: SimulationResult, b: SimulationResult) -> dict[str, Any]:
    """Compare two fresh results (paired when they share seed and replication count)."""
    ra, rb = result_record(a), result_record(b)
    paired = a.seed == b.seed and len(a.replications) == len(b.replications)
    return {"a": a.scenario.name, "b": b.scenario.name, "seed": [a.seed, b.seed],
            "replications": [len(a.replications), len(b.replications)], "paired": paired,
            "rows": compare_per_replication(ra["per_replication"], rb["per_replication"], paired=paired),
            "process_changes": process_changes(a, b)}


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


def verdicts_under_both(a: SimulationResult, b: SimulationResult, register: Any, required: float = 0.95) -> list[dict[str, Any]]:
    """The register's simulated checks on either run's chain, judged on both runs."""
    from ..analysis.assess import judged_metric, share_meeting, verdict
    from ..engine.runner import CASE_METRICS

    chains = {_chain(a.process.file), _chain(b.process.file)} - {""}
    rows = []
    for target, check in register.tested():
        if check.threshold is None or check.threshold.kind == "below_baseline" or check.test is None:
            continue
        if not any(_chain(str(Path(register.root or ".") / p)) in chains for p in check.test.processes):
            continue
        metric = judged_metric(check)
        if not (metric in CASE_METRICS or metric.startswith("step:")):
            continue  # static counts are judged on the file (reformsim assess), not per run
        if metric.startswith("step:") and not all(metric[5:] in r.replications[0].tasks for r in (a, b)):
            continue
        row: dict[str, Any] = {"target": target.id, "check": check.name, "metric": metric}
        for key, result in (("a", a), ("b", b)):
            share, lo, hi = share_meeting(result, metric, check.threshold)
            row[key] = {"share": share, "lo": lo, "hi": hi, "verdict": verdict(share, lo, hi, required)}
        rows.append(row)
    return rows


def format_comparison(c: Mapping[str, Any]) -> str:
    """The comparison as a plain-text table."""
    how = "paired, common random numbers" if c["paired"] else "unpaired (Welch): seeds or replication counts differ"
    lines = [f"A = {c['a']}   B = {c['b']}   seeds {c['seed'][0]}/{c['seed'][1]}, "
             f"{c['replications'][0]}/{c['replications'][1]} replications ({how})", "",
             f"{'KPI (mean per case)':36} {'A':>10} {'B':>10} {'B − A':>10} {'95% CI of difference':>24}  significant"]
    for r in c["rows"]:
        lo, hi = r["ci95"]
        ci = "—" if math.isnan(lo) else f"[{lo:.3f}, {hi:.3f}]"
        pct = r["metric"].startswith("utilisation.")
        fmt = (lambda v: f"{v:10.1%}") if pct else (lambda v: f"{v:10.3f}")
        if pct:
            ci = "—" if math.isnan(lo) else f"[{lo:+.1%}, {hi:+.1%}]"
        lines.append(f"{r['metric'][:36]:36} {fmt(r['a'])} {fmt(r['b'])} {fmt(r['delta'])} {ci:>24}  "
                     f"{'yes' if r['significant'] else 'no'}")
    if c["process_changes"]:
        lines += ["", "the process differs:"] + [f"  - {x}" for x in c["process_changes"]]
    if c.get("verdicts"):
        lines += ["", f"{'target':8} {'metric':22} {'A: share met':>13} {'verdict':>8}   {'B: share met':>13} {'verdict':>8}"]
        for v in c["verdicts"]:
            lines.append(f"{v['target']:8} {v['metric'][:22]:22} {v['a']['share']:13.1%} {v['a']['verdict']:>8}   "
                         f"{v['b']['share']:13.1%} {v['b']['verdict']:>8}")
    return "\n".join(lines)
