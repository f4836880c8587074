"""The assessment report: one self-contained ``report.html`` (images embedded as base64 PNG), every
table as CSV and one Excel workbook. Everything is drawn in memory first and then written, file by
file atomically, into a report folder that is new, empty or marked as ours
(:class:`sim.files.OwnedFolder`): a user's folder is never emptied, renamed or replaced, and a
failed drawing leaves the previous report as it was.

Example:
    >>> import sim
    >>> baseline_for(Path(sim.__file__).parents[1] / "processes" / "gas_2021.bpmn").name
    'gas_baseline.bpmn'
"""

from __future__ import annotations

import base64
import html
import math
import re
import tempfile
from pathlib import Path
from typing import Any

from ..files import OwnedFolder
from ..i18n import BOTTLENECKS, REGISTER_UNITS, REPORT, ROBUSTNESS, agency_name, check_lang, joined, say
from .tables import csv_bytes, fmt, workbook_bytes

__all__ = ["write_report", "baseline_for", "verdict_rows", "bottleneck_section", "robustness_section", "LABELS"]

LABELS = REPORT  # the one table of labels: sim.i18n
_COLOURS = {"reachable": "#2ca02c", "at_risk": "#ff7f0e", "not_reachable": "#d62728",
            # design checks in muted colours: they say what the model is, not what it reaches
            "complies": "#6b8e6b", "partly_complies": "#b0926a", "does_not_comply": "#a06060"}
# A reason's quote of the model's sources: "来源：…。" (zh) or "source: ….;" (en), the quote up to the sentence's end.
_SOURCE_QUOTE = re.compile(r"(来源：|source: )(.*?)(?=[。]|\. |$)")
_CSS = """body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;max-width:1500px}
table{border-collapse:collapse;margin:1em 0;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#eee}cite{font-style:normal}img{max-width:100%}.v{color:white;font-weight:bold;padding:2px 6px;border-radius:3px;white-space:nowrap}
td:last-child{min-width:22em}td:nth-child(3){white-space:nowrap}"""


def baseline_for(process: Path) -> Path | None:
    """The file a chain is compared with, as the catalog beside it says (None without a catalog or baseline)."""
    from ..catalog import catalog_for

    catalog = catalog_for(process)
    return catalog.baseline_path(process) if catalog is not None else None


def verdict_rows(assessment: Any, lang: str = "en") -> list[dict[str, Any]]:
    """The verdict table, one row per judged check, with its kind, reason and what it rests on."""
    from ..analysis.assess import threshold_text

    t = LABELS[check_lang(lang)]

    def metric(r: Any) -> str:
        return r.metric if r.metric.startswith("step:") else t["metrics"].get(r.metric, r.metric)

    def readings(r: Any) -> str:
        return " / ".join("—" if v[0] is None or v[0] != v[0] else f"{v[0]:.0%}" for v in r.readings.values())

    context = t["context"]  # a threshold not from the plan: no verdict on it
    return [{t["target"]: r.target, t["check"]: say(r.check, lang), t["kind"]: t[r.kind] + (context if r.context else ""),
             t["process"]: Path(r.process).name,
             t["unit"]: REGISTER_UNITS[lang].get(r.unit, r.unit), t["metric"]: metric(r),
             t["threshold"]: threshold_text(r.check_obj.threshold, lang) if r.check_obj is not None else r.threshold, t["verdict"]: t[r.verdict],
             t["share"]: r.share, t["ci"]: "" if r.lo != r.lo else f"{r.lo:.1%}–{r.hi:.1%}", t["required"]: r.required,
             t["mean"]: "" if r.statistic != "mean" else f"{r.mean:.2f} ({r.mean_lo:.2f}–{r.mean_hi:.2f})",
             "P50": r.p50, "P80": r.p80, "P95": r.p95, t["readings"]: readings(r), t["band"]: r.band_share,
             t["static"]: r.static, t["reason"]: r.reason.get(lang, ""),
             t["note"]: say(joined(r.note, r.reading_why, r.check_note), lang)} for r in assessment.rows]


_BOTTLENECK_LABELS = BOTTLENECKS

def bottleneck_section(b: Any, lang: str = "zh", names: dict[str, str] | None = None) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """The bottleneck section of one chain (HTML) and its tables (steps, agencies) for CSV/Excel.

    >>> from sim.analysis.bottlenecks import AgencyLoad, Bottlenecks
    >>> html_text, tables = bottleneck_section(Bottlenecks("p", "hours", 2.0, [], [AgencyLoad("customs", 6, 0.0, 0.0, 0)]), "en")
    >>> "staff levers do not apply here" in html_text, tables["agencies"][0]["+1 staff: change in P80 [95% interval]"][:14]
    (True, 'does not apply')
    """
    from ..analysis.bottlenecks import PART_LABELS, PARTS, UNIT_LABELS, drivers_text

    t, g = LABELS[check_lang(lang)], _BOTTLENECK_LABELS[lang]
    unit = UNIT_LABELS[lang][b.unit]

    def effect(a: Any) -> str:
        if not a.staff_levers_apply:
            return g["no_lever"]
        e = a.plus_one
        if e is None:
            return ""
        if a.max_queue == 0:
            return g["no_queue"]
        text = f"{e.mean:+.3f} {unit} [{e.lo:+.3f}, {e.hi:+.3f}]"
        return text if e.detectable else text + g["no_effect"]

    names = names or {}  # step id -> its name in lang, where the model has one
    steps = [{t["step"]: names.get(s.step, s.name), t["id"]: s.step, t["agency"]: agency_name(s.agency, lang), g["visits"]: s.visits,
              **{g["part_cols"].format(part=PART_LABELS[lang][p], unit=unit): s.parts[p] for p in PARTS},
              f"{g['time']} ({unit})": s.mean_time, g["crit"]: s.critical_share} for s in b.top_steps(len(b.steps))]
    agencies = [{t["agency"]: agency_name(a.agency, lang), g["staff"]: a.staff, g["util"]: a.utilisation, g["mean_queue"]: a.mean_queue,
                 g["max_queue"]: a.max_queue, g["effort"]: a.effort_h, g["plus_one"]: effect(a)} for a in b.agencies]
    parts = [f"<h3>{html.escape(g['title'].format(unit=unit))}</h3>", f"<p>{html.escape(g['how'])}</p>"]
    line = drivers_text(b, lang)
    if line:
        parts.append(f"<p><b>{html.escape(line)}</b></p>")
    if b.agencies and not any(a.staff_levers_apply for a in b.agencies):
        parts.append(f"<p>{html.escape(g['all_fixed'])}</p>")
    parts += [_table(steps), _table(agencies)]
    if b.staffing:
        items = "".join(f"<li>{html.escape(' '.join(filter(None, (x.target, say(x.check, lang)))))}: {html.escape(x.text(b.unit, lang))}</li>"
                        for x in b.staffing)
        parts.append(f"<h4>{html.escape(g['staffing'])}</h4><ul>{items}</ul>")
    return "".join(parts), {"steps": steps, "agencies": agencies}


def _names(process: Any, lang: str) -> dict[str, str]:
    """Step id -> the step's name in ``lang`` (English: its ``name_en``, where it has one; Chinese: as written)."""
    if lang != "en":
        return {}
    return {n.id: n.facts.name_en for n in process.nodes.values() if n.facts is not None and n.facts.name_en}


def _table(rows: list[dict[str, Any]], verdict_col: str | None = None, quoted: tuple[str, ...] = (),
           cited: tuple[str, ...] = ()) -> str:
    """An HTML table; the ``quoted`` columns hold text quoted from the model files (sources), marked ``<cite>``, and
    in the ``cited`` columns (reasons) what follows 来源： / source: up to the sentence's end is such a quote."""
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in rows[0])
    body = []
    for r in rows:
        cells = []
        for k, v in r.items():
            text = html.escape(fmt(v, 3))
            if k in cited:
                text = _SOURCE_QUOTE.sub(lambda m: f"{m.group(1)}<cite>{m.group(2)}</cite>", text)
            if k == verdict_col:
                key = next((kk for kk, vv in _verdict_names().items() if v in vv), "")
                text = f'<span class="v" style="background:{_COLOURS.get(key, "#777")}">{text}</span>'
            elif k in quoted and text:
                text = f"<cite>{text}</cite>"
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _verdict_names() -> dict[str, set[str]]:
    return {k: {LABELS[lang][k] for lang in LABELS} for k in _COLOURS}


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _pct(share: float, lo: float, hi: float) -> str:
    return "—" if math.isnan(share) else f"{share:.1%} ({lo:.1%}–{hi:.1%})" if not math.isnan(lo) else f"{share:.1%}"


def _sensitivity(ch: Any, name: str, assessment: Any, sheets: dict[str, list[dict[str, Any]]], t: dict[str, Any],
                 lang: str) -> list[str]:
    """The chain's sensitivity section: settings, tornado with intervals, effects, what was not proposed, greedy fixes."""
    from .plots import tornado_png

    parts: list[str] = []
    if ch.ranked:
        sens = [{t["change"]: x.change.label(lang), t["with_change"]: _pct(x.share, x.lo, x.hi), t["delta"]: x.delta,
                 t["delta_lo"]: x.delta_lo, t["delta_hi"]: x.delta_hi, t["effect"]: x.effect_text(lang)} for x in ch.ranked]
        sheets[f"{name}_sensitivity"] = sens
        shown = [x for x in ch.ranked if x.detectable] or ch.ranked[:3]
        settings = t["settings"].format(reps=assessment.replications, cases=assessment.cases, seed=assessment.seed,
                                        req=ch.primary.required, t=ch.primary.target, base=_pct(*ch.base))
        parts += [f"<h3>{t['tornado']}</h3>", f"<p>{html.escape(settings)}</p>",
                  _img(tornado_png([(x.change.label(lang), x.delta) for x in shown], lang,
                                   intervals=[(x.delta_lo, x.delta_hi) for x in shown]), t["tornado"]),
                  _table([{k: v for k, v in r.items() if k not in (t["delta"], t["delta_lo"], t["delta_hi"])} for r in sens])]
    if ch.excluded:
        rows = [{t["lever"]: x.change.label(lang), t["why"]: x.zh if lang == "zh" else x.en, t["basis"]: f"{t['by'][x.by]}: {x.rule}",
                 t["rule_source"]: x.source} for x in ch.excluded]
        sheets[f"{name}_excluded"] = rows
        parts += [f"<h3>{t['excluded']}</h3>", _table(rows, quoted=(t["rule_source"],))]
    if ch.fixes:
        names = {k: t[k] for k in ("reachable", "at_risk", "not_reachable")}
        items = [f"<li>{html.escape(tid)} {html.escape(say(check, lang))}: {html.escape(t['none'] if fix is None else fix.text(lang, names))}</li>"
                 for (tid, check), fix in ch.fixes.items()]
        parts += [f"<h3>{t['greedy']}</h3><ul>{''.join(items)}</ul>"]
    return parts


def write_report(assessment: Any, chains: list[Any], out_dir: str | Path, *, lang: str = "zh",
                 diagrams: bool = True, predictions: list[Any] | None = None) -> Path:
    """Write report.html, CSVs and assessment.xlsx into the report folder ``out_dir``; return the HTML path.

    ``out_dir`` must be new, empty or a report folder of ours (see :class:`sim.files.OwnedFolder`);
    anything else is an :class:`~sim.files.OutputError` before any drawing. Only the files this
    report writes are replaced; files of the planner's in the folder stay.
    """
    from ..analysis.assess import CLOCK_RULE, RULE
    from ..analysis.provenance import source_rows
    from .plots import distribution_png, utilisation_png

    t = LABELS[check_lang(lang)]
    folder = OwnedFolder(out_dir).check()
    # The diff drawings go through a scratch folder of our own, outside the user's folder.
    with tempfile.TemporaryDirectory(prefix="reformsim-report-") as scratch:
        tmp = Path(scratch)
        root = Path(assessment.register.root or ".")
        sheets: dict[str, list[dict[str, Any]]] = {}
        verdicts = verdict_rows(assessment, lang)
        sheets["verdicts"] = verdicts
        parts = [f"<h1>{t['title']}</h1>", f"<h2>{t['verdicts']}</h2>",
                 f"<p><b>{t['rule']}</b>: {html.escape(RULE[lang])} "
                 f"{html.escape(t['precision'].format(reps=assessment.replications, cases=assessment.cases, seed=assessment.seed))}</p>",
                 # --precision: what each chain reached (replications added until the half-width was met, or the cap)
                 *(f"<p>{html.escape(Path(rel).name)}: {html.escape(reached.text(lang))}</p>"
                   for rel, reached in getattr(assessment, "precision", {}).items()),
                 *(f'<p class="warning">⚠ {html.escape(note)}</p>' for note in assessment.calendar_notes()),
                 _table(verdicts, t["verdict"], cited=(t["reason"],)),
                 f"<p><b>{t['clock']}</b>: {html.escape(CLOCK_RULE[lang])} {html.escape(t['rule_static'])}</p>"]
        parts += robustness_section(assessment, lang, sheets)  # empty unless assessed with --robust
        province = [r for r in assessment.rows if r.cities]
        if province:  # 全省 targets: every 市县 (sim.analysis.cities)
            from ..analysis.cities import SECTION, city_rows

            sheets["cities"] = [x for r in province for x in city_rows(r.target, r.cities, lang)]
            parts += [f"<h2>{html.escape(SECTION[lang])}</h2>", _table(sheets["cities"])]
        if predictions:  # the trade backtest (sim.analysis.backtest): a prediction, not a verdict
            from ..analysis.backtest import TITLE, prediction_rows

            sheets["predictions"] = prediction_rows(predictions, lang)
            parts += [f"<h2>{html.escape(TITLE[lang])}</h2>", _table(sheets["predictions"])]
        not_sim = [{t["target"]: a, t["check"]: say(b, lang) if b != a else "", t["reason"]: say(c, lang)}
                   for a, b, c in assessment.not_simulated]
        sheets["not_simulated"] = not_sim
        parts += [f"<h2>{t['not_sim']}</h2>", _table(not_sim)]
        for ch in chains:
            res, b = ch.result, ch.bottlenecks
            name = Path(ch.process).stem
            local = _names(res.process, lang)
            title = (res.process.name_en if lang == "en" else "") or res.process.name or name
            parts.append(f"<h2>{html.escape(title)} <small>({html.escape(ch.process)})</small></h2>")
            base = baseline_for(root / ch.process)
            if diagrams and base is not None:
                from ..bpmn.loader import load_bpmn
                from .diff import render_diff

                png_path = render_diff(load_bpmn(base), load_bpmn(root / ch.process), tmp / f"{name}_diff.png", lang=lang)
                parts += [f"<h3>{t['diff']}: {html.escape(base.name)} → {html.escape(Path(ch.process).name)}</h3>",
                          _img(png_path.read_bytes(), t["diff"])]
                png_path.unlink()
            if ch.primary is not None:
                from ..analysis.assess import values_by_replication

                import numpy as np

                r = ch.primary
                vals = np.concatenate(values_by_replication(res, r.metric))
                th = r.check_obj.threshold
                lines = [x for x in (th.low, th.high) if x is not None]
                shown = t["metrics"].get(r.metric, r.metric)
                parts += [f"<h3>{t['dist']}: {r.target} {html.escape(say(r.check, lang))} ({html.escape(shown)})</h3>",
                          _img(distribution_png(vals, lines, r.metric, f"{r.target} {r.threshold}", lang), t["dist"])]
            section, tables = bottleneck_section(b, lang, local)
            sheets[f"{name}_agencies"], sheets[f"{name}_steps"] = tables["agencies"], tables["steps"]
            if b.agencies:
                parts += [f"<h3>{t['util']}</h3>", _img(utilisation_png([(agency_name(a.agency, lang), a.utilisation) for a in b.agencies], lang),
                                                        t["util"])]
            parts.append(section)
            sources = [{t["step"]: x["step"], t["number"]: t["numbers"].get(x["number"], x["number"]), t["value"]: x["value"],
                        t["grade"]: t["grades"][x["grade"]], t["source"]: x["source"]} for x in source_rows(res.process)]
            sheets[f"{name}_sources"] = sources
            parts += [f"<h3>{t['sources']}</h3>", f"<p>{html.escape(t['quoted'])}</p>",
                      _table(sources, quoted=(t["value"], t["source"]))]
            parts += _sensitivity(ch, name, assessment, sheets, t, lang)
        doc = (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
               f"<title>{t['title']}</title><style>{_CSS}</style></head><body>{''.join(parts)}</body></html>")
    files: dict[str, bytes | str] = {"report.html": doc}
    files.update({f"{sheet}.csv": csv_bytes(rows) for sheet, rows in sheets.items()})
    files["assessment.xlsx"] = workbook_bytes(sheets)
    return folder.replace_files(files)[0]


# --------------------------------------------------------------------------- verdicts over the assumptions' ranges
_ROBUST = ROBUSTNESS  # the one table of labels: sim.i18n


def robustness_section(assessment: Any, lang: str, sheets: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The report's robustness section (empty when the assessment was not judged over its assumptions)."""
    from ..analysis.robustness import CONDITIONAL, DEFAULT_TOP, robust_rows
    from .plots import breakeven_map_png, sobol_png

    found = getattr(assessment, "robust", None) or {}
    if not found:
        return []
    g, t = _ROBUST[lang], LABELS[lang]
    rows, figures = [], []
    for r in assessment.rows:
        rob = found.get(id(r))
        if rob is None:
            continue
        name = f"{r.target} {r.check}".strip()
        top = [s for s in rob.sensitivity if s.total is not None][:3]
        first = "; ".join(f"{s.label[lang]}: S {s.first:.2f}, ST {s.total:.2f} ({s.total_ci[0]:.2f}–{s.total_ci[1]:.2f})"
                          for s in top if s.total_ci is not None and s.first is not None)
        rows.append({t["target"]: name, t["process"]: Path(r.process).name, t["verdict"]: t[r.verdict],
                     g["class"]: g["classes"][rob.cls], g["share"]: _pct(rob.share, rob.lo, rob.hi),
                     g["sample"]: f"{rob.points} / {rob.runs}", g["break_even"]: " ".join(b.sentence[lang] for b in rob.break_even),
                     g["first"]: first})
        if rob.cls == CONDITIONAL:
            if rob.map is not None:
                figures += [f"<h3>{html.escape(g['map'].format(t=name))}</h3>",
                            _img(breakeven_map_png(rob.map, f"{name} ({Path(r.process).name})", lang), g["map"].format(t=name))]
            bars = [(s.label[lang], s.first or 0.0, s.total or 0.0, s.total_ci) for s in top]
            if bars:
                figures += [f"<h3>{html.escape(g['bars'].format(t=name))}</h3>", _img(sobol_png(bars, lang), g["bars"].format(t=name))]
    sheets["robustness"] = rows
    judged = {id(r) for rs in robust_rows(assessment).values() for r in rs}
    left = [f"{r.target} {r.check}".strip() for r in assessment.rows
            if r.kind == "performance" and id(r) not in judged and not r.context]
    method = g["method"].format(reps=assessment.replications, cases=assessment.cases, top=DEFAULT_TOP)
    return ([f"<h2>{html.escape(g['title'])}</h2>", f"<p>{html.escape(method)}</p>", _table(rows, t["verdict"])]
            + ([f"<p>{html.escape(g['not_judged'].format(rows=', '.join(dict.fromkeys(left))))}</p>"] if left else []) + figures)
