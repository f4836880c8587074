"""The scenario form of the reform levers: ``edits:`` in YAML, parsed into typed lever objects.

Each item of ``edits:`` has one verb key plus parameters and may carry ``source``; it becomes
one lever of :mod:`sim.model.levers`. The shape of every item is checked when the scenario is
*loaded* (:func:`parse_edits`, called by :func:`sim.model.scenario.parse_scenario`) and all
problems are reported together with paths such as ``edits[2].merge``; whether an edit fits the
process (the step exists, steps are consecutive) is checked when it is applied
(:func:`apply_edits`), again naming its position.

Only legal levers: before an edit is applied, the rules of :mod:`sim.model.legal` must allow its
lever on every step it acts on (by the step's ``step_kind`` and own ``levers``); a lever they forbid
is an error naming the step, the lever and the rule. A planner who applies it anyway adds
``override_rule: "why"`` to the edit: the edit runs and the step's source records "assumption:
planner's override of rule …: why", so the verdict's provenance counts it as an assumption.
``override_rule`` where the rules already allow the lever is an error (it would mislead a reader).

=====================  ================================================================
verb                   scenario form
=====================  ================================================================
remove                 ``{"remove": "t_x"}``
merge                  ``{"merge": ["t_a", "t_b"], "name": "一窗受理"}``
parallel               ``{"parallel": ["t_a", "t_b"]}``
online                 ``{"online": "t_x"}``
commitment             ``{"commitment": "t_x", "inspection_share": 0.1}``
accept_incomplete      ``{"accept_incomplete": "t_x", "saved": "2 workday"}``
green_channel          ``{"green_channel": "t_x", "limit": "8 workday"}``
scale                  ``{"scale": "t_x", "factor": 0.8, "part": "wait"}``
set                    ``{"set": "t_x", "documents": 1}``
add                    ``{"add": "t_new", "after": "t_x", "name": "电子营业执照", "agency": "market_regulation", "kind": "service"}``
staff                  ``{"staff": "market_regulation", "add": 2}``
demand                 ``{"demand": 2.0}``
=====================  ================================================================

Example:
    >>> parse_edits([{"online": "t_seal"}, {"scale": "t_review", "factor": 0.8}])
    (Online(source='scenario', step='t_seal', work_factor=1.0), Scale(source='scenario', step='t_review', factor=0.8, part='work'))
    >>> parse_edits([{"onlne": "t_seal"}], file="w.yaml")
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: w.yaml: edits[0]: no edit in {'onlne': 't_seal'} (did you mean "online"?); expected one of remove, merge, parallel, online, commitment, accept_incomplete, green_channel, scale, set, add, staff, demand
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import ModelError, ScenarioError, did_you_mean
from ..inputs import redacted
from .legal import STEP_FACTS, check_kind, lever_rulings
from .levers import (LEVERS, AcceptIncomplete, Add, Commitment, Demand, GreenChannel, Lever, Merge, Online, Parallel, ProcessLever,
                     Remove, Scale, Set, Staff, apply_levers)
from .process import Process
from .schema import Key
from .rewrite import _FACT_NAMES, EXTRA_FACTS, _as_duration, _coerce_fact

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["parse_edits", "apply_edits", "apply_scenario_edits", "edit_files", "EDIT_VERBS", "FROM_FILE", "EDIT_SCHEMA",
           "COMMON_KEYS", "FACT_KEYS", "Verb"]

# verb -> (lever class, kind of the verb's value, {key: (lever field, kind, required)})
_Spec = tuple[type[Lever], str, dict[str, tuple[str, str, bool]]]
# Set by the scenario loader (sim.scenarios) on each edit inherited through ``extends:``: the file that
# wrote it. An edit that does not fit the process is then reported in that file, without its values.
FROM_FILE = "from_file"
@dataclass(frozen=True)
class Verb:
    """One lever's YAML form: its value (``target``), its parameters and what it means (zh/en), with an example.

    Each parameter is a :class:`~sim.model.schema.Key` whose ``kind`` :func:`_coerce` checks; ``field``
    maps it to the lever's attribute where the names differ.
    """

    name: str
    lever: type[Lever]
    target: Key
    zh: str
    en: str
    example: dict[str, Any]
    params: tuple[Key, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()  # (parameter, lever field) where they differ
    excludes: tuple[tuple[str, str], ...] = ()  # pairs of parameters that cannot stand together (add: after/before)


def _k(name: str, kind: str, zh: str, en: str, example: Any, *, required: bool = False, default: str = "") -> Key:
    return Key(name, kind, zh, en, example, required=required, default=default)


_EXAMPLE_SOURCE = "assumption: example; cite the plan's clause or a source id here"
_STEP = _k("<verb>", "id", "环节编号", "a step id", "t_x")
_STEPS = _k("<verb>", "ids", "至少两个环节编号的列表", "a list of at least two step ids", ["t_a", "t_b"])
EDIT_SCHEMA: tuple[Verb, ...] = (
    Verb("remove", Remove, _STEP, "取消环节（区域评估、清单之外无审批）", "drop the step (regional assessment, no approval outside the list)",
         {"remove": "t_env_assessment", "source": _EXAMPLE_SOURCE}),
    Verb("merge", Merge, _STEPS, "相邻环节合并为一次办理（一窗受理）", "consecutive steps become one (one-window handling)",
         {"merge": ["t_name", "t_license"], "name": "一窗受理", "source": _EXAMPLE_SOURCE},
         (_k("name", "text", "合并后环节的名称", "the merged step's name", "一窗受理"),
          _k("id", "text", "合并后环节的编号", "the merged step's id", "t_one_window", default="第一个环节的编号 / the first step's id"),
          _k("documents", "count", "合并后的材料数", "documents of the merged step", 3, default="各环节材料数的最大值 / the largest of the steps'"),
          _k("agency", "text", "合并后的办理部门", "the merged step's agency", "market_regulation", default="第一个环节的部门 / the first step's"),
          _k("wait", "wait_rule", "等待时间取最大（max）或相加（sum）", "waits: the longest (max) or their sum (sum)", "max", default="max"),
          _k("kind", "step_kind", "合并后环节的类别：须为被合并环节之一的类别", "the merged step's kind: one of the merged steps' kinds",
             "registration", default="各环节类别以 + 相连 / the steps' kinds joined by +")),
         (("id", "new_id"),)),
    Verb("parallel", Parallel, _STEPS, "相邻环节并联办理", "consecutive steps run side by side (parallel approval)",
         {"parallel": ["t_a", "t_b"], "source": _EXAMPLE_SOURCE}),
    Verb("online", Online, _STEP, "环节全程网办（一网通办）", "the step fully online (one-network handling)",
         {"online": "t_filing", "source": _EXAMPLE_SOURCE},
         (_k("work_factor", "factor", "网办后办理用时的倍数", "multiplier on the step's work once online", 0.5, default="1"),)),
    Verb("commitment", Commitment, _STEP, "审批改为告知承诺（须有承诺清单依据）",
         "the approval replaced by a signed commitment (needs a commitment list)",
         {"commitment": "t_permit", "inspection_share": 0.1, "source": _EXAMPLE_SOURCE},
         (_k("inspection_share", "share", "事后核查的案件比例", "share of cases inspected afterwards", 0.1, default="0"),
          _k("inspection", "duration", "一次事后核查的用时", "duration of one inspection", "2 h"),
          _k("acceptance", "duration", "受理承诺的用时", "duration of accepting the commitment", "0.5 h",
             default="环节平均办理用时的 0.2（假设，见 rewrite.ACCEPTANCE_SHARE） / 0.2 of the step's mean work (assumption at rewrite.ACCEPTANCE_SHARE)"))),
    Verb("accept_incomplete", AcceptIncomplete, _STEP, "容缺受理：缺少次要材料时先行受理", "accept an application with a minor document missing",
         {"accept_incomplete": "t_review", "saved": "1 workday", "source": _EXAMPLE_SOURCE},
         (_k("saved", "duration", "节省的等待", "wait saved", "1 workday"),
          _k("factor", "factor", "用时的倍数", "multiplier on the duration", 0.8))),
    Verb("green_channel", GreenChannel, _STEP, "绿色通道：压减办结时限，等待以其为上限", "a shorter statutory limit, the wait capped by it",
         {"green_channel": "t_permit", "limit": "8 workday", "source": _EXAMPLE_SOURCE},
         (_k("limit", "duration", "新的办结时限", "the new statutory limit", "8 workday", required=True),)),
    Verb("scale", Scale, _STEP, "环节用时乘以倍数（情景假设）", "a step's duration times a factor (a what-if assumption)",
         {"scale": "t_review", "factor": 0.8, "part": "wait", "source": "assumption: what-if, 20% faster review"},
         (_k("factor", "factor", "倍数", "the factor", 0.8, required=True),
          _k("part", "part", "乘在办理（work）、等待（wait）或两者（both）上", "on the work, the wait or both", "wait", default="work"))),
    Verb("set", Set, _STEP, "直接给定环节的事实（见下表）", "state facts of the step outright (see the facts below)",
         {"set": "t_seal", "documents": 0, "fee": 0, "source": _EXAMPLE_SOURCE}),
    Verb("add", Add, _k("<verb>", "id", "新环节的编号（流程中尚未使用）", "the new step's id (not yet used in the process)", "t_e_licence"),
         "新增改革创设的环节，按顺序插在某一节点之后（after）或之前（before）",
         "a step the reform creates, inserted in sequence after (or before) an existing node",
         {"add": "t_e_licence", "after": "t_register", "name": "同步发放电子营业执照", "agency": "market_regulation", "kind": "service",
          "source": _EXAMPLE_SOURCE},
         (_k("after", "id", "新环节紧随其后的节点（该节点只有一条出线）", "the node the new step follows (it has one outgoing flow)", "t_register"),
          _k("before", "id", "新环节位于其前的节点（进入该节点的连线改为进入新环节）", "the node the new step precedes (its incoming flows enter the new step)",
             "t_seal"),
          _k("name", "text", "新环节的名称", "the new step's name", "同步发放电子营业执照", required=True),
          _k("name_en", "text", "英文名称", "the English name", "e-licence issued with registration"),
          _k("agency", "text", "办理部门编号", "the agency id", "market_regulation", required=True),
          _k("kind", "step_kind", "环节类别（sim/model/legal.py 的 step_kind），决定规则允许的措施",
             "the step's kind (step_kind of sim/model/legal.py): it decides which levers the rules allow", "service", required=True),
          _k("procedure", "bool", "是否计为一个手续", "whether it counts as a procedure", False, default="false"),
          _k("documents", "count", "所需材料数", "documents required", 0, default="0"),
          _k("fee", "number", "费用（元）", "fee (yuan)", 0, default="0"),
          _k("online", "bool", "是否全程网办", "whether fully online", True, default="false"),
          _k("statutory_limit", "duration", "法定或承诺的办结时限（设计检查，不是模拟的等待）",
             "the statutory or promised limit (a design check, not the simulated wait)", "0.5 workday"),
          _k("work", "duration", "人员办理用时", "staff effort", "0.1 h"),
          _k("wait", "duration", "无需人员的等待", "elapsed time needing no staff", "0 workday"),
          _k("stage", "text", "所属阶段", "the stage it belongs to", "设立登记"),
          _k("commitment", "bool", "是否以告知承诺替代审批", "whether a commitment replaces the approval", False, default="false"),
          _k("when", "text", "只有满足该条件（案件属性的表达式，同网关条件）的案件经过新环节",
             "only the cases where this condition (on case attributes, as a gateway's) holds take the new step", "needs_permit"),
          _k("taxes_filed", "text", "申报步骤所申报的税种（逗号分隔的税种编号，sim/analysis/filings.py）",
             "the taxes a filing step files (comma-separated tax keys of sim/analysis/filings.py)", "property, land_use")),
         excludes=(("after", "before"),)),
    Verb("staff", Staff, _k("<verb>", "agency", "部门编号", "an agency id", "market_regulation"),
         "部门增加人员（在情景或流程给出的人数之上）", "more staff at an agency (on top of what the scenario or process gives)",
         {"staff": "market_regulation", "add": 2, "source": "assumption: what-if, two more registrars"},
         (_k("add", "int", "增加的人数", "staff added", 2, default="1"),)),
    Verb("demand", Demand, _k("<verb>", "factor", "需求倍数", "a demand multiplier", 2.0),
         "申请量乘以倍数（需求激增或下降）", "arrivals times a factor (a demand surge or drop)",
         {"demand": 2.0, "source": "assumption: what-if, twice the applications"}),
)
# Keys every edit may carry besides its verb and parameters.
COMMON_KEYS: tuple[Key, ...] = (
    _k("source", "text", "措施的出处：方案条款或 'assumption: 理由'", "where the measure comes from: a plan clause or 'assumption: why'",
       "seed 二(一)1", default="scenario"),
    _k("override_rule", "text", "规则不允许该措施时仍要采用的理由（计为规划者的假设）",
       "why to apply the lever where a rule forbids it (counted as the planner's assumption)", "what-if only"),
    _k(FROM_FILE, "path", "由加载器写入：该措施继承自的文件（不要手写）", "written by the loader: the file the edit was inherited from (do not write it)",
       "base.yaml"),
)
# The facts ``set`` may state (sim.model.rewrite checks their values).
FACT_KEYS: tuple[Key, ...] = (
    _k("agency", "text", "办理部门编号", "the agency id", "market_regulation"),
    _k("procedure", "bool", "是否计为一个手续（申请人与外部的交互）", "whether it counts as a procedure (an interaction with an outside party)", True),
    _k("documents", "count", "所需材料数", "documents required", 1),
    _k("fee", "number", "费用（元）", "fee (yuan)", 0),
    _k("online", "bool", "是否全程网办；set 中不能写（online 是措施名），请用 online 措施",
       "whether fully online; not writable in set (online is a lever's name): use the online lever", True),
    _k("statutory_limit", "duration", "法定办结时限", "the statutory time limit", "3 workday"),
    _k("work", "duration", "人员办理用时", "staff effort", "2 h"),
    _k("wait", "duration", "无需人员的等待", "elapsed time needing no staff", "1 workday"),
    _k("stage", "text", "所属阶段", "the stage it belongs to", "施工许可"),
    _k("commitment", "bool", "是否以告知承诺替代审批；set 中不能写（commitment 是措施名），请用 commitment 措施",
       "whether a commitment replaces the approval; not writable in set (commitment is a lever's name): use the commitment lever",
       True),
    _k("name_en", "text", "英文名称", "the English name", "company seal"),
    _k("name", "text", "环节名称", "the step's name", "刻制印章"),
)
_VERBS: dict[str, _Spec] = {v.name: (v.lever, v.target.kind, {k.name: (dict(v.fields).get(k.name, k.name), k.kind, k.required)
                                                              for k in v.params}) for v in EDIT_SCHEMA}
EDIT_VERBS = tuple(_VERBS)
assert set(EDIT_VERBS) == set(LEVERS)  # the YAML form covers the whole vocabulary
assert tuple(k.name for k in FACT_KEYS) == (*_FACT_NAMES, "name")  # every fact set may state is documented


def _coerce(kind: str, value: Any) -> Any:
    """Check one scenario value; ``ValueError`` says what was expected."""
    if kind == "id":
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a step id, got {value!r}")
    elif kind == "ids":
        if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, str) for v in value):
            raise ValueError(f"expected a list of at least two step ids, got {value!r}")
        return tuple(value)
    elif kind == "text":
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected text, got {value!r}")
    elif kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"expected a whole number >= 0, got {value!r}")
    elif kind == "factor":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (value > 0 and math.isfinite(value)):
            raise ValueError(f"expected a number > 0, got {value!r}")
    elif kind == "share":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError(f"expected a share between 0 and 1, got {value!r}")
    elif kind == "duration":
        return _as_duration(value, "this edit")
    elif kind == "agency":
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected an agency id, got {value!r}")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"expected a whole number >= 1, got {value!r}")
    elif kind == "part":
        if value not in ("work", "wait", "both"):
            raise ValueError(f'expected "work", "wait" or "both", got {value!r}')
    elif kind == "wait_rule":
        if value not in ("max", "sum"):
            raise ValueError(f'expected "max" or "sum", got {value!r}')
    elif kind == "step_kind":
        if not isinstance(value, str):
            raise ValueError(f"expected a step kind, got {value!r}")
        return check_kind(value)
    return value


def _parse_edit(item: Any, where: str, problems: list[tuple[str, str]]) -> Lever | None:
    if not isinstance(item, Mapping):
        problems.append((where, f"expected a mapping with one of {', '.join(EDIT_VERBS)}, got {item!r}"))
        return None
    verbs = [k for k in item if k in _VERBS]
    if "staff" in verbs:  # staff's own parameter is called add
        verbs = [v for v in verbs if v != "add"]
    elif "add" in verbs:  # a new step states online/commitment as its facts: with add, those keys are parameters
        verbs = ["add", *(v for v in verbs if v not in ("add", "online", "commitment"))]
    if len(verbs) != 1:
        if verbs:
            problems.append((where, f"expected exactly one edit per item, got {', '.join(verbs)}"))
        else:
            guess = next((did_you_mean(str(k), EDIT_VERBS) for k in item if did_you_mean(str(k), EDIT_VERBS)), "")
            problems.append((where, f"no edit in {dict(item)!r}{guess}; expected one of {', '.join(EDIT_VERBS)}"))
        return None
    verb = verbs[0]
    cls, kind, params = _VERBS[verb]
    kwargs: dict[str, Any] = {}
    ok = True
    try:
        target = _coerce(kind, item[verb])
    except ValueError as exc:
        problems.append((f"{where}.{verb}", str(exc)))
        ok = False
    for key, value in item.items():
        if key == verb:
            continue
        if key == FROM_FILE:
            if not isinstance(value, str) or not value:
                problems.append((f"{where}.{key}", "expected the path of the scenario file the edit was inherited from"))
                ok = False
            continue
        if key == "source":
            if not isinstance(value, str) or not value:
                problems.append((f"{where}.source", f"expected text naming where the edit comes from, got {value!r}"))
                ok = False
            kwargs["source"] = value
        elif key == "override_rule":
            if not isinstance(value, str) or not value.strip():
                problems.append((f"{where}.override_rule", "expected the planner's reason to apply the lever where a rule "
                                                         f"forbids it, as text; got {value!r}"))
                ok = False
            kwargs["override"] = value.strip() if isinstance(value, str) else ""
        elif verb == "set" and key in STEP_FACTS:
            problems.append((f"{where}.{key}", f"{key} says what the step legally is and is not set by a scenario; to apply a "
                                               "lever its rules forbid, add override_rule: \"why\" to that edit"))
            ok = False
        elif verb == "set":
            try:
                kwargs.setdefault("facts", {})[key] = _coerce_fact(key, value)
            except ValueError as exc:
                problems.append((f"{where}.{key}", str(exc)))
                ok = False
        elif verb == "add" and (key in _FACT_NAMES or key in ("name", "kind", *EXTRA_FACTS)):  # the new step's facts, as set's
            try:
                fact = _coerce(params[key][1], value) if key in ("kind", *EXTRA_FACTS) else _coerce_fact(key, value)
            except ValueError as exc:
                problems.append((f"{where}.{key}", str(exc)))
                ok = False
            else:
                kwargs.setdefault("facts", {})[key] = fact
        elif key in params:
            keyword, pkind, _ = params[key]
            try:
                kwargs[keyword] = _coerce(pkind, value)
            except ValueError as exc:
                problems.append((f"{where}.{key}", str(exc)))
                ok = False
        else:
            allowed = [*params, "source", "override_rule"]
            problems.append((f"{where}.{key}", f'unknown key "{key}" for {verb}{did_you_mean(str(key), allowed)}; expected {", ".join(allowed)}'))
            ok = False
    for key, (_, _, required) in params.items():
        if required and key not in item:
            problems.append((where, f"{verb} needs {key}"))
            ok = False
    if verb == "add" and ("after" in item) == ("before" in item):
        problems.append((where, "add needs exactly one of after (the node the new step follows) or before (the node it precedes)"))
        ok = False
    if verb == "set" and len(item) == 1 + ("source" in item) + (FROM_FILE in item):
        problems.append((where, f"set needs at least one fact: {', '.join(_FACT_NAMES)}, name"))
        ok = False
    if not ok:
        return None
    if "facts" in kwargs:
        kwargs["facts"] = tuple(kwargs["facts"].items())
    return cls(target, **kwargs)


def parse_edits(edits: Any, *, path: str = "edits", file: str | None = None) -> tuple[Lever, ...]:
    """The levers of a scenario's ``edits:`` list; every shape problem reported together."""
    if isinstance(edits, (str, Mapping)) or not isinstance(edits, Sequence):
        raise ScenarioError([(path, "expected a list of edits such as - remove: t_step")], file=file)
    problems: list[tuple[str, str]] = []
    levers = []
    for i, item in enumerate(edits):
        if isinstance(item, Lever):
            levers.append(item)
        elif (lever := _parse_edit(item, f"{path}[{i}]", problems)) is not None:
            levers.append(lever)
    if problems:
        raise ScenarioError(problems, file=file)
    return tuple(levers)


def apply_scenario_edits(process: Process, scenario: Scenario, edits: Sequence[Lever | Mapping[str, Any]] | None = None, *,
                         path: str = "edits", file: str | None = None) -> tuple[Process, Scenario]:
    """Apply ``edits`` (default: the scenario's own) to process and scenario, in order; the first
    edit that does not fit stops with a :class:`~sim.errors.ScenarioError` at its position."""
    levers = parse_edits(scenario.edits if edits is None else edits, path=path, file=file)
    origins = scenario.edit_files if edits is None and len(scenario.edit_files) == len(levers) else (None,) * len(levers)
    for i, lever in enumerate(levers):
        origin = origins[i]
        try:  # only levers the rules allow (sim.model.legal), located like any other problem of the edit
            lever = _legal(process, lever, f"{path}[{sum(1 for o in origins[:i] if o == origin)}].{lever.verb}",
                           origin or file or scenario.file)
        except ScenarioError as exc:
            if origin is None:
                raise
            raise ScenarioError([(at, redacted(what, [_values(lever)])) for at, what in exc.problems], file=origin) from None
        try:
            process, scenario = apply_levers(process, scenario, [lever])
        except (ModelError, ScenarioError) as exc:
            if isinstance(exc, ModelError):
                problems = [("", exc.message.removeprefix(f"{lever.verb}: "))]
            else:  # a scenario lever the process does not fit (e.g. an agency no step uses)
                problems = exc.problems
            origin = origins[i]
            # the position in the file that wrote the edit (inherited edits come first, file by file, in order)
            at = f"{path}[{sum(1 for o in origins[:i] if o == origin)}].{lever.verb}"
            problems = [(at, f"{where}: {what}" if where else what) for where, what in problems]
            if origin is not None:  # a file the user did not name: where, never what it holds
                problems = [(at, redacted(what, [_values(lever)])) for at, what in problems]
            raise ScenarioError(problems, file=origin or file or scenario.file) from None
    return process, scenario


def _legal(process: Process, lever: Lever, where: str, file: str | None) -> Lever:
    """``lever`` if the rules allow it on every step it acts on (:mod:`sim.model.legal`); with
    ``override_rule`` where they do not, the lever with the override recorded in its source as a
    planner's assumption; else a :class:`~sim.errors.ScenarioError` naming step, lever and rule."""
    refused = [r for r in lever_rulings(lever, process) if not r.allowed]
    if not refused:
        if lever.override:
            raise ScenarioError([(f"{where}.override_rule", f"the rules allow {lever.verb} on {lever.target}: nothing to "
                                                            "override; remove override_rule")], file=file)
        return lever
    if lever.override:
        rules = ", ".join(dict.fromkeys(f"{r.rule.id} on {r.step}" for r in refused))
        return replace(lever, source=f"{lever.source}; assumption: planner's override of rule {rules}: {lever.override}")
    problems = []
    for r in refused:
        node = process.nodes.get(r.step)  # None: the step an add would create
        label = node.label if node is not None else lever.label("en")
        asked = f"lever {lever.verb}" if r.verb == lever.verb else f"lever {lever.verb} (as {r.verb})"
        problems.append((where, f'{asked} is not allowed on step "{r.step}" ({label}, kind {r.kind}): {r.rule.en} '
                                f'[rule {r.rule.id}: {r.rule.source}]; to apply it anyway as a planner\'s assumption, add '
                                'override_rule: "why" to the edit'))
    raise ScenarioError(problems, file=file)


def edit_files(edits: Any) -> tuple[str | None, ...]:
    """For each item of a scenario's ``edits:`` list, the file it was inherited from (None: written in the scenario itself).

    >>> edit_files([{"remove": "t"}, {"online": "u", FROM_FILE: "base.yaml"}])
    (None, 'base.yaml')
    """
    if isinstance(edits, (str, Mapping)) or not isinstance(edits, Sequence):
        return ()
    return tuple(e.get(FROM_FILE) if isinstance(e, Mapping) and isinstance(e.get(FROM_FILE), str) else None for e in edits)


def _values(lever: Lever) -> list[Any]:
    """What a lever holds (step and agency ids, numbers, its source), to keep out of a message."""
    return [getattr(lever, f.name) for f in dataclasses.fields(lever)]


def apply_edits(process: Process, edits: Sequence[Lever | Mapping[str, Any]], *, path: str = "edits", file: str | None = None) -> Process:
    """Apply edits in the scenario form, in order; each item has one verb key plus parameters,
    and may carry ``source``. The shape of every item is checked first and all problems are
    reported together; then the edits run in order and the first one that does not fit the
    process stops with its position. Errors are :class:`~sim.errors.ScenarioError` with paths
    such as ``edits[2].merge``.

    >>> from sim.model.process import Flow, Node, Process, TaskFacts
    >>> assessment = TaskFacts(step_kind="assessment")  # 区域评估 may drop a per-project assessment
    >>> p = Process.build("p", "p", [Node("s", "start"), Node("t", "task", facts=assessment), Node("e", "end")],
    ...                   [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> [n.id for n in apply_edits(p, [{"online": "t"}, {"remove": "t"}]).nodes.values()]
    ['s', 'e']
    >>> apply_edits(p, [{"commitment": "t"}])
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: <scenario>: edits[0].commitment: lever commitment is not allowed on step "t" (t, kind assessment): 告知承诺 replaces a permit or certificate only where a commitment list covers the item; no list covers this step [rule commitment_list: seed 二(十三)2(1)-(2) (涉企经营许可告知承诺办法、事项清单); 二(二)2(2) (清单制+告知承诺制)]; to apply it anyway as a planner's assumption, add override_rule: "why" to the edit
    >>> apply_edits(p, [{"commitment": "t", "override_rule": "what-if"}]).nodes["t"].facts.commitment
    True
    >>> apply_edits(p, [{"remove": "t"}, {"online": "x"}])
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: <scenario>: edits[1].online: unknown step "x"; expected the id of a task of process "p"
    """
    levers = parse_edits(edits, path=path, file=file)
    if wrong := [f"{path}[{i}].{lv.verb}" for i, lv in enumerate(levers) if not isinstance(lv, ProcessLever)]:
        raise ScenarioError([(w, "changes the scenario, not the process; apply it with apply_scenario_edits or "
                              "sim.engine.runner.prepare_run") for w in wrong], file=file)
    from .scenario import Scenario

    return apply_scenario_edits(process, Scenario(), levers, path=path, file=file)[0]
