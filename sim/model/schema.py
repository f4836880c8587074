"""The scenario language as data: every key, its kind, bounds, default, a zh/en line and an example.

One declaration serves three readers: :func:`sim.model.scenario.parse_scenario` takes the keys it
accepts, their kinds and bounds from :data:`SCENARIO` (so an undocumented key is refused with
"did you mean"); :mod:`sim.model.edits` builds its verb table from :data:`~sim.model.edits.EDIT_SCHEMA`;
``scripts/gen_scenario_docs.py`` writes ``docs/scenarios.md`` from both, and a test keeps the
committed manual equal to the generated one.

Example:
    >>> SCENARIO.child("cases").kind, SCENARIO.child("cases").default
    ('count', '1000')
    >>> SCENARIO.child("agencies").each.names()
    ('staff', 'hours', 'name', 'source')
    >>> SCENARIO.child("arrivals").child("growth").high == MAX_GROWTH
    True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .bounds import MAX_CASES, MAX_DURATION, MAX_GROWTH, MAX_RATE, MAX_REPLICATIONS, MAX_STAFF, SEED_MAX

__all__ = ["Key", "SCENARIO", "SOURCE_KEY", "KIND_TEXT", "MAX_INSTANCES"]

# assumption: a multi-instance step is a countersignature or review by a few parties; more than 50
# copies of one step is a data-driven loop, not something to unroll (sim.bpmn.prepare reads it too).
MAX_INSTANCES = 50


@dataclass(frozen=True)
class Key:
    """One key of the scenario language.

    ``kind`` names how its value is checked (:data:`KIND_TEXT` says it in words); ``low``/``high``
    bound numbers; ``keys`` are the keys of a mapping; ``each`` is the form of every entry of a
    mapping keyed by ids the planner chooses (``agencies.<id>``); ``default`` says in words what
    holds when the key is left out ("" = nothing: the key is optional with no effect); ``needs``
    are the siblings its example cannot stand without (the manual shows them with it).
    """

    name: str
    kind: str
    zh: str
    en: str
    example: Any = None
    default: str = ""
    low: float | None = None
    high: float | None = None
    allowed: tuple[str, ...] = ()
    keys: tuple[Key, ...] = ()
    each: Key | None = None
    required: bool = False
    needs: tuple[tuple[str, Any], ...] = ()  # siblings its example needs to parse (e.g. lever: staff for agencies)

    def names(self) -> tuple[str, ...]:
        """The names of the keys of a mapping, in the order they are documented."""
        return tuple(k.name for k in self.keys)

    def child(self, name: str) -> Key:
        """The key ``name`` of this mapping (``KeyError`` for a name the language does not have)."""
        for k in self.keys:
            if k.name == name:
                return k
        raise KeyError(name)


# What each kind of value is, for the manual (zh, en).
KIND_TEXT: dict[str, tuple[str, str]] = {
    "text": ("文本", "text"),
    "path": ("文件路径（相对于本情景文件）", "a file path, relative to this scenario file"),
    "date": ("日期，如 2021-07-01", "a date such as 2021-07-01"),
    "hours": ("办公时间，如 09:00-12:00,13:30-17:30", "opening hours such as 09:00-12:00,13:30-17:30"),
    "count": ("整数", "a whole number"),
    "number": ("数值", "a number"),
    "share": ("0 到 1 之间的比例", "a share from 0 to 1"),
    "duration": ("时长：分布加单位，如 '2 h'、'triangular(1,2,4) h'、'3 workday'",
                 "a duration: a distribution and a unit, e.g. '2 h', 'triangular(1,2,4) h', '3 workday'"),
    "source": ("来源：sim/data/sources.yaml 的编号、方案条款，或 'assumption: 理由'",
               "a source: an id of sim/data/sources.yaml, a plan clause, or 'assumption: why'"),
    "hour_list": ("到达时刻列表（小时）", "a list of arrival offsets in hours"),
    "mapping": ("映射（键见下）", "a mapping (keys below)"),
    "map": ("以编号为键的映射", "a mapping keyed by ids"),
    "range": ("合理范围：'下限-上限 单位 | 理由'，有来源的数值另加 '| source: 出处'",
              "a plausible range: 'lo-hi unit | reason', plus '| source: where' for a sourced number"),
    "edits": ("改革措施列表（见“改革措施”）", "a list of levers (see Levers)"),
    "exclusions": ("措施名或 {lever, steps, agencies, reason} 的列表", "a list of lever names or {lever, steps, agencies, reason}"),
    "calendar": ("节假日安排：文件名（.yaml 或 .ics）或映射", "a holiday arrangement: a file name (.yaml or .ics) or a mapping"),
    "lever_name": ("措施名", "a lever name"),
    "id_list": ("编号列表", "a list of ids"),
    "date_list": ("日期或日期区间（2027-02-05/2027-02-11）列表", "a list of dates or ranges (2027-02-05/2027-02-11)"),
    "value_shares": ("取值 → 比例（按总和归一）", "value -> share (divided by their sum)"),
    "set_by": ("环节编号 → {取值: 比例}", "step id -> {value: share, ...}"),
    # the kinds of edit values (checked by sim.model.edits._coerce)
    "id": ("环节编号", "a step id"),
    "ids": ("至少两个环节编号的列表", "a list of at least two step ids"),
    "agency": ("部门编号", "an agency id"),
    "attribute": ("案件属性名（网关条件读取的属性）", "a case attribute (one a gateway condition reads)"),
    "factor": ("大于 0 的倍数", "a factor > 0"),
    "int": ("不小于 1 的整数", "a whole number >= 1"),
    "part": ("work、wait 或 both", "work, wait or both"),
    "wait_rule": ("max 或 sum", "max or sum"),
    "bool": ("true 或 false", "true or false"),
    "step_kind": ("环节类别（application、permit、filing、assessment、inspection、registration、payment、service、works、internal）",
                  "a kind of step (application, permit, filing, assessment, inspection, registration, payment, service, works, internal)"),
}

_ASSUMED = "assumption: "  # how an example marks a number nobody measured


def _src(zh: str = "本块数值的来源", en: str = "where the numbers of this block come from", *, required: bool = True,
         needs: tuple[tuple[str, Any], ...] = ()) -> Key:
    return Key("source", "source", zh, en, f"{_ASSUMED}example", required=required, needs=needs)


SOURCE_KEY = _src()

SCENARIO = Key("scenario", "mapping", "情景文件的顶层", "the top level of a scenario file", keys=(
    Key("name", "text", "情景名称（报告中显示）", "the scenario's name, shown in reports", "whatif_registrar_plus2",
        default="文件名 / the file name"),
    Key("description", "text", "说明：情景试的是什么", "what the scenario tries, in words", "登记窗口增加两名人员"),
    Key("source", "source", "整个文件的来源说明", "where the file as a whole comes from", "seed 二(一)1"),
    Key("process", "path", "要运行的 BPMN 流程文件", "the BPMN process file to run", "../processes/company_setup_2021.bpmn",
        default="无：在命令行给出或经 extends 继承 / none: given on the command line or inherited via extends"),
    Key("extends", "path", "在另一个情景之上修改：映射逐键合并，列表替换，edits 与 excluded_levers 追加",
        "start from another scenario: mappings merged key by key, lists replaced, edits and excluded_levers appended",
        "company_setup_2021.yaml"),
    Key("calendar", "calendar", "自带的节假日安排（见 docs/calendar.md），用于日历包未覆盖的年份",
        "a supplied holiday arrangement (see docs/calendar.md), for years the calendar package does not cover",
        {"source": "国务院办公厅关于2027年部分节假日安排的通知",
         "years": {2027: {"holidays": [dt.date(2027, 1, 1), "2027-02-05/2027-02-11"], "workdays": [dt.date(2027, 2, 20)]}}},
        default="chinesecalendar 官方日历，其后按法定规则推算并警告 / chinesecalendar, then the statutory projection with a warning",
        keys=(Key("source", "source", "安排的出处（如当年国务院通知）", "where the arrangement comes from (the State Council's notice)",
                  "国务院办公厅通知", required=True),
              Key("description", "text", "说明", "a description", "2027年安排"),
              Key("years", "map", "年份 → 该年的节假日与调休上班日", "year -> that year's holidays and make-up working days",
                  {2027: {"holidays": [dt.date(2027, 1, 1)]}}, required=True,
                  each=Key("<year>", "mapping", "一年的安排", "one year's arrangement", keys=(
                      Key("holidays", "date_list", "放假日期", "days off", [dt.date(2027, 1, 1), "2027-02-05/2027-02-11"]),
                      Key("workdays", "date_list", "调休上班的周末日期", "weekend days worked in exchange (调休)", [dt.date(2027, 2, 20)]),
                  ))))),
    Key("start", "date", "模拟开始日期（决定使用的节假日日历年份）", "the first simulated day (decides the calendar years used)",
        dt.date(2021, 7, 1), default="2021-07-01（假设：方案 2021-06-10 印发之后 / assumption: after the plan's 2021-06-10 issue）"),
    Key("office_hours", "hours", "各部门默认办公时间", "every agency's opening hours unless it gives its own",
        "09:00-12:00,13:30-17:30", default="09:00-12:00,13:30-17:30（假设：政务服务中心常见时间 / assumption: common 政务服务中心 hours）"),
    Key("cases", "count", "每次重复模拟的案件数", "cases per replication", 500, default="1000", low=1, high=MAX_CASES),
    Key("replications", "count", "重复模拟次数（区间由此得出）", "replications (the intervals come from them)", 20, default="5",
        low=1, high=MAX_REPLICATIONS),
    Key("seed", "count", "随机种子：同一种子，同一结果", "the random seed: same seed, same results", 2021, default="2021",
        low=0, high=SEED_MAX),
    Key("horizon_workdays", "number", "到达在这么多个工作日后停止（之后到达的案件少于 cases）",
        "arrivals stop after this many working days (then fewer than cases may arrive)", 60,
        default="无：到达持续到 cases 个案件 / none: arrivals run until cases have arrived", low=0, high=MAX_DURATION["workday"]),
    Key("warmup_workdays", "number", "预热期：这段时间内到达的案件运行但不计入指标（须小于 horizon_workdays）",
        "warm-up: cases arriving in it run but are left out of the KPIs (less than horizon_workdays)", 5, default="0",
        low=0, high=MAX_DURATION["workday"]),
    Key("arrivals", "mapping", "申请到达：每工作日的泊松到达率，或固定到达时刻",
        "arrivals: a Poisson rate per working day in office hours, or fixed offsets",
        {"rate_per_workday": 30, "source": f"{_ASSUMED}about 30 applications a working day at one service centre"},
        default="流程自带的到达率，否则每工作日 20 件（假设） / the process's own rate, else 20 a working day (assumption)", keys=(
            Key("rate_per_workday", "number", "每个工作日的申请数", "applications per working day", 30, low=0, high=MAX_RATE),
            Key("times_h", "hour_list", "固定到达时刻（距开始的小时数）；与 growth 不可同用",
                "fixed arrival offsets in hours from the start; not with growth", [0, 1.5, 3], low=0, high=MAX_DURATION["hour"]),
            Key("growth", "number", "需求倍数（2.0 即申请量翻倍），乘在到达率上", "a demand multiplier on the rate (2.0 doubles it)", 2.0,
                default="1", low=0, high=MAX_GROWTH),
            _src("到达率或倍数的来源（给出数值时必填）", "where the rate or multiplier comes from (required with a number)", required=False,
                 needs=(("rate_per_workday", 30),)),
        )),
    Key("agencies", "map", "部门编号 → 人员、办公时间", "agency id -> staff, opening hours",
        {"market_regulation": {"staff": 3, "source": f"{_ASSUMED}three registrars at one window"}},
        default="流程自带的人数，否则按约 70% 忙碌配置（假设） / the process's own staff, else sized so the agency is about 70% busy (assumption)",
        each=Key("<agency>", "mapping", "一个部门", "one agency", keys=(
            Key("staff", "count", "同时办理的人员数", "staff working in parallel", 3, low=1, high=MAX_STAFF),
            Key("hours", "hours", "本部门办公时间", "this agency's opening hours", "08:30-12:00,14:00-17:30"),
            Key("name", "text", "部门名称（显示用）", "the agency's name, for display", "市场监督管理局"),
            _src("人员或办公时间的来源（给出时必填）", "where staff or hours come from (required with either)", required=False),
        ))),
    Key("attributes", "map", "案件属性 → 取值分布（网关条件读取它们）", "case attribute -> its mix (gateway conditions read them)",
        {"needs_permit": {"p": 0.3, "source": f"{_ASSUMED}about a third of applicants need the permit"}},
        default="流程自带的分布，否则是/否属性各占一半（假设） / the process's own mix, else a yes/no attribute true for half of the cases (assumption)",
        each=Key("<attribute>", "mapping", "一个属性：p（是/否）或 values（取值 → 比例），可另加 set_by", "one attribute: p (yes/no) or values (value -> share), and/or set_by",
                 keys=(
                     Key("p", "share", "为真的案件比例", "share of cases for which it is true", 0.3, low=0, high=1),
                     Key("values", "value_shares", "取值 → 比例；文本取值请加引号", "value -> share; quote text values",
                         {"small": 0.7, "large": 0.3}),
                     Key("set_by", "set_by", "环节办结时属性改取的值（Prosimos 的事件属性）；未给 p 或 values 时，属性在此之前无值，"
                                             "读它的条件为假",
                         "steps that give the attribute a new value when they end (Prosimos's event attributes); without p "
                         "or values it has no value until then, and conditions reading it are false",
                         {"t_review": {"pass": 0.8, "fail": 0.2}}),
                     Key("source", "source", "本块数值的来源", "where the numbers of this block come from", f"{_ASSUMED}example",
                         required=True, needs=(("p", 0.3),)),
                 ))),
    Key("steps", "map", "环节编号 → 用时覆盖、多实例份数", "step id -> duration overrides, multi-instance copies",
        {"t_review": {"work": "triangular(1,2,4) h", "source": f"{_ASSUMED}reviewers' estimate"}},
        default="BPMN 文件中的用时 / the durations of the BPMN file",
        each=Key("<step>", "mapping", "一个环节", "one step", keys=(
            Key("work", "duration", "人员办理用时（占用部门人员）", "staff effort at the step's agency", "triangular(1,2,4) h"),
            Key("wait", "duration", "无需人员的等待（公告期、邮寄、现场施工）", "elapsed time needing no staff (notice, mail, works)",
                "2 workday"),
            Key("instances", "count", "多实例环节的份数（会签）", "copies of a multi-instance step (countersignatures)", 3,
                low=1, high=MAX_INSTANCES),
            _src(),
        ))),
    Key("routing", "map", "顺序流编号 → 走该分支的比例（同一网关的比例之和为 1），另加 source",
        "sequence flow id -> share of cases taking it (one gateway's shares add up to 1), plus source",
        {"f_online": 0.8, "f_window": 0.2, "source": f"{_ASSUMED}four in five apply online"},
        default="BPMN 文件中的条件与默认流 / the BPMN file's conditions and defaults",
        keys=(_src("比例的来源", "where the shares come from"),),
        each=Key("<flow>", "share", "该顺序流的比例", "the share of this flow", 0.8, low=0, high=1)),
    Key("edits", "edits", "对流程的改革措施，按顺序执行（见“改革措施”）", "reform levers applied to the process in order (see Levers)",
        [{"online": "t_filing", "source": f"{_ASSUMED}example; cite the plan's clause here"}]),
    Key("excluded_levers", "exclusions", "不予考虑的措施：敏感性分析与改进搜索不会提出它们",
        "levers off the table: sensitivity and the fix search never propose them",
        ["commitment", {"lever": "online", "steps": ["t_seal"], "reason": "印章须现场领取"}],
        keys=(Key("lever", "lever_name", "措施名", "the lever's name", "online", required=True),
              Key("steps", "id_list", "只在这些环节排除（默认：所有环节）", "excluded only on these steps (default: everywhere)", ["t_seal"]),
              Key("agencies", "id_list", "staff 措施：只在这些部门排除", "for staff: excluded only at these agencies", ["market_regulation"],
                  needs=(("lever", "staff"),)),
              Key("reason", "text", "排除的理由", "why it is off the table", "印章须现场领取"))),
    Key("ranges", "map", "假设的合理范围：假设编号 → '下限-上限 单位 | 理由'（见 sim.model.ranges、reformsim list --assumptions）。"
        "改革措施的参数也可给出范围（可选：措施参数是情景的设定，范围只在其取值不确定时给出），编号按所在环节和措施写："
        "<环节>.commitment.inspection_share、<环节>.online.work_factor、<环节>.scale.factor、<环节>.accept_incomplete.factor、"
        "<环节>.accept_incomplete.saved、demand.factor、arrivals.growth（单位 factor 即倍数；sim.model.edit_params）；"
        "稳健性评估随之抽样。范围必须包含情景中的取值",
        "plausible ranges of assumptions: assumption id -> 'lo-hi unit | reason' (sim.model.ranges, reformsim list --assumptions). "
        "An edit's setting may be ranged too (optional: it is the scenario's choice, ranged only where its value is uncertain), "
        "by its step and lever: <step>.commitment.inspection_share, <step>.online.work_factor, <step>.scale.factor, "
        "<step>.accept_incomplete.factor, <step>.accept_incomplete.saved, demand.factor, arrivals.growth (unit factor: a "
        "multiplier; sim.model.edit_params); the robust assessment then samples it. The range must contain the scenario's value",
        {"t_register.wait": "0.05-1 workday | no published Hainan per-step figure",
         "t_review.scale.factor": "0.6-1 factor | assumption: how much faster the review gets is unknown"},
        default="BPMN 文件中写明的范围 / the ranges the BPMN file writes",
        each=Key("<id>", "range", "一个假设的范围（有来源的数值另加 '| source: 出处'）",
                 "the range of one assumption (a sourced number adds '| source: where')",
                 "0.05-1 workday | no published Hainan per-step figure")),
))
