"""The reform levers as typed, frozen objects: one vocabulary for scenarios, sensitivity, the fix
search, compare and the report.

A *process lever* (:class:`Remove`, :class:`Merge`, :class:`Parallel`, :class:`Online`,
:class:`Commitment`, :class:`AcceptIncomplete`, :class:`GreenChannel`, :class:`Scale`,
:class:`Set`, :class:`Add`) rewrites the graph through :mod:`sim.model.rewrite` and returns a new process; a
*scenario lever* (:class:`Staff`, :class:`Demand`) returns a new scenario. Each says what it
does in Chinese (default) or English with :meth:`Lever.label`. :func:`apply_levers` applies a
sequence in order to both. The YAML form (``edits:``) is parsed into these by
:mod:`sim.model.edits`.

Example:
    >>> Online("t_seal").label(), Online("t_seal").label("en")
    ('t_seal 全程网办', 'make t_seal online')
    >>> Scale("t_review", 0.8, "both", display="审查").label()
    '审查 时长×0.8'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..errors import ScenarioError, did_you_mean
from . import rewrite
from .process import Duration, Process

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = [
    "Lever", "ProcessLever", "ScenarioLever", "Remove", "Merge", "Parallel", "Online", "Commitment",
    "AcceptIncomplete", "GreenChannel", "Scale", "Set", "Add", "Staff", "Demand", "apply_levers", "LEVERS",
]


@dataclass(frozen=True)
class Lever:
    """Base of every lever: ``source`` says where the measure comes from; ``display`` is the name
    shown in labels (default: the step or agency id); ``override`` a planner's reason to apply it
    where a rule forbids it."""

    verb: ClassVar[str] = ""
    _labels: ClassVar[dict[str, str]] = {}
    source: str = field(default="scenario", kw_only=True)
    display: str = field(default="", kw_only=True, compare=False, repr=False)
    # A planner's reason to apply the lever where a rule forbids it (sim.model.legal); the scenario's
    # ``override_rule:``. Empty: the rules must allow the lever (sim.model.edits checks).
    override: str = field(default="", kw_only=True, repr=False)

    @property
    def target(self) -> str:
        """What the lever acts on, as text (a step id, ``a+b`` for several steps, an agency)."""
        raise NotImplementedError

    def label(self, lang: str = "zh") -> str:
        """What the lever does, for planners (``zh``, default) or in English (``en``)."""
        if lang not in ("zh", "en"):
            raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
        return self._labels[lang].format(s=self.display or self._shown(lang), **self._label_args())

    def _shown(self, lang: str) -> str:
        """What the label names: the step or agency id (an agency lever shows the agency's name)."""
        return self.target

    def _label_args(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class ProcessLever(Lever):
    def apply(self, process: Process) -> Process:
        """A new process with the lever applied (``process`` is not changed)."""
        raise NotImplementedError


@dataclass(frozen=True)
class ScenarioLever(Lever):
    def apply(self, scenario: Scenario, process: Process) -> Scenario:
        """A new scenario with the lever applied; ``process`` supplies defaults (e.g. current staff)."""
        raise NotImplementedError


@dataclass(frozen=True)
class _OneStep(ProcessLever):
    step: str

    @property
    def target(self) -> str:
        return self.step


@dataclass(frozen=True)
class _Steps(ProcessLever):
    steps: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))  # a list from YAML or a caller: keep it hashable

    @property
    def target(self) -> str:
        return "+".join(self.steps)


@dataclass(frozen=True)
class Remove(_OneStep):
    """区域评估 / 清单之外无审批: drop the step (:func:`sim.model.rewrite.remove_step`)."""

    verb: ClassVar[str] = "remove"
    _labels: ClassVar[dict[str, str]] = {"zh": "取消 {s}", "en": "remove {s}"}

    def apply(self, process: Process) -> Process:
        return rewrite.remove_step(process, self.step, source=self.source)


@dataclass(frozen=True)
class Merge(_Steps):
    """一窗受理: consecutive steps become one (:func:`sim.model.rewrite.merge_steps`)."""

    verb: ClassVar[str] = "merge"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 合并办理", "en": "merge {s}"}
    new_id: str | None = None
    name: str | None = None
    documents: int | None = None
    agency: str | None = None
    wait: Literal["max", "sum"] = "max"
    kind: str | None = None  # the merged step's step_kind: one of the parts' (default: their kinds joined by +)

    def apply(self, process: Process) -> Process:
        return rewrite.merge_steps(process, list(self.steps), self.new_id, self.name, documents=self.documents,
                                   agency=self.agency, wait=self.wait, kind=self.kind, source=self.source)


@dataclass(frozen=True)
class Parallel(_Steps):
    """并联审批: consecutive steps run side by side (:func:`sim.model.rewrite.parallelise`)."""

    verb: ClassVar[str] = "parallel"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 并联办理", "en": "{s} in parallel"}

    def apply(self, process: Process) -> Process:
        return rewrite.parallelise(process, list(self.steps), source=self.source)


@dataclass(frozen=True)
class Online(_OneStep):
    """一网通办: the step fully online (:func:`sim.model.rewrite.make_online`)."""

    verb: ClassVar[str] = "online"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 全程网办", "en": "make {s} online"}
    work_factor: float = 1.0

    def apply(self, process: Process) -> Process:
        return rewrite.make_online(process, self.step, self.work_factor, source=self.source)


@dataclass(frozen=True)
class Commitment(_OneStep):
    """告知承诺制: approval replaced by a signed commitment (:func:`sim.model.rewrite.commitment`)."""

    verb: ClassVar[str] = "commitment"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 改为告知承诺", "en": "{s} → notification-commitment (告知承诺)"}
    inspection_share: float = 0.0
    inspection: Duration | None = None
    acceptance: Duration | None = None

    def apply(self, process: Process) -> Process:
        return rewrite.commitment(process, self.step, self.inspection_share, self.inspection,
                                  acceptance=self.acceptance, source=self.source)


@dataclass(frozen=True)
class AcceptIncomplete(_OneStep):
    """容缺受理: accepted with a document missing (:func:`sim.model.rewrite.accept_incomplete`)."""

    verb: ClassVar[str] = "accept_incomplete"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 容缺受理", "en": "{s}: accept incomplete (容缺受理)"}
    saved: Duration | None = None
    factor: float | None = None

    def apply(self, process: Process) -> Process:
        return rewrite.accept_incomplete(process, self.step, self.saved, factor=self.factor, source=self.source)


@dataclass(frozen=True)
class GreenChannel(_OneStep):
    """绿色通道: a shorter statutory limit, wait capped (:func:`sim.model.rewrite.green_channel`)."""

    verb: ClassVar[str] = "green_channel"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 绿色通道（{limit}）", "en": "{s}: green channel ({limit})"}
    limit: Duration | None = None

    def apply(self, process: Process) -> Process:
        if self.limit is None:
            raise ValueError("GreenChannel needs a limit")
        return rewrite.green_channel(process, self.step, self.limit, source=self.source)

    def _label_args(self) -> dict[str, Any]:
        return {"limit": self.limit}


@dataclass(frozen=True)
class Scale(_OneStep):
    """A step's work, wait or both ×``factor`` (:func:`sim.model.rewrite.scale_duration`)."""

    verb: ClassVar[str] = "scale"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 时长×{f:g}", "en": "{s} duration ×{f:g}"}
    factor: float = 1.0
    part: Literal["work", "wait", "both"] = "work"

    def apply(self, process: Process) -> Process:
        return rewrite.scale_duration(process, self.step, self.factor, self.part, source=self.source)

    def _label_args(self) -> dict[str, Any]:
        return {"f": self.factor}


@dataclass(frozen=True)
class Set(_OneStep):
    """电子证照 and any fact a scenario states outright (:func:`sim.model.rewrite.set_facts`)."""

    verb: ClassVar[str] = "set"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 设定 {facts}", "en": "{s}: set {facts}"}
    facts: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        facts = self.facts.items() if isinstance(self.facts, dict) else self.facts
        object.__setattr__(self, "facts", tuple(facts))

    def apply(self, process: Process) -> Process:
        return rewrite.set_facts(process, self.step, source=self.source, **dict(self.facts))

    def _label_args(self) -> dict[str, Any]:
        return {"facts": ", ".join(f"{k}={v}" for k, v in self.facts)}


@dataclass(frozen=True)
class Add(_OneStep):
    """A step the reform creates (同步发放电子营业执照), inserted ``after`` or ``before`` a node
    (:func:`sim.model.rewrite.add_step`); ``step`` is the new id, ``facts`` those of :class:`Set` plus ``kind``."""

    verb: ClassVar[str] = "add"
    _labels: ClassVar[dict[str, str]] = {"zh": "新增环节 {s}", "en": "add step {s}"}
    after: str | None = None
    before: str | None = None
    facts: tuple[tuple[str, Any], ...] = ()
    when: str | None = None  # only the cases where this condition holds take the new step

    def __post_init__(self) -> None:
        facts = self.facts.items() if isinstance(self.facts, dict) else self.facts
        object.__setattr__(self, "facts", tuple(facts))

    def apply(self, process: Process) -> Process:
        return rewrite.add_step(process, self.step, after=self.after, before=self.before, when=self.when, source=self.source,
                                **dict(self.facts))

    def _shown(self, lang: str) -> str:
        return str(dict(self.facts).get("name") or self.step)


@dataclass(frozen=True)
class Staff(ScenarioLever):
    """``add`` more staff at an agency (on top of what the scenario, or its defaults, give it)."""

    verb: ClassVar[str] = "staff"
    _labels: ClassVar[dict[str, str]] = {"zh": "{s} 增加{n}名人员", "en": "+{n} staff at {s}"}
    agency: str = ""
    add: int = 1

    @property
    def target(self) -> str:
        return self.agency

    def _shown(self, lang: str) -> str:
        from ..i18n import agency_name

        return agency_name(self.agency, lang)

    def apply(self, scenario: Scenario, process: Process) -> Scenario:
        from .scenario import AgencySpec, resolve_scenario

        used = process.agencies()
        if self.agency not in used:
            raise ScenarioError([("", f'no step of process "{process.id}" is handled by agency "{self.agency}"'
                                      f'{did_you_mean(self.agency, used)}; expected one of {", ".join(sorted(used))}')])
        current = resolve_scenario(process, scenario).agencies.get(self.agency, AgencySpec(self.agency))
        agencies = dict(scenario.agencies)
        base = agencies.get(self.agency, current)
        agencies[self.agency] = replace(base, staff=(current.staff or 0) + self.add)
        return replace(scenario, agencies=agencies)

    def _label_args(self) -> dict[str, Any]:
        return {"n": self.add}


@dataclass(frozen=True)
class Demand(ScenarioLever):
    """Arrivals ×``factor`` (a demand surge or drop), folded into the rate when the scenario is resolved."""

    verb: ClassVar[str] = "demand"
    _labels: ClassVar[dict[str, str]] = {"zh": "申请量×{f:g}", "en": "demand ×{f:g}"}
    factor: float = 1.0

    @property
    def target(self) -> str:
        return "arrivals"

    def apply(self, scenario: Scenario, process: Process) -> Scenario:
        arrivals = scenario.arrivals
        return replace(scenario, arrivals=replace(arrivals, growth=arrivals.growth * self.factor))

    def _label_args(self) -> dict[str, Any]:
        return {"f": self.factor}


LEVERS: dict[str, type[Lever]] = {c.verb: c for c in (Remove, Merge, Parallel, Online, Commitment, AcceptIncomplete,
                                                       GreenChannel, Scale, Set, Add, Staff, Demand)}


def apply_levers(process: Process, scenario: Scenario, levers: Sequence[Lever]) -> tuple[Process, Scenario]:
    """``(process, scenario)`` with every lever applied in order.

    >>> from sim.model.process import Flow, Node, Process
    >>> from sim.model.scenario import Scenario
    >>> p = Process.build("p", "p", [Node("s", "start"), Node("t", "task"), Node("e", "end")],
    ...                   [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> q, sc = apply_levers(p, Scenario(), [Online("t"), Demand(2.0)])
    >>> q.nodes["t"].facts.online, sc.arrivals.growth
    (True, 2.0)
    """
    for lever in levers:
        if isinstance(lever, ProcessLever):
            process = _noted(lever.apply(process), process.notes, lever)
        elif isinstance(lever, ScenarioLever):
            scenario = lever.apply(scenario, process)
        else:
            raise TypeError(f"expected a lever from sim.model.levers, got {lever!r}")
    return process, scenario


def _noted(after: Process, before: tuple[str, ...], lever: Lever) -> Process:
    """``after`` with the notes the lever's edit added in both languages: the English as the rewrite wrote it
    (what changed, in detail), the Chinese the lever's own label (:class:`sim.i18n.Text`)."""
    from ..i18n import Text

    zh = f"改革措施：{lever.label('zh')}"
    notes = tuple(n if n in before or isinstance(n, Text) else Text(n, zh) for n in after.notes)
    return after.with_changes(notes=notes)
