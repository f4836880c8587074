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
import tempfile
from pathlib import Path
from typing import Any

from ..files import OwnedFolder
from .tables import csv_bytes, fmt, workbook_bytes

__all__ = ["write_report", "baseline_for", "verdict_rows", "bottleneck_section", "LABELS"]

LABELS = {
    "en": {"title": "ReformSim assessment of the 2021 plan targets", "verdicts": "Verdicts", "target": "target",
           "check": "check", "process": "process", "unit": "unit", "metric": "judged on", "threshold": "threshold",
           "verdict": "verdict", "share": "share meeting", "mean": "mean (95% interval), where judged on the mean", "ci": "95% interval", "static": "static count / mean",
           "wd": "working days P50/P95", "note": "note", "reachable": "reachable", "at_risk": "at risk",
           "not_reachable": "not reachable", "clock": "Clock rule", "not_sim": "Not simulated", "reason": "reason",
           "diff": "Before / after", "dist": "Distribution of the metric", "util": "Agency utilisation",
           "step": "step", "agency": "agency", "tornado": "Sensitivity (single legal changes)",
           "greedy": "Changes that make it reachable (greedy search: at most 3, the most helpful added one at a time, so not "
                     "necessarily the smallest set; re-checked on fresh random numbers)",
           "none": "no change has a detectable helpful effect",
           "settings": "At the verdict's own precision: {reps} replications × {cases} cases, seed {seed}, required share {req:.0%}. "
                       "Base: the verdict's run for {t}, {base}. Each change runs on the same random numbers (common random "
                       "numbers); its effect is the mean of the paired per-replication differences in the share meeting the "
                       "target with a 95% t interval (mean ± t·s/√n); where the interval contains 0 it has no detectable effect.",
           "change": "change", "with_change": "share with the change (95% interval)", "effect": "effect on the share",
           "excluded": "Levers not proposed, and why", "lever": "lever", "why": "why not", "rule_source": "rule source",
           "basis": "decided by",
           "by": {"rule": "rule", "scenario": "scenario (excluded_levers)", "search": "not simulated (cannot matter)"},
           "rule_static": "Count targets are judged on exact static counts of every path: the share is the share of paths.",
           "kind": "kind", "design": "design check", "performance": "performance verdict", "complies": "complies",
           "partly_complies": "some paths comply", "does_not_comply": "does not comply", "rule": "Verdict rule",
           "required": "required share", "readings": "share on working / calendar days / DB clock",
           "band": "share inside the band", "check_note": "register note", "rests": "rests on", "sources": "What the chain's time rests on: every number and its source",
           "number": "number", "value": "value", "grade": "grade", "source": "source",
           "grades": {"statute": "statute", "measured": "published measurement", "plan": "plan clause",
                      "assumption": "assumption", "unsourced": "unclassified"},
           "precision": "Each chain: {reps} replications × {cases} cases, seed {seed}; the interval is across replications.",
           "metrics": {"workdays": "working days", "calendar_days": "calendar days", "db_days": "DB clock (days)",
                       "hours": "hours", "fee": "fee", "procedures": "procedures", "documents": "documents",
                       "stages": "stages"}},
    "zh": {"title": "ReformSim：2021年营商环境方案目标评估", "verdicts": "评估结论", "target": "目标",
           "check": "检查项", "process": "流程", "unit": "单位", "metric": "判定口径", "threshold": "阈值",
           "verdict": "结论", "share": "达标比例", "mean": "均值（95%区间，按均值判定时）", "ci": "95%区间", "static": "静态计数/均值",
           "wd": "工作日 P50/P95", "note": "说明", "reachable": "可达成", "at_risk": "有风险",
           "not_reachable": "不可达成", "clock": "时间口径", "not_sim": "未模拟的目标", "reason": "原因",
           "diff": "改革前后对比", "dist": "指标分布", "util": "部门利用率",
           "step": "环节", "agency": "部门", "tornado": "敏感性（单项合规改革）",
           "greedy": "使目标可达成的改革组合（贪心搜索：最多3项，每次加入最有帮助的一项，未必是最少的组合；以新的随机数复核）",
           "none": "没有可检测到正面影响的改革",
           "settings": "与结论相同的精度：{reps}次重复 × 每次{cases}件，随机种子{seed}，要求达标比例{req:.0%}。基准：{t}结论本身的模拟，{base}。"
                       "每项改革使用相同的随机数（共同随机数）；影响为各次重复达标比例配对差值的均值及其95% t区间（均值 ± t·s/√n）；"
                       "区间包含0时为“无可检测的影响”。",
           "change": "改革", "with_change": "改革后达标比例（95%区间）", "effect": "对达标比例的影响",
           "excluded": "未提出的改革及原因", "lever": "改革", "why": "原因", "rule_source": "规则来源",
           "basis": "依据",
           "by": {"rule": "规则", "scenario": "情景排除（excluded_levers）", "search": "未模拟（不会有影响）"},
           "rule_static": "环节数、材料数、阶段数按每条路径的精确静态计数判定：比例为路径占比。",
           "kind": "类别", "design": "设计核对", "performance": "绩效结论", "complies": "设计符合",
           "partly_complies": "部分路径符合", "does_not_comply": "设计不符合", "rule": "判定规则",
           "required": "要求比例", "readings": "达标比例：工作日 / 自然日 / 营商口径",
           "band": "区间内比例", "check_note": "清单说明", "rests": "依据", "sources": "本链用时的依据：每个数字及其来源",
           "number": "数字", "value": "取值", "grade": "等级", "source": "来源",
           "grades": {"statute": "法规/法定时限", "measured": "公开测量", "plan": "方案条款", "assumption": "假设",
                      "unsourced": "未分类"},
           "precision": "每条链：{reps}次重复 × 每次{cases}件，随机种子{seed}；区间按重复之间的差异计算。",
           "metrics": {"workdays": "工作日", "calendar_days": "自然日", "db_days": "营商口径（天）", "hours": "小时",
                       "fee": "收费", "procedures": "环节数", "documents": "材料数", "stages": "阶段数"}},
}
_COLOURS = {"reachable": "#2ca02c", "at_risk": "#ff7f0e", "not_reachable": "#d62728",
            # design checks in muted colours: they say what the model is, not what it reaches
            "complies": "#6b8e6b", "partly_complies": "#b0926a", "does_not_comply": "#a06060"}
_CSS = """body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;max-width:1500px}
table{border-collapse:collapse;margin:1em 0;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#eee}img{max-width:100%}.v{color:white;font-weight:bold;padding:2px 6px;border-radius:3px;white-space:nowrap}
td:last-child{min-width:22em}td:nth-child(3){white-space:nowrap}"""


def baseline_for(process: Path) -> Path | None:
    """The file a chain is compared with, as the catalog beside it says (None without a catalog or baseline)."""
    from ..catalog import catalog_for

    catalog = catalog_for(process)
    return catalog.baseline_path(process) if catalog is not None else None


def verdict_rows(assessment: Any, lang: str = "en") -> list[dict[str, Any]]:
    """The verdict table, one row per judged check, with its kind, reason and what it rests on."""
    t = LABELS[lang]

    def metric(r: Any) -> str:
        return r.metric if r.metric.startswith("step:") else t["metrics"].get(r.metric, r.metric)

    def readings(r: Any) -> str:
        return " / ".join("—" if v[0] is None or v[0] != v[0] else f"{v[0]:.0%}" for v in r.readings.values())

    context = {"en": " (context only)", "zh": "（仅作参考）"}[lang]  # a threshold not from the plan: no verdict on it
    return [{t["target"]: r.target, t["check"]: r.check, t["kind"]: t[r.kind] + (context if r.context else ""),
             t["process"]: Path(r.process).name,
             t["unit"]: r.unit, t["metric"]: metric(r), t["threshold"]: r.threshold, t["verdict"]: t[r.verdict],
             t["share"]: r.share, t["ci"]: "" if r.lo != r.lo else f"{r.lo:.1%}–{r.hi:.1%}", t["required"]: r.required,
             t["mean"]: "" if r.statistic != "mean" else f"{r.mean:.2f} ({r.mean_lo:.2f}–{r.mean_hi:.2f})",
             "P50": r.p50, "P80": r.p80, "P95": r.p95, t["readings"]: readings(r), t["band"]: r.band_share,
             t["static"]: r.static, t["reason"]: r.reason.get(lang, ""),
             t["note"]: "; ".join(x for x in (r.note, r.reading_why, r.check_note) if x)} for r in assessment.rows]


_BOTTLENECK_LABELS = {
    "zh": {"title": "瓶颈（{unit}）", "visits": "每件次数", "time": "平均用时", "crit": "关键路径占比",
           "staff": "人员", "util": "利用率", "mean_queue": "平均排队（办公时间）", "max_queue": "最大排队",
           "effort": "每件人员工时（小时）", "plus_one": "+1 人员：P80 变化 [95%区间]",
           "no_lever": "不适用：该部门未建模人员办理（只有法定/外部等待）",
           "no_queue": "0（无人排队）", "no_effect": "（无可检测影响）", "staffing": "达到各未达成目标所需的最少人员（有界贪心搜索）",
           "all_fixed": "本链各部门均未建模人员办理，时间全部来自法定/外部等待：人员杠杆在本链不适用。",
           "how": "每个环节的用时分为四部分：排队等待人员、等待办公时间、人员办理、法定/外部等待，四者之和即环节用时。"
                  "关键路径占比：每件沿其自身的最长路径（并行分支只计决定汇合时间的那一支）分摊用时，按件汇总，合计为100%。"
                  "“+1 人员”与结论使用相同的随机数、件数和重复次数（配对比较）。",
           "part_cols": "{part}（{unit}）"},
    "en": {"title": "Bottlenecks ({unit})", "visits": "visits per case", "time": "mean time", "crit": "share of critical path",
           "staff": "staff", "util": "utilisation", "mean_queue": "mean queue (open hours)", "max_queue": "max queue",
           "effort": "staff hours per case", "plus_one": "+1 staff: change in P80 [95% interval]",
           "no_lever": "does not apply: no staff work modelled at this agency (only fixed waits)",
           "no_queue": "0 (nobody queued)", "no_effect": " (no detectable effect)",
           "staffing": "Smallest staffing that reaches each failing target (bounded greedy search)",
           "all_fixed": "No agency of this chain has staff work modelled; all its time is fixed waits: staff levers do not apply here.",
           "how": "Each step's time is split into four parts that add up to it: queueing for staff, office closed, staff work, "
                  "fixed waits (statutory or external). Critical-path shares: each case's time is laid along its own longest "
                  "path (of parallel branches only the one that determined the join counts), summed over cases: they add up "
                  "to 100%. '+1 staff' uses the verdict's random numbers, cases and replications (a paired comparison).",
           "part_cols": "{part} ({unit})"},
}


def bottleneck_section(b: Any, lang: str = "zh") -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """The bottleneck section of one chain (HTML) and its tables (steps, agencies) for CSV/Excel.

    >>> from sim.analysis.bottlenecks import AgencyLoad, Bottlenecks
    >>> html_text, tables = bottleneck_section(Bottlenecks("p", "hours", 2.0, [], [AgencyLoad("customs", 6, 0.0, 0.0, 0)]), "en")
    >>> "staff levers do not apply here" in html_text, tables["agencies"][0]["+1 staff: change in P80 [95% interval]"][:14]
    (True, 'does not apply')
    """
    from ..analysis.bottlenecks import PART_LABELS, PARTS, UNIT_LABELS, drivers_text

    t, g = LABELS[lang], _BOTTLENECK_LABELS[lang]
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

    steps = [{t["step"]: s.name, "id": s.step, t["agency"]: s.agency or "—", g["visits"]: s.visits,
              **{g["part_cols"].format(part=PART_LABELS[lang][p], unit=unit): s.parts[p] for p in PARTS},
              f"{g['time']} ({unit})": s.mean_time, g["crit"]: s.critical_share} for s in b.top_steps(len(b.steps))]
    agencies = [{t["agency"]: a.agency, g["staff"]: a.staff, g["util"]: a.utilisation, g["mean_queue"]: a.mean_queue,
                 g["max_queue"]: a.max_queue, g["effort"]: a.effort_h, g["plus_one"]: effect(a)} for a in b.agencies]
    parts = [f"<h3>{html.escape(g['title'].format(unit=unit))}</h3>", f"<p>{html.escape(g['how'])}</p>"]
    line = drivers_text(b, lang)
    if line:
        parts.append(f"<p><b>{html.escape(line)}</b></p>")
    if b.agencies and not any(a.staff_levers_apply for a in b.agencies):
        parts.append(f"<p>{html.escape(g['all_fixed'])}</p>")
    parts += [_table(steps), _table(agencies)]
    if b.staffing:
        items = "".join(f"<li>{html.escape(' '.join(filter(None, (x.target, x.check))))}: {html.escape(x.text(b.unit, lang))}</li>"
                        for x in b.staffing)
        parts.append(f"<h4>{html.escape(g['staffing'])}</h4><ul>{items}</ul>")
    return "".join(parts), {"steps": steps, "agencies": agencies}


def _table(rows: list[dict[str, Any]], verdict_col: str | None = None) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in rows[0])
    body = []
    for r in rows:
        cells = []
        for k, v in r.items():
            text = html.escape(fmt(v, 3))
            if k == verdict_col:
                key = next((kk for kk, vv in _verdict_names().items() if v in vv), "")
                text = f'<span class="v" style="background:{_COLOURS.get(key, "#777")}">{text}</span>'
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
        sens = [{t["change"]: x.change.label(lang), t["with_change"]: _pct(x.share, x.lo, x.hi), "delta": x.delta,
                 "delta_lo": x.delta_lo, "delta_hi": x.delta_hi, t["effect"]: x.effect_text(lang)} for x in ch.ranked]
        sheets[f"{name}_sensitivity"] = sens
        shown = [x for x in ch.ranked if x.detectable] or ch.ranked[:3]
        settings = t["settings"].format(reps=assessment.replications, cases=assessment.cases, seed=assessment.seed,
                                        req=ch.primary.required, t=ch.primary.target, base=_pct(*ch.base))
        parts += [f"<h3>{t['tornado']}</h3>", f"<p>{html.escape(settings)}</p>",
                  _img(tornado_png([(x.change.label(lang), x.delta) for x in shown], lang,
                                   intervals=[(x.delta_lo, x.delta_hi) for x in shown]), t["tornado"]),
                  _table([{k: v for k, v in r.items() if k not in ("delta", "delta_lo", "delta_hi")} for r in sens])]
    if ch.excluded:
        rows = [{t["lever"]: x.change.label(lang), t["why"]: x.zh if lang == "zh" else x.en, t["basis"]: f"{t['by'][x.by]}: {x.rule}",
                 t["rule_source"]: x.source} for x in ch.excluded]
        sheets[f"{name}_excluded"] = rows
        parts += [f"<h3>{t['excluded']}</h3>", _table(rows)]
    if ch.fixes:
        names = {k: t[k] for k in ("reachable", "at_risk", "not_reachable")}
        items = [f"<li>{html.escape(tid)} {html.escape(check)}: {html.escape(t['none'] if fix is None else fix.text(lang, names))}</li>"
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

    if lang not in LABELS:
        raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
    t = LABELS[lang]
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
                 *(f'<p class="warning">⚠ {html.escape(note)}</p>' for note in assessment.calendar_notes()),
                 _table(verdicts, t["verdict"]),
                 f"<p><b>{t['clock']}</b>: {html.escape(CLOCK_RULE[lang])} {html.escape(t['rule_static'])}</p>"]
        province = [r for r in assessment.rows if r.cities]
        if province:  # 全省 targets: every 市县 (sim.analysis.cities)
            from ..analysis.cities import SECTION, city_rows

            sheets["cities"] = [x for r in province for x in city_rows(r.target, r.cities, lang)]
            parts += [f"<h2>{html.escape(SECTION[lang])}</h2>", _table(sheets["cities"])]
        if predictions:  # the trade backtest (sim.analysis.backtest): a prediction, not a verdict
            from ..analysis.backtest import TITLE, prediction_rows

            sheets["predictions"] = prediction_rows(predictions, lang)
            parts += [f"<h2>{html.escape(TITLE[lang])}</h2>", _table(sheets["predictions"])]
        not_sim = [{t["target"]: a, t["check"]: b, t["reason"]: c} for a, b, c in assessment.not_simulated]
        sheets["not_simulated"] = not_sim
        parts += [f"<h2>{t['not_sim']}</h2>", _table(not_sim)]
        for ch in chains:
            res, b = ch.result, ch.bottlenecks
            name = Path(ch.process).stem
            parts.append(f"<h2>{html.escape(res.process.name or name)} <small>({html.escape(ch.process)})</small></h2>")
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
                parts += [f"<h3>{t['dist']}: {r.target} {html.escape(r.check)} ({r.metric})</h3>",
                          _img(distribution_png(vals, lines, r.metric, f"{r.target} {r.threshold}", lang), t["dist"])]
            section, tables = bottleneck_section(b, lang)
            sheets[f"{name}_agencies"], sheets[f"{name}_steps"] = tables["agencies"], tables["steps"]
            if b.agencies:
                parts += [f"<h3>{t['util']}</h3>", _img(utilisation_png([(a.agency, a.utilisation) for a in b.agencies], lang),
                                                        t["util"])]
            parts.append(section)
            sources = [{t["step"]: x["step"], t["number"]: x["number"], t["value"]: x["value"], t["grade"]: t["grades"][x["grade"]],
                        t["source"]: x["source"]} for x in source_rows(res.process)]
            sheets[f"{name}_sources"] = sources
            parts += [f"<h3>{t['sources']}</h3>", _table(sources)]
            parts += _sensitivity(ch, name, assessment, sheets, t, lang)
        doc = (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
               f"<title>{t['title']}</title><style>{_CSS}</style></head><body>{''.join(parts)}</body></html>")
    files: dict[str, bytes | str] = {"report.html": doc}
    files.update({f"{sheet}.csv": csv_bytes(rows) for sheet, rows in sheets.items()})
    files["assessment.xlsx"] = workbook_bytes(sheets)
    return folder.replace_files(files)[0]
