"""Every label a planner reads, in Chinese (first) and English: one table per topic, one lookup.

Chinese is the default language of every command and report (``--lang zh|en``). A module that
shows words to a planner takes them from here instead of keeping a dict of its own, so a word is
translated once and reads the same in the console, the HTML report, the workbook and the diagrams.
Sentences built around numbers (a verdict's reason, a lever's label) stay with the code that
builds them; headings, column names, notes, verdict words, units and agency names live here.

This module imports nothing of ``sim`` (layer 0 of ``tests/test_layers.py``): every layer can use it.

Example:
    >>> words(VERDICTS, "zh")["not_reachable"], words(VERDICTS, "en")["not_reachable"]
    ('不可达成', 'not reachable')
    >>> agency_name("grid"), agency_name("grid", "en"), agency_name("my_office", fallback="本市窗口")
    ('海南电网公司', 'Hainan Power Grid', '本市窗口')
    >>> agency_id("省市场监管局"), agency_id("market_regulation"), agency_id("no such office")
    ('market_regulation', 'market_regulation', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["LANGS", "DEFAULT_LANG", "check_lang", "words", "Text", "say", "joined", "pad", "lang_help", "agency_name", "agency_id", "agency_choices",
           "AGENCIES", "VERDICTS", "METRICS", "CLOCKS", "UNITS", "THRESHOLDS", "REGISTER_UNITS", "PARTS", "GRADES", "REPORT", "BOTTLENECKS", "COMPARE",
           "SWEEP", "RUN", "ASSESS", "LIST", "CITIES", "RUNS", "FIT", "DIFF", "FLOW_LABELS_EN", "ROBUSTNESS"]

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`, else a ValueError naming the choices.

    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    ValueError: lang must be "zh" or "en", got 'fr'
    """
    if lang not in LANGS:
        raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
    return lang


def words(table: Mapping[str, Mapping[str, Any]], lang: str) -> Mapping[str, Any]:
    """The ``lang`` half of a bilingual table, after :func:`check_lang`."""
    return table[check_lang(lang)]


class Text(str):
    """A message in both languages: the English text as a plain ``str`` (what JSON, logs and old callers see),
    the Chinese one in ``.zh``; :func:`say` picks one.

    >>> note = Text("3 staff assumed", "假设 3 名人员")
    >>> note == "3 staff assumed", say(note, "zh"), say("plain text", "zh")
    (True, '假设 3 名人员', 'plain text')
    """

    zh: str

    def __new__(cls, en: str, zh: str) -> Text:
        text = super().__new__(cls, en)
        text.zh = zh
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes with both languages
        return (Text, (str(self), self.zh))


def say(text: str | None, lang: str = DEFAULT_LANG) -> str:
    """``text`` in ``lang``: the Chinese of a :class:`Text`, otherwise the text as it is ("" for None)."""
    if text is None:
        return ""
    if check_lang(lang) == "zh" and isinstance(text, Text):
        return text.zh
    return str(text)


def joined(*parts: str | None) -> Text:
    """The non-empty ``parts`` as one :class:`Text`, each language joined with its own separator.

    >>> t = joined("a", Text("b", "乙"), "")
    >>> str(t), t.zh
    ('a; b', 'a；乙')
    """
    kept = [x for x in parts if x]
    return Text("; ".join(str(x) for x in kept), "；".join(say(x, "zh") for x in kept))


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` cut and padded to ``width`` terminal columns, a Chinese character taking two (console tables).

    >>> pad("省税务局", 10) + "|", pad("tax", 5, right=True) + "|"
    ('省税务局  |', '  tax|')
    """
    import unicodedata

    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return " " * (width - used) + out if right else out + " " * (width - used)


def lang_help() -> str:
    """The ``--lang`` option's help, bilingual: argparse shows help before any --lang is read."""
    return "报告与表格的语言 / language of tables and reports: zh（中文，默认 default）或 or en"


# -- agencies: the 责任单位 as the plan (seed/hainan-2021-business-environment-plan.zh.txt) writes them where it
# names them; an agency the plan does not name (a bank, a contractor) by its usual Chinese name.
AGENCIES: Mapping[str, tuple[str, str]] = {
    "market_regulation": ("省市场监管局", "Provincial Market Regulation Administration"),
    "public_security": ("省公安厅（印章刻制备案）", "Provincial Public Security Department (seal filing)"),
    "tax": ("省税务局", "Provincial Tax Service"),
    "social_security": ("省人力资源社会保障厅", "Provincial Human Resources and Social Security Department"),
    "social_insurance": ("省社会保险服务中心", "Provincial Social Insurance Service Centre"),
    "bank": ("开户银行", "the account bank"),
    "gov_service": ("省政府政务服务中心", "Provincial Government Service Centre"),
    "development_reform": ("省发展改革委", "Provincial Development and Reform Commission"),
    "natural_resources": ("省自然资源和规划厅", "Provincial Natural Resources and Planning Department"),
    "housing_construction": ("省住房城乡建设厅", "Provincial Housing and Urban-Rural Development Department"),
    "housing": ("住房城乡建设部门", "housing authority"),
    "transport": ("省交通运输厅", "Provincial Transport Department"),
    "water": ("省水务厅", "Provincial Water Affairs Department"),
    "water_company": ("供水企业（水务公司）", "water utility"),
    "gas_company": ("燃气企业", "gas utility"),
    "utilities": ("供水供气单位", "water and gas utilities"),
    "grid": ("海南电网公司", "Hainan Power Grid"),
    "archives": ("省档案局", "Provincial Archives Bureau"),
    "fire": ("消防审验（住建部门）", "fire-safety review (housing authority)"),
    "ecology": ("省生态环境厅", "Provincial Ecology and Environment Department"),
    "civil_defense": ("人民防空办公室", "Civil Air Defence Office"),
    "landscaping": ("园林绿化主管部门", "landscaping authority"),
    "urban_roads": ("城市道路主管部门（住建/市政）", "urban-roads authority"),
    "surveyor": ("测绘机构", "surveyor"),
    "contractor": ("施工单位", "contractor"),
    "customs": ("海口海关", "Haikou Customs"),
    "port_operator": ("港口经营人", "port operator"),
    "registry": ("不动产登记机构", "real-estate registry"),
    "liquidation_group": ("清算组", "liquidation group"),
    "applicant": ("申请人", "the applicant"),
}


def agency_name(aid: str | None, lang: str = DEFAULT_LANG, fallback: str | None = None) -> str:
    """An agency as the planner knows it: the plan's 责任单位 (zh) or its English name; for an agency
    not in :data:`AGENCIES` the process's own name (``fallback``, its ``agency.<id>.name``) or the id."""
    if not aid:
        return "—"
    names = AGENCIES.get(aid)
    if names is None:
        return fallback or aid
    return names[0] if check_lang(lang) == "zh" else names[1]


def agency_id(name: str) -> str | None:
    """The agency id of a name a scenario may use: the id itself or its Chinese name (None when neither)."""
    if name in AGENCIES:
        return name
    return next((aid for aid, (zh, _) in AGENCIES.items() if zh == name), None)


def agency_choices(ids: list[str] | tuple[str, ...] | set[str] | frozenset[str]) -> str:
    """``省税务局 (tax), 海南电网公司 (grid)``: how a message lists the valid agencies."""
    return ", ".join(f"{agency_name(a)} ({a})" if a in AGENCIES else a for a in sorted(ids))


# -- verdicts, metrics, clocks, units
VERDICTS = {
    "zh": {"reachable": "可达成", "at_risk": "有风险", "not_reachable": "不可达成", "complies": "设计符合",
           "partly_complies": "部分路径符合", "does_not_comply": "设计不符合"},
    "en": {"reachable": "reachable", "at_risk": "at risk", "not_reachable": "not reachable", "complies": "the design complies",
           "partly_complies": "some paths comply", "does_not_comply": "the design does not comply"},
}
METRICS = {
    "zh": {"workdays": "工作日", "calendar_days": "自然日", "db_days": "营商口径（天）", "hours": "小时", "fee": "收费",
           "procedures": "环节数", "documents": "材料数", "stages": "阶段数", "online": "网上办理",
           "deposit_rate": "保证金比例", "filings_per_year": "每户每年申报次数", "utilisation": "利用率"},
    "en": {"workdays": "working days", "calendar_days": "calendar days", "db_days": "DB clock (days)", "hours": "hours",
           "fee": "fee", "procedures": "procedures", "documents": "documents", "stages": "stages", "online": "online",
           "deposit_rate": "deposit rate", "filings_per_year": "filings per firm-year", "utilisation": "utilisation"},
}
CLOCKS = {  # the clock a verdict's reason names
    "zh": {"workdays": "工作日（法定时限口径）", "calendar_days": "自然日", "db_days": "天（营商环境评价口径）", "hours": "小时",
           "fee": "元", "filings_per_year": "每户每年申报次数", "step": "工作日（单个环节）"},
    "en": {"workdays": "working days (statutory clock)", "calendar_days": "calendar days",
           "db_days": "days on the Doing-Business clock", "hours": "hours", "fee": "yuan",
           "filings_per_year": "filings per firm-year", "step": "working days (one step)"},
}
UNITS = {  # duration units of the facts (workday, day, hour) and of the bottleneck tables (workdays, hours)
    "zh": {"workday": "工作日", "day": "天", "hour": "小时", "workdays": "工作日", "hours": "小时"},
    "en": {"workday": "working days", "day": "calendar days", "hour": "hours", "workdays": "working days", "hours": "hours"},
}
PARTS = {  # the four parts of a step's time (sim.analysis.bottlenecks.PARTS)
    "zh": {"queue": "排队等待人员", "closed": "等待办公时间", "work": "人员办理", "wait": "法定/外部等待"},
    "en": {"queue": "queueing for staff", "closed": "office closed", "work": "staff work", "wait": "fixed waits"},
}
THRESHOLDS = {"zh": {"baseline": "改革前"}, "en": {"baseline": "baseline"}}
REGISTER_UNITS = {  # the units a register row is written in (sim.targets.UNITS)
    "zh": {"工作日": "工作日", "天": "天", "hours": "小时", "count": "个", "yuan": "元", "USD": "美元", "yes-no": "是/否",
           "percent": "%", "qualitative": "定性"},
    "en": {"工作日": "working days", "天": "days (天)", "hours": "hours", "count": "count", "yuan": "yuan", "USD": "USD",
           "yes-no": "yes/no", "percent": "percent", "qualitative": "qualitative"},
}
GRADES = {  # source grades of a number (sim.analysis.provenance)
    "zh": {"statute": "法规/法定时限", "measured": "公开测量", "plan": "方案条款", "assumption": "假设", "unsourced": "未分类"},
    "en": {"statute": "statute", "measured": "published measurement", "plan": "plan clause", "assumption": "assumption",
           "unsourced": "unclassified"},
}

# -- the assessment report (sim.report.html); verdict words, metrics and grades from the tables above
REPORT: Mapping[str, Mapping[str, Any]] = {
    "en": {"title": "ReformSim assessment of the 2021 plan targets", "verdicts": "Verdicts", "target": "target",
           "check": "check", "process": "process", "unit": "unit", "metric": "judged on", "threshold": "threshold",
           "verdict": "verdict", "share": "share meeting", "mean": "mean (95% interval), where judged on the mean", "ci": "95% interval", "static": "static count / mean",
           "wd": "working days P50/P95", "note": "note", **{k: v for k, v in VERDICTS["en"].items() if k in
                                                              ("reachable", "at_risk", "not_reachable")},
           "clock": "Clock rule", "not_sim": "Not simulated", "reason": "reason",
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
           "delta": "change in the share", "delta_lo": "change: 95% low", "delta_hi": "change: 95% high",
           "excluded": "Levers not proposed, and why", "lever": "lever", "why": "why not", "rule_source": "rule source",
           "basis": "decided by", "id": "id", "context": " (context only)",
           "by": {"rule": "rule", "scenario": "scenario (excluded_levers)", "search": "not simulated (cannot matter)"},
           "rule_static": "Count targets are judged on exact static counts of every path: the share is the share of paths.",
           "kind": "kind", "design": "design check", "performance": "performance verdict", "complies": "complies",
           "partly_complies": "some paths comply", "does_not_comply": "does not comply", "rule": "Verdict rule",
           "required": "required share", "readings": "share on working / calendar days / DB clock",
           "band": "share inside the band", "check_note": "register note", "rests": "rests on",
           "sources": "What the chain's time rests on: every number and its source",
           "number": "number", "value": "value", "grade": "grade", "source": "source", "grades": GRADES["en"],
           "numbers": {"arrivals": "arrivals", "staff": "staff", "hours": "opening hours", "work": "staff work", "wait": "wait"},
           "quoted": "Values and sources are quoted from the model files as written.",
           "precision": "Each chain: {reps} replications × {cases} cases, seed {seed}; the interval is across replications.",
           "metrics": METRICS["en"]},
    "zh": {"title": "ReformSim：2021年营商环境方案目标评估", "verdicts": "评估结论", "target": "目标",
           "check": "检查项", "process": "流程", "unit": "单位", "metric": "判定口径", "threshold": "阈值",
           "verdict": "结论", "share": "达标比例", "mean": "均值（95%区间，按均值判定时）", "ci": "95%区间", "static": "静态计数/均值",
           "wd": "工作日 P50/P95", "note": "说明", **{k: v for k, v in VERDICTS["zh"].items() if k in
                                                     ("reachable", "at_risk", "not_reachable")},
           "clock": "时间口径", "not_sim": "未模拟的目标", "reason": "原因",
           "diff": "改革前后对比", "dist": "指标分布", "util": "部门利用率",
           "step": "环节", "agency": "部门", "tornado": "敏感性（单项合规改革）",
           "greedy": "使目标可达成的改革组合（贪心搜索：最多3项，每次加入最有帮助的一项，未必是最少的组合；以新的随机数复核）",
           "none": "没有可检测到正面影响的改革",
           "settings": "与结论相同的精度：{reps}次重复 × 每次{cases}件，随机种子{seed}，要求达标比例{req:.0%}。基准：{t}结论本身的模拟，{base}。"
                       "每项改革使用相同的随机数（共同随机数）；影响为各次重复达标比例配对差值的均值及其95% t区间（均值 ± t·s/√n）；"
                       "区间包含0时为“无可检测的影响”。",
           "change": "改革", "with_change": "改革后达标比例（95%区间）", "effect": "对达标比例的影响",
           "delta": "达标比例变化", "delta_lo": "变化95%区间下限", "delta_hi": "变化95%区间上限",
           "excluded": "未提出的改革及原因", "lever": "改革", "why": "原因", "rule_source": "规则来源",
           "basis": "依据", "id": "编号", "context": "（仅作参考）",
           "by": {"rule": "规则", "scenario": "情景排除（excluded_levers）", "search": "未模拟（不会有影响）"},
           "rule_static": "环节数、材料数、阶段数按每条路径的精确静态计数判定：比例为路径占比。",
           "kind": "类别", "design": "设计核对", "performance": "绩效结论", "complies": "设计符合",
           "partly_complies": "部分路径符合", "does_not_comply": "设计不符合", "rule": "判定规则",
           "required": "要求比例", "readings": "达标比例：工作日 / 自然日 / 营商口径",
           "band": "区间内比例", "check_note": "清单说明", "rests": "依据", "sources": "本链用时的依据：每个数字及其来源",
           "number": "数字", "value": "取值", "grade": "等级", "source": "来源", "grades": GRADES["zh"],
           "numbers": {"arrivals": "到达量", "staff": "人员", "hours": "办公时间", "work": "人员办理用时", "wait": "等待用时"},
           "quoted": "取值与来源按模型文件原文引用。",
           "precision": "每条链：{reps}次重复 × 每次{cases}件，随机种子{seed}；区间按重复之间的差异计算。",
           "metrics": METRICS["zh"]},
}

BOTTLENECKS = {  # the bottleneck section of the report (sim.report.html.bottleneck_section)
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

# -- what-ifs (sim.whatif.compare, sim.whatif.sweep)
COMPARE = {
    "zh": {"paired": "配对（相同随机数）", "welch": "非配对（Welch）：随机种子或重复次数不同", "seeds": "随机种子",
           "reps": "次重复", "kpi": "指标（每件均值与百分位）", "stat": "统计量", "change": "变化 B − A",
           "ci": "变化的95%区间", "sig": "显著", "yes": "是", "no": "否", "process": "流程差异",
           "design": "设计核对（最差路径，同一计数器）", "what": "项目", "targets": "本链目标：达标比例与结论",
           "target": "目标", "check": "检查项", "metric": "判定口径", "threshold": "阈值", "required": "要求比例",
           "share_a": "A 达标比例", "share_b": "B 达标比例", "verdict_a": "A 结论", "verdict_b": "B 结论",
           "share_change": "达标比例变化", "kind": "类别", "design_kind": "设计核对", "performance": "绩效结论",
           "no_pct": "百分位需要重新运行（历史记录只保存每次重复的均值）",
           "pct_note": "P50/P80/P95：每次重复内各案件的百分位，在重复之间取平均；变化区间为配对区间。",
           "mean": "均值", "lo": "下限", "hi": "上限", "recorded": "已记录为第 {a} 与第 {b} 次运行，保存在 {path}",
           "diagram": "流程对比图", "excel": "Excel 工作簿",
           "whats": {"procedures": "环节数", "documents": "材料数", "stages": "阶段数", "fee": "收费（元）"},
           "sheets": {"kpis": "指标", "targets": "目标", "design": "设计核对", "changes": "流程差异"}},
    "en": {"paired": "paired, common random numbers", "welch": "unpaired (Welch): seeds or replication counts differ",
           "seeds": "seeds", "reps": "replications", "kpi": "KPI (mean and percentiles per case)", "stat": "statistic",
           "change": "change B − A", "ci": "95% CI of difference", "sig": "significant", "yes": "yes", "no": "no",
           "process": "the process differs", "design": "Design checks (worst path, the one counter)", "what": "item",
           "targets": "Targets on this chain: share meeting and verdict", "target": "target", "check": "check",
           "metric": "judged on", "threshold": "threshold", "required": "required share", "share_a": "A: share meeting",
           "share_b": "B: share meeting", "verdict_a": "A: verdict", "verdict_b": "B: verdict",
           "share_change": "change in share meeting", "kind": "kind", "design_kind": "design check",
           "performance": "performance verdict",
           "no_pct": "percentiles need fresh runs (the history keeps the replications' means only)",
           "pct_note": "P50/P80/P95: each replication's percentile of its cases, averaged over replications; the change has "
                       "the paired interval.",
           "mean": "mean", "lo": "lo", "hi": "hi", "recorded": "recorded as runs {a} and {b} in {path}",
           "diagram": "diagram diff", "excel": "Excel",
           "whats": {"procedures": "procedures", "documents": "documents", "stages": "stages", "fee": "fee (yuan)"},
           "sheets": {"kpis": "KPIs", "targets": "targets", "design": "design", "changes": "process changes"}},
}
SWEEP = {
    "zh": {"sheet_points": "各点", "sheet_cheapest": "最低成本", "sheet_axes": "维度", "axis": "维度", "kind": "类别",
           "lever": "措施（计成本）", "condition": "条件（不计成本）", "cost": "单位成本", "source": "成本来源", "values": "取值",
           "condition_col": "条件", "total": "成本", "cheapest": "最低成本可达成点", "none": "没有可达成的点", "verdict": "结论",
           "no_levers": "没有措施维度：逐点判定，不计算最低成本", "share": "达标比例", "lo": "区间下限", "hi": "区间上限",
           "judged": "按 {target} 判定（{threshold}，要求比例 {required:.0%}）", "excel": "Excel 工作簿",
           "points": "{points} 个点 × {reps} 次重复 × 每次 {cases} 件，随机种子 {seed}", "table": "表格", "plot": "图",
           "history": "运行记录", "yes": "是", "no": "否",
           "columns": {"cost": "成本", "workdays_mean": "工作日均值", "calendar_days_mean": "自然日均值",
                       "db_days_mean": "营商口径均值", "procedures_mean": "环节数均值", "max_utilisation": "最高利用率",
                       "attainment": "达标比例", "attainment_lo": "区间下限", "attainment_hi": "区间上限", "verdict": "结论",
                       "reachable": "可达成"}},
    "en": {"sheet_points": "points", "sheet_cheapest": "cheapest", "sheet_axes": "axes", "axis": "axis", "kind": "kind",
           "lever": "lever (costs)", "condition": "condition (no cost)", "cost": "cost per unit", "source": "cost source",
           "values": "values", "condition_col": "condition", "total": "cost", "cheapest": "cheapest reachable point",
           "none": "no point reaches it", "verdict": "verdict", "no_levers": "no lever axis: every point is judged, nothing is priced",
           "share": "share", "lo": "lo95", "hi": "hi95",
           "judged": "judged by {target} ({threshold}, required share {required:.0%})", "excel": "Excel",
           "points": "{points} points × {reps} replications × {cases} cases, seed {seed}", "table": "table", "plot": "plot",
           "history": "history", "yes": "yes", "no": "no",
           "columns": {"cost": "cost", "workdays_mean": "workdays_mean", "calendar_days_mean": "calendar_days_mean",
                       "db_days_mean": "db_days_mean", "procedures_mean": "procedures_mean", "max_utilisation": "max_utilisation",
                       "attainment": "attainment", "attainment_lo": "attainment_lo", "attainment_hi": "attainment_hi",
                       "verdict": "verdict", "reachable": "reachable"}},
}

# -- console tables of the commands
RUN = {  # reformsim run (sim.commands.run.format_summary)
    "zh": {"head": "{name}（{process}）— 情景 {scenario}，{replications} 次重复 × 每次 {cases} 件，随机种子 {seed}，执行器 {executor}",
           "per_case": "每件", "mean": "均值", "ci": "均值95%区间", "step": "环节", "agency": "部门", "queue_h": "排队小时",
           "serve_h": "办理小时", "workdays": "工作日", "p95_wd": "P95工作日", "staff": "人员", "util": "利用率",
           "load": "负荷", "mean_queue": "平均排队", "max_queue": "最大排队", "assumed": "默认假设：", "default": "默认设置（无情景文件）",
           "kpis": {"workdays": "工作日（法定时限口径）", "calendar_days": "自然日", "db_days": "营商口径（天）",
                    "hours": "经过小时", "procedures": "环节数", "documents": "材料数", "fee": "收费（元）"}},
    "en": {"head": "{name} ({process}) — scenario {scenario}, {replications} replication(s) × {cases} cases, seed {seed}, "
                   "executor {executor}",
           "per_case": "per case", "mean": "mean", "ci": "95% CI of mean", "step": "step", "agency": "agency",
           "queue_h": "queue h", "serve_h": "serve h", "workdays": "workdays", "p95_wd": "P95 wd", "staff": "staff",
           "util": "utilisation", "load": "offered load", "mean_queue": "mean queue", "max_queue": "max queue",
           "assumed": "assumed:", "default": "default",
           "kpis": {"workdays": "working days (statutory clock)", "calendar_days": "calendar days",
                    "db_days": "Doing-Business days", "hours": "elapsed hours", "procedures": "procedures",
                    "documents": "documents", "fee": "fees (yuan)"}},
}
ASSESS = {  # reformsim assess, the console table (sim.commands.assess.format_verdicts)
    "zh": {"target": "目标", "check": "检查项", "kind": "类别", "process": "流程", "metric": "判定口径", "threshold": "阈值",
           "verdict": "结论", "share": "达标比例", "ci": "95%区间", "count": "计数", "context": "仅作参考",
           "tail": "{context} 项仅作参考；{not_sim} 项未模拟", "report": "报告"},
    "en": {"target": "target", "check": "check", "kind": "kind", "process": "process", "metric": "judged on",
           "threshold": "threshold", "verdict": "verdict", "share": "share", "ci": "95% interval", "count": "count",
           "context": "context", "tail": "{context} context only; {not_sim} not simulated", "report": "report"},
}
CITIES = {  # 全省 targets per 市县 (sim.analysis.cities)
    "zh": {"section": "全省目标：各市县（最弱在前）",
           "columns": ("目标", "市县", "达标比例", "95%区间", "结论", "申请量（件/工作日）", "人员", "每次重复件数")},
    "en": {"section": "Province-wide targets: every city and county (weakest first)",
           "columns": ("target", "city or county", "share meeting", "95% interval", "verdict", "applications per working day",
                       "staff", "cases per replication")},
}
RUNS = {  # reformsim runs
    "zh": {"none": "{path} 中没有运行记录", "id": "编号", "when": "时间（UTC）", "kind": "类别", "scenario": "情景", "hash": "情景摘要",
           "seed": "种子", "reps": "重复", "cases": "件数", "workdays": "工作日", "code": "代码版本"},
    "en": {"none": "no runs recorded in {path}", "id": "id", "when": "when (UTC)", "kind": "kind", "scenario": "scenario",
           "hash": "hash", "seed": "seed", "reps": "reps", "cases": "cases", "workdays": "workdays", "code": "code"},
}
FIT = {  # reformsim fit
    "zh": {"head": "{cases} 件，跨 {workdays} 个工作日：每个工作日 {rate:.2f} 件；办公时间 {hours}", "not_found": "未找到",
           "step": "环节", "fit": "拟合分布", "ks": "KS p", "unmatched": "未匹配的活动", "missing": "没有数据的环节",
           "notes": "说明"},
    "en": {"head": "{cases} cases over {workdays} working days: {rate:.2f} per working day; office hours {hours}",
           "not_found": "not found", "step": "step", "fit": "fit", "ks": "KS p", "unmatched": "unmatched activities",
           "missing": "steps without data", "notes": "notes"},
}
LIST = {  # reformsim list
    "en": ("chain", "variant", "file", "name", "procedures", "documents", "stages", "statutory time", "targets"),
    "zh": ("链条", "版本", "文件", "名称", "手续数", "材料数", "阶段数", "法定时限", "检验的目标"),
}
DIFF = {  # the before/after diff (sim.report.diff) and `reformsim diff`
    "zh": {
        "removed": "取消", "added": "新增", "merged": "合并", "parallelised": "并联办理",
        "shortened": "压缩时限", "made_online": "网上办理", "commitment": "告知承诺", "renamed": "更名",
        "before": "改革前", "after": "改革后",
        "dot": "圆点：该环节的其他变化",
        "counts": "手续 {procedures} 个 · 材料 {documents} 份 · 法定时限 {statutory}（最多的路径）",
        "no_statutory": "未标注",
        "what": {"statutory_limit": "法定时限", "wait+work": "用时"},
        "line": "{label}：手续 {procedures} 个，材料 {documents} 份，阶段 {stages} 个，法定时限 {statutory}（最多的路径）",
        "measures": "改革后模型由 {baseline} 加以下方案措施生成（{file}）：",
        "case": "情形（非方案措施）",
    },
    "en": {
        "removed": "removed", "added": "added", "merged": "merged", "parallelised": "parallelised",
        "shortened": "shortened", "made_online": "made online", "commitment": "notification and commitment", "renamed": "renamed",
        "before": "Before", "after": "After", "dot": "dot: a further change of the step",
        "counts": "{procedures} procedures · {documents} documents · statutory time {statutory} (worst path)",
        "no_statutory": "not stated",
        "what": {"statutory_limit": "statutory limit", "wait+work": "wait+work"},
        "line": "{label}: {procedures} procedures, {documents} documents, {stages} stages, statutory time {statutory} (worst path)",
        "measures": "the after-model is {baseline} plus these measures of the plan ({file}):",
        "case": "case (not a plan measure)",
    },
}

# English for the labels of sequence flows in the bundled models (a flow carries no name_en of its own; gateways,
# events and tasks do): the diagram's --lang en falls back to these words, then to the name as written.
ROBUSTNESS = {  # the robustness section of the report and console (sim.analysis.robustness, sim.report.html)
    "en": {"title": "Verdicts over the assumptions' ranges (robustness)", "class": "robustness", "share": "share of the box where it holds (Wilson 95%)",
           "sample": "points / runs", "break_even": "break-even (others central)", "first": "measure first (S first-order, ST total)",
           "classes": {"robust": "robust", "conditional": "conditional", "fails": "fails throughout"},
           "map": "Break-even map: where {t} holds over its two decisive assumptions, the others central",
           "bars": "What to measure first for {t}: Sobol' indices of the share meeting the target",
           "not_judged": "Not judged over the assumptions (no simulated run to vary): {rows}.",
           "method": "Each performance verdict is judged again at the points of a scrambled Sobol' design over its chain's "
                     "assumption box (every assumption with a plausible range, sim.model.assumptions), plus the central point "
                     "and each assumption at either end of its range: {reps} replications × {cases} cases per point, the "
                     "verdict's seed at every point (common random numbers, so points differ by the assumptions only). It holds "
                     "at a point when the verdict rule says reachable there. Robust: it holds at every design point; "
                     "conditional: at some; fails throughout: at none. The share carries Wilson's 95% interval over the "
                     "points (conservative for quasi-random points). Break-even: a bisection along each of the two most "
                     "influential assumptions, the others central, re-checked on fresh random numbers (seed + 1) just either "
                     "side; a flip the re-check does not confirm is reported as noise, without a value. What to measure "
                     "first: first-order (Saltelli 2010) and total (Jansen) Sobol' indices with bootstrap 95% intervals, for "
                     "the {top} assumptions the screen (rank correlation over the design) finds most influential on chains with a "
                     "conditional row; the rest are ranked by the screen. Adaptive: a chain with a conditional row whose two "
                     "leading total indices are not told apart (their intervals overlap), or whose class rests on a single point, "
                     "is judged again on twice the points "
                     "(the column \"points / runs\" shows the points used). A 全省 target holds at a point only where it holds in "
                     "every 市县 at that point (the window's demand and staff moved to each 市县, tried weakest first: the "
                     "first 市县 where it is not reachable settles the point). A target compared with a baseline (shorter "
                     "than before, fewer filings) is judged at each point on both models on the same random numbers; an "
                     "assumption both have moves together, to the same place of each model's own range."},
    "zh": {"title": "假设范围内的结论（稳健性）", "class": "稳健性", "share": "成立的假设空间占比（Wilson 95%）", "sample": "组合数 / 模拟次数",
           "break_even": "临界值（其余假设取中值）", "first": "优先测量（S 一阶，ST 总效应）",
           "classes": {"robust": "稳健", "conditional": "有条件成立", "fails": "全域不成立"},
           "map": "临界图：{t} 在两个决定性假设上的成立区域（其余假设取中值）",
           "bars": "{t} 应优先测量的假设：达标比例的 Sobol 指数",
           "not_judged": "未在假设范围内判定（没有可变动假设的模拟）：{rows}。",
           "method": "每个绩效结论在其流程假设空间（每个设定了合理范围的假设，sim.model.assumptions）的扰乱 Sobol 设计点上重新判定，"
                     "另加中值点和每个假设取范围两端的点：每个点 {reps} 次重复 × {cases} 件，所有点使用结论的随机种子（共同随机数，"
                     "各点只在假设上不同）。某点按判定规则为“可达成”即为成立。稳健：所有设计点都成立；有条件成立：部分成立；"
                     "全域不成立：都不成立。占比附 Wilson 95% 区间（对准随机点偏保守）。临界值：沿两个影响最大的假设各自二分查找，"
                     "其余假设取中值，并以新的随机数（种子 + 1）在其两侧复核；复核未确认的翻转视为模拟噪声，不给出数值。优先测量："
                     "在有“有条件成立”结论的流程上，对筛选（设计点上的秩相关）中影响最大的 {top} 个假设计算一阶（Saltelli 2010）"
                     "和总效应（Jansen）Sobol 指数及自助法 95% 区间，其余按筛选排序。自适应：若某流程有“有条件成立”的结论且排名前两位的总效应指数区间重叠（未能分开）或类别只取决于一个组合，该流程的组合数加倍重新判定"
                     "（“组合数 / 模拟次数”一栏列出实际所用组合数）。“全省”目标在某一点上只有在每个市县都成立才算成立"
                     "（窗口的申请量和人员按各市县换算，从最弱的市县试起：第一个不可达成的市县即决定该点）。与改革前对比的目标"
                     "（用时短于改革前、申报次数减少）在每个点上用同一组随机数模拟改革前后两个模型；两者共有的假设一同变化，"
                     "取各自范围中的相同位置。"},
}
FLOW_LABELS_EN = {
    "是": "yes", "否": "no", "常规": "usual", "无异议": "no objection", "有异议": "objection", "驳回": "rejected",
    "查验": "inspected", "不查验": "not inspected", "提前申报": "advance declaration", "两步申报": "two-step declaration",
    "船边直提": "ship-side pick-up", "抵港直装": "direct loading on arrival", "行政许可": "licence",
    "告知承诺": "commitment",
}
