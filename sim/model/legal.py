"""Which reform levers the rules allow on which step: one table, step kind → levers, each with its rule.

A step says what it *is* with the fact ``step_kind`` (a BPMN property): an application to an
agency, a permit or approval, a filing, an assessment, an inspection, a registration, a payment, a
service, physical works, or a back-office step. :data:`KINDS` maps each kind to the levers the rules
allow on it and the levers they forbid, each with the rule and where it comes from (clauses of the
seed plan 琼营商〔2021〕2号, cited ``seed 二(…)…``, and the laws named). A step may add or drop
levers of its kind with ``levers`` (e.g. ``+commitment``) and must then say why in
``levers_source`` (e.g. the commitment list that covers it). A BPMN timer is a fixed period
(kind ``timer``); a task without ``step_kind`` is ``unclassified``, and the levers that change
what it legally is (告知承诺, removal) are refused on it: nothing shows a rule allows them.

Scenarios (:mod:`sim.model.edits`) refuse a forbidden lever unless the edit carries
``override_rule:`` (a planner's assumption, recorded as such); sensitivity and the fix search
(:mod:`sim.analysis.sensitivity`) propose only allowed levers and list what they left out and why.
A scenario's ``excluded_levers:`` (:func:`parse_exclusions`) takes levers off the table for the
search, whatever the rules allow.

Example:
    >>> from sim.model.process import Node, TaskFacts
    >>> works = Node("t_works", "task", "外线工程施工", facts=TaskFacts(step_kind="works"))
    >>> r = ruling(works, "commitment")
    >>> r.allowed, r.rule.id
    (False, 'physical_works')
    >>> ruling(works, "parallel").allowed
    True
    >>> listed = Node("t_permit", "task", facts=TaskFacts(step_kind="permit", levers=(("commitment", True),),
    ...                                                  levers_source="seed 二(四)2(2)"))
    >>> ruling(listed, "commitment").allowed, ruling(listed, "commitment").rule.source
    (True, 'seed 二(四)2(2)')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError, did_you_mean

if TYPE_CHECKING:
    from .levers import Lever
    from .process import Node, Process

__all__ = [
    "STEP_VERBS", "SCENARIO_VERBS", "Rule", "Kind", "KINDS", "Ruling", "Exclusion", "kind_of", "ruling",
    "allowed_verbs", "lever_rulings", "parse_levers", "format_levers", "check_kind", "parse_exclusions",
    "excluded_by", "STEP_FACTS", "DECLARED_KINDS", "check_exclusion_targets",
]

# Levers that act on steps; the scenario levers (staff, demand) act on agencies and arrivals, and no
# step rule limits them (a scenario's excluded_levers can still take them off the table).
STEP_VERBS = ("remove", "merge", "parallel", "online", "commitment", "accept_incomplete", "green_channel", "scale", "set")
SCENARIO_VERBS = ("staff", "demand")
# The facts that carry a step's legal standing; a scenario's `set` may not change them (use override_rule).
STEP_FACTS = ("step_kind", "levers", "levers_source")


@dataclass(frozen=True)
class Rule:
    """Why a lever is allowed or forbidden on a kind of step, and where that comes from."""

    id: str
    zh: str
    en: str
    source: str

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


# -- the rules ---------------------------------------------------------------------------------
ONLINE = Rule("one_network", "一网通办：申请人与部门的交互可全程网办",
              "一网通办: the applicant's dealings with the agency can be fully online",
              "seed 二(一)2(1), 三(一) (一网通办); 二(五)2(3), 二(六)2(2), 二(十)2(3)")
ONE_WINDOW = Rule("one_window", "一窗受理、合并办理：相邻环节可合并为一次办理",
                  "one window / merged handling: consecutive steps can become one",
                  "seed 二(六)2(1) (一窗受理); 二(二)2(1) (审批阶段合并)")
PARALLEL = Rule("parallel", "并联审批：互不依赖的环节可同时办理（外线工程施工与其行政许可并联）",
                "parallel approval: steps that do not depend on each other can run side by side (works in parallel with their permits)",
                "seed 二(三)2(2) (告知承诺并联审批模式)")
ACCEPT_INCOMPLETE = Rule("accept_incomplete", "容缺受理：缺少次要材料时先行受理",
                         "容缺受理: an application is accepted with a secondary document missing",
                         "seed 二(三)2(3), 二(四)2(2) (容缺受理制)")
GREEN = Rule("green_channel", "绿色通道：压减部门的办结时限",
             "green channel: the agency's time limit is cut", "seed 二(三)2(3), 二(四)2(2), 二(五)2(2) (绿色通道审批)")
REGIONAL = Rule("regional_assessment", "区域评估：单个项目的评估由区域评估替代，环节取消",
                "regional assessment: a per-project assessment is replaced by a regional one and dropped",
                "seed 二(二)2(1) (压覆重要矿产资源区域评估拓展至全省)")
SCALE = Rule("what_if_duration", "时长假设：环节用时的情景假设，不是法定事项",
             "duration what-if: how long the step takes is an assumption, no rule fixes it",
             "assumption: a what-if on the step's time (staffing, practice), not a reform measure")
SET = Rule("stated_fact", "情景直接给定的事实（须注明来源）", "a fact the scenario states outright (with its source)",
           "sim.model.rewrite.set_facts: the scenario's source")
COMMIT_LIST = Rule("commitment_list", "告知承诺只适用于告知承诺清单所列的许可、证明事项；本环节未见清单依据",
                   "告知承诺 replaces a permit or certificate only where a commitment list covers the item; no list covers this step",
                   "seed 二(十三)2(1)-(2) (涉企经营许可告知承诺办法、事项清单); 二(二)2(2) (清单制+告知承诺制)")
NOT_APPROVAL = Rule("not_an_approval", "告知承诺替代的是审批；本环节不是审批",
                    "告知承诺 replaces an approval; this step is not one", "seed 二(十三)2(2) (取消审批、改为备案或实行告知承诺的事项)")
PHYSICAL = Rule("physical_works", "实体施工在现场进行：可与审批并联、可加快，不能网办、不能以承诺替代",
                "physical works happen on site: they can run in parallel with approvals or go faster, not online or by commitment",
                "seed 二(三)2(2) (外线工程行政审批告知承诺，施工并联)")
ON_SITE = Rule("on_site_inspection", "检查、验收在现场核验实物：可联合验收、并联，不能网办、不能以承诺替代（清单所列除外）",
               "an inspection or acceptance checks the thing on site: it can be joint or parallel, not online or by commitment (unless a list names it)",
               "seed 二(二)2(1) (档案验收告知承诺仅限所列三类项目; 竣工验收阶段)")
REGISTER = Rule("registration_effect", "登记自记载于登记簿（或颁发执照）时发生效力：可网办、一窗办理，不能以承诺替代或取消",
                "a registration takes effect when entered in the register (or the licence is issued): online or one window, not by commitment or removed",
                "民法典 第二百一十四条 (不动产物权自记载于不动产登记簿时发生效力); 公司法 (2018) 第七条 (营业执照签发日期为公司成立日期)")
REMOVE_NEEDS_RULE = Rule("removal_needs_rule", "取消环节须有规则依据（区域评估、清单之外无审批、证照分离取消审批）；本环节未注明",
                         "a step is dropped only where a rule cancels it (regional assessment, no approval off the list, 证照分离); none is named for this step",
                         "seed 二(二)2(1) (区域评估; 清单之外无审批); 二(十三)2(2) (取消审批)")
NO_LIMIT = Rule("no_time_limit", "绿色通道压减的是审批部门的办结时限；本环节不是有办结时限的审批",
                "a green channel cuts an approving agency's time limit; this step is not such an approval",
                "seed 二(三)2(3) (行政许可审批办结时长压减至8个工作日内)")
NO_APPLICATION = Rule("no_application", "容缺受理针对申请材料；本环节不受理申请",
                      "容缺受理 concerns an application's documents; this step receives no application", "seed 二(三)2(3), 二(四)2(2)")
BACK_OFFICE = Rule("back_office", "后台环节与申请人无交互：无可网办的办理，也无可承诺的审批",
                   "a back-office step has no dealing with the applicant: nothing to take online or replace by a commitment",
                   "sim.analysis.paths (a procedure is an interaction of the applicant with an outside party)")
FIXED_PERIOD = Rule("fixed_period", "规则规定的期间（如公告期）只有修改规则才能缩短（如2021年简易注销公告期45天改为20天）",
                    "a period a rule fixes (a public notice) shortens only when the rule changes (e.g. 2021: 45 → 20 days)",
                    "CN.rule.deregistration.2021.notice_days_after (SAMR/STA 2021: 简易注销公告期)")
WORKS_MERGE = Rule("physical_works", PHYSICAL.zh, PHYSICAL.en, PHYSICAL.source)
UNCLASSIFIED = Rule("unclassified", "环节未注明类别（step_kind）：无依据表明有告知承诺清单覆盖它或有规则取消它",
                    "the step states no step_kind: nothing shows a commitment list covers it or a rule drops it",
                    "sim.model.legal (add property step_kind, or levers with levers_source, to the step)")


@dataclass(frozen=True)
class Kind:
    """A kind of step: which levers the rules allow on it (verb → rule) and which they forbid."""

    name: str
    zh: str
    en: str
    allowed: Mapping[str, Rule]
    forbidden: Mapping[str, Rule]


def _kind(name: str, zh: str, en: str, allowed: dict[str, Rule], forbidden: dict[str, Rule]) -> Kind:
    # every step lever is either allowed or forbidden on every kind, never both, never neither
    assert set(allowed) | set(forbidden) == set(STEP_VERBS) and not set(allowed) & set(forbidden), name
    return Kind(name, zh, en, allowed, forbidden)


_BASE = {"scale": SCALE, "set": SET, "parallel": PARALLEL}
KINDS: dict[str, Kind] = {k.name: k for k in (
    _kind("application", "申请、受理", "application to an agency",
          {**_BASE, "online": ONLINE, "merge": ONE_WINDOW, "accept_incomplete": ACCEPT_INCOMPLETE},
          {"commitment": NOT_APPROVAL, "remove": REMOVE_NEEDS_RULE, "green_channel": NO_LIMIT}),
    _kind("permit", "行政许可、审批", "permit or approval",
          {**_BASE, "online": ONLINE, "merge": ONE_WINDOW, "accept_incomplete": ACCEPT_INCOMPLETE, "green_channel": GREEN},
          {"commitment": COMMIT_LIST, "remove": REMOVE_NEEDS_RULE}),
    _kind("filing", "备案、申报", "filing or return",
          {**_BASE, "online": ONLINE, "merge": ONE_WINDOW, "accept_incomplete": ACCEPT_INCOMPLETE, "green_channel": GREEN},
          {"commitment": NOT_APPROVAL, "remove": REMOVE_NEEDS_RULE}),
    _kind("assessment", "单个项目评估", "per-project assessment",
          {**_BASE, "online": ONLINE, "merge": ONE_WINDOW, "accept_incomplete": ACCEPT_INCOMPLETE, "remove": REGIONAL},
          {"commitment": COMMIT_LIST, "green_channel": NO_LIMIT}),
    _kind("inspection", "现场勘查、检查、验收", "site survey, inspection or acceptance",
          {**_BASE, "merge": ONE_WINDOW, "green_channel": GREEN},
          {"commitment": ON_SITE, "online": ON_SITE, "remove": REMOVE_NEEDS_RULE, "accept_incomplete": NO_APPLICATION}),
    _kind("registration", "登记（权利、主体）", "registration of a right or of a firm",
          {**_BASE, "online": ONLINE, "merge": ONE_WINDOW, "green_channel": GREEN},
          {"commitment": REGISTER, "remove": REGISTER, "accept_incomplete": REGISTER}),
    _kind("payment", "缴费、缴税、保证金", "payment of a fee, tax or deposit",
          {**_BASE, "online": ONLINE, "merge": ONE_WINDOW},
          {"commitment": COMMIT_LIST, "remove": REMOVE_NEEDS_RULE, "accept_incomplete": NO_APPLICATION, "green_channel": NO_LIMIT}),
    _kind("service", "服务（刻章、开户、查询、接通）", "service to the applicant (seal, bank account, search, connection)",
          {**_BASE, "online": ONLINE, "merge": ONE_WINDOW},
          {"commitment": NOT_APPROVAL, "remove": REMOVE_NEEDS_RULE, "accept_incomplete": NO_APPLICATION, "green_channel": NO_LIMIT}),
    _kind("works", "实体施工、货物作业、申请人自行办理", "physical works, goods handling, the applicant's own work",
          dict(_BASE),
          {"commitment": PHYSICAL, "online": PHYSICAL, "merge": WORKS_MERGE, "remove": PHYSICAL, "accept_incomplete": NO_APPLICATION,
           "green_channel": NO_LIMIT}),
    _kind("internal", "后台环节", "back-office step",
          {**_BASE, "merge": ONE_WINDOW},
          {"commitment": BACK_OFFICE, "online": BACK_OFFICE, "remove": REMOVE_NEEDS_RULE, "accept_incomplete": NO_APPLICATION,
           "green_channel": NO_LIMIT}),
    _kind("timer", "规定期间（计时事件）", "fixed period (BPMN timer)",
          {"parallel": PARALLEL},
          {v: FIXED_PERIOD for v in STEP_VERBS if v != "parallel"}),
    _kind("unclassified", "未注明类别", "unclassified (no step_kind)",
          {**_BASE, "online": ONLINE, "merge": ONE_WINDOW, "accept_incomplete": ACCEPT_INCOMPLETE, "green_channel": GREEN},
          {"commitment": UNCLASSIFIED, "remove": UNCLASSIFIED}),
)}
# What a BPMN file may say in step_kind (timer and unclassified come from the element itself).
DECLARED_KINDS = tuple(k for k in KINDS if k not in ("timer", "unclassified"))


@dataclass(frozen=True)
class Ruling:
    """Whether ``verb`` is allowed on ``step`` (of ``kind``) and by which rule."""

    step: str
    verb: str
    allowed: bool
    rule: Rule
    kind: str
    own: bool = False  # the step's own levers/levers_source decided, not its kind

    def text(self, lang: str = "zh") -> str:
        """``'外线工程施工: commitment forbidden — physical works … (seed 二(三)2(2))'``."""
        state = ("允许" if self.allowed else "不允许") if lang == "zh" else ("allowed" if self.allowed else "forbidden")
        return f"{self.step}: {self.verb} {state} — {self.rule.text(lang)} ({self.rule.source})"


def check_kind(text: str) -> str:
    """``text`` if it names a declarable kind (or several joined by ``+``, a merged step), else
    ``ValueError`` saying what was expected.

    >>> check_kind("permit+filing")
    'permit+filing'
    >>> check_kind("permt")
    Traceback (most recent call last):
    ...
    ValueError: unknown step_kind "permt" (did you mean "permit"?); expected one of application, permit, filing, assessment, inspection, registration, payment, service, works, internal
    """
    value = text.strip()
    parts = value.split("+")
    for part in parts:
        if part not in DECLARED_KINDS and not (len(parts) > 1 and part == "unclassified"):  # a merge of a step without kind
            raise ValueError(f'unknown step_kind "{part}"{did_you_mean(part, DECLARED_KINDS)}; expected one of {", ".join(DECLARED_KINDS)}')
    return value


def parse_levers(text: str) -> tuple[tuple[str, bool], ...]:
    """A step's own exceptions to its kind: ``"+commitment -online"`` → ``(("commitment", True), ("online", False))``.

    >>> parse_levers("+commitment, -online")
    (('commitment', True), ('online', False))
    >>> parse_levers("commitment")
    Traceback (most recent call last):
    ...
    ValueError: levers: expected +verb or -verb items such as "+commitment -online", got "commitment"
    """
    out: list[tuple[str, bool]] = []
    for item in text.replace(",", " ").split():
        sign, verb = item[:1], item[1:]
        if sign not in "+-" or not verb or not sign:
            raise ValueError(f'levers: expected +verb or -verb items such as "+commitment -online", got "{item}"')
        if verb not in STEP_VERBS:
            raise ValueError(f'levers: unknown lever "{verb}"{did_you_mean(verb, STEP_VERBS)}; expected one of {", ".join(STEP_VERBS)}')
        if any(v == verb for v, _ in out):
            raise ValueError(f'levers: "{verb}" given twice')
        out.append((verb, sign == "+"))
    return tuple(out)


def format_levers(levers: Iterable[tuple[str, bool]]) -> str:
    """The property text of :func:`parse_levers` (``"+commitment -online"``)."""
    return " ".join(("+" if ok else "-") + verb for verb, ok in levers)


def kind_of(node: Node) -> str:
    """The step's kind: its ``step_kind`` fact, ``timer`` for a timer, else ``unclassified``."""
    if node.facts is not None and node.facts.step_kind:
        return node.facts.step_kind
    return "timer" if node.kind == "timer" else "unclassified"


def ruling(node: Node, verb: str) -> Ruling:
    """Whether the rules allow ``verb`` on ``node``: the step's own ``levers`` first, then its kind.

    A merged step (kind ``a+b``) allows a lever only when every part does.
    """
    if verb not in STEP_VERBS:
        raise ValueError(f'"{verb}" is not a step lever; expected one of {", ".join(STEP_VERBS)}')
    facts = node.facts
    kind = kind_of(node)
    own = dict(facts.levers) if facts is not None else {}
    if verb in own:
        rule = Rule("step_levers", "本环节自身的依据", "the step's own rule", facts.levers_source if facts else "")
        return Ruling(node.id, verb, own[verb], rule, kind, own=True)
    parts = [KINDS.get(k) for k in kind.split("+")]
    if any(p is None for p in parts):  # a kind the loader would have refused: the model was built in code
        raise ValueError(f'step "{node.id}" has unknown step_kind "{kind}"; expected one of {", ".join(DECLARED_KINDS)}')
    for part in parts:
        assert part is not None
        if verb in part.forbidden:
            return Ruling(node.id, verb, False, part.forbidden[verb], kind)
    first = parts[0]
    assert first is not None
    return Ruling(node.id, verb, True, first.allowed[verb], kind)


def allowed_verbs(node: Node) -> list[str]:
    """The step levers the rules allow on ``node``, in :data:`STEP_VERBS` order."""
    return [v for v in STEP_VERBS if ruling(node, v).allowed]


# the facts a `set` may change and the lever whose rule decides it
_SET_FACT_VERB = {"commitment": "commitment", "online": "online", "work": "scale", "wait": "scale", "statutory_limit": "green_channel"}


def lever_rulings(lever: Lever, process: Process) -> list[Ruling]:
    """The rulings a lever needs on the steps it acts on (none for staff and demand).

    A ``set`` is judged by what it sets: ``commitment: true`` as a commitment, ``online: true`` as
    making it online, a new work or wait as a duration what-if, a new limit as a green channel.
    Steps the process does not have are left to the lever itself (it says "unknown step").
    """
    from .levers import Add, ProcessLever, Set

    if not isinstance(lever, ProcessLever):
        return []
    if isinstance(lever, Add):
        return _new_step_rulings(lever)
    steps = getattr(lever, "steps", None) or (getattr(lever, "step", None),)
    verbs = [lever.verb]
    if isinstance(lever, Set):
        facts = dict(lever.facts)
        verbs = ["set"] + [v for k, v in _SET_FACT_VERB.items() if k in facts and facts[k] not in (False, None)]
    out = []
    for sid in steps:
        node = process.nodes.get(sid) if sid else None
        if node is None:
            continue
        out += [ruling(node, v) for v in dict.fromkeys(verbs)]
    return out


def _new_step_rulings(lever: Any) -> list[Ruling]:
    """A new step (``add``) is judged as the step it will be: its declared kind must allow being online or a
    commitment if it says so (a works step cannot be online, a filing is no approval to commit away)."""
    from .process import Node, TaskFacts

    facts = dict(lever.facts)
    node = Node(lever.step, "task", str(facts.get("name") or ""), facts=TaskFacts(step_kind=facts.get("kind")))
    return [ruling(node, v) for v in ("online", "commitment") if facts.get(v)]


@dataclass(frozen=True)
class Exclusion:
    """A lever a scenario takes off the table (``excluded_levers:``), everywhere or on some steps/agencies."""

    verb: str
    steps: tuple[str, ...] = ()  # step ids (step levers) or agency ids (staff); empty: everywhere
    reason: str = ""
    path: str = "excluded_levers"

    def covers(self, verb: str, target: str) -> bool:
        return verb == self.verb and (not self.steps or target in self.steps)

    def text(self, lang: str = "zh") -> str:
        why = self.reason or ("情景排除" if lang == "zh" else "excluded by the scenario")
        return f"{self.path}: {why}"


def parse_exclusions(data: Any, *, path: str = "excluded_levers") -> tuple[tuple[Exclusion, ...], list[tuple[str, str]]]:
    """``excluded_levers:`` of a scenario → (exclusions, problems with their YAML paths).

    Each item is a lever name (``commitment``: off the table everywhere) or a mapping with ``lever``,
    optional ``steps`` (or ``agencies`` for staff) and ``reason``.

    >>> parse_exclusions(["commitment", {"lever": "online", "steps": ["t_seal"], "reason": "policy"}])[0][1]
    Exclusion(verb='online', steps=('t_seal',), reason='policy', path='excluded_levers[1]')
    >>> parse_exclusions(["comitment"])[1]
    [('excluded_levers[0]', 'unknown lever "comitment" (did you mean "commitment"?); expected one of remove, merge, parallel, online, commitment, accept_incomplete, green_channel, scale, set, staff, demand')]
    """
    verbs = (*STEP_VERBS, *SCENARIO_VERBS)
    problems: list[tuple[str, str]] = []
    out: list[Exclusion] = []
    if isinstance(data, (str, Mapping)) or not isinstance(data, Sequence):
        return (), [(path, "expected a list such as [commitment] or [{lever: online, steps: [t_x], reason: why}]")]
    for i, item in enumerate(data):
        where = f"{path}[{i}]"
        if isinstance(item, str):
            item = {"lever": item}
        if not isinstance(item, Mapping):
            problems.append((where, f"expected a lever name or a mapping with lever, steps, reason; got {item!r}"))
            continue
        unknown = [k for k in item if k not in ("lever", "steps", "agencies", "reason")]
        for k in unknown:
            problems.append((f"{where}.{k}", f'unknown key{did_you_mean(str(k), ("lever", "steps", "agencies", "reason"))}; expected lever, steps, agencies, reason'))
        verb = item.get("lever")
        if verb not in verbs:
            problems.append((where, f'unknown lever "{verb}"{did_you_mean(str(verb), verbs)}; expected one of {", ".join(verbs)}'))
            continue
        key = "agencies" if verb == "staff" else "steps"
        wrong = "steps" if verb == "staff" else "agencies"
        if wrong in item:
            problems.append((f"{where}.{wrong}", f"{verb} is limited by {key}, not {wrong}"))
        targets = item.get(key, [])
        if isinstance(targets, str) or not isinstance(targets, Sequence) or not all(isinstance(t, str) and t for t in targets):
            problems.append((f"{where}.{key}", f"expected a list of ids, got {targets!r}"))
            continue
        reason = item.get("reason", "")
        if not isinstance(reason, str):
            problems.append((f"{where}.reason", f"expected text, got {reason!r}"))
            continue
        out.append(Exclusion(verb, tuple(targets), reason.strip(), where))
    return tuple(out), problems


def excluded_by(exclusions: Iterable[Exclusion], lever: Lever) -> Exclusion | None:
    """The first exclusion that takes ``lever`` off the table (on any step it acts on), else None."""
    targets = getattr(lever, "steps", None) or (lever.target,)
    return next((e for e in exclusions for t in targets if e.covers(lever.verb, t)), None)


def check_exclusion_targets(exclusions: Iterable[Exclusion], processes: Iterable[Process], file: str | None = None) -> None:
    """An exclusion naming a step or agency that none of ``processes`` has is an error (a typo would
    exclude nothing). A scenario applied to several chains may name steps of any of them."""
    processes = list(processes)
    steps = {n.id for p in processes for n in p.nodes.values() if n.kind in ("task", "timer")}
    agencies = {a for p in processes for a in p.agencies()}
    problems = []
    for e in exclusions:
        known = agencies if e.verb == "staff" else steps
        what = "agency" if e.verb == "staff" else "step"
        for t in e.steps:
            if t not in known:
                problems.append((e.path, f'unknown {what} "{t}"{did_you_mean(t, known)}; expected the id of a {what} of '
                                          f'{", ".join(sorted(p.id for p in processes))}'))
    if problems:
        raise ScenarioError(problems, file=file)
