"""Small helpers the chain builders share: a chain under construction and the step facts.

Example:
    >>> c = Chain("demo", "示例", "Demo")
    >>> c.seq(c.start(), c.task("t_a", "登记", "Register", agency="market_regulation", procedure=True,
    ...       source="assumption: demo"), c.end())
    >>> p = c.build()
    >>> [n.id for n in p.tasks()], sorted(p.flows)
    (['t_a'], ['f_s_demo__t_a', 'f_t_a__e_demo'])
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Running as a script from anywhere: make the repository importable.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.model import legal  # noqa: E402
from sim.model.assumptions import unranged, with_ranges  # noqa: E402
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration  # noqa: E402

PROCESSES = ROOT / "processes"

# How staff numbers are chosen where no published figure exists: enough people that the office is
# about 70% busy at the assumed demand. An office over 100% has a queue that grows without end, so
# the chain's times would measure our guess, not the reform. Offered load = arrivals per workday x
# mean work hours per case / (staff x 7 open hours); baseline and 2021 variants keep the same staff.
STAFF_RULE = ("assumption: sized so the office is about 70% busy at the assumed demand "
              "(arrivals per workday x mean work h per case / (staff x 7 open h)); no published staffing figure")



@dataclass(frozen=True)
class Spread:
    """A range rule: ``lo``..``hi`` times the central value, for the ``reason`` given (sim.model.ranges syntax).

    >>> FACTOR_TWO.text(0.25, "workday")
    '0.125-0.5 workday | no published per-step figure: half to double the assumed mean'
    >>> STAFF_SPREAD.text(5, "staff", whole=True)
    '4-7 staff | assumed staffing, no published figure: 0.75x to 1.4x (about 93% to 50% busy where sized for 70%)'
    """

    lo: float
    hi: float
    reason: str

    def text(self, central: float, unit: str, whole: bool = False, most: float | None = None) -> str:
        lo, hi = central * self.lo, central * self.hi
        if most is not None:
            hi = min(hi, most)
        if whole:
            lo, hi = max(1, math.ceil(lo - 1e-9)), max(math.ceil(hi - 1e-9), math.ceil(central))
        return f"{lo:.3g}-{hi:.3g} {unit} | {self.reason}"


# The range rules for numbers no figure bounds, each said once here and named by the chains that use it.
# assumption: with no published per-step figure, being out by a factor of two either way would not surprise us.
FACTOR_TWO = Spread(0.5, 2.0, "no published per-step figure: half to double the assumed mean")
# The construction and electricity scripts wrote "plausible range ±50% of the value" for their waits.
PLUS_MINUS_HALF = Spread(0.5, 1.5, "no published per-step figure: ±50% of the assumed mean, as the chain's source says")
# Staff mostly follow STAFF_RULE (about 70% busy): 0.75x to 1.4x spans the sizes from ~93% busy to 50% busy.
STAFF_SPREAD = Spread(0.75, 1.4, "assumed staffing, no published figure: 0.75x to 1.4x (about 93% to 50% busy where sized for 70%)")
# assumption: an illustrative volume (no published Hainan count): half to double it.
DEMAND_SPREAD = Spread(0.5, 2.0, "no published Hainan count: half to double the assumed volume")
# assumption: an assumed share of cases p: halfway towards 0 and towards 1 (p/2 .. (1+p)/2).
SHARE_REASON = "an assumed share of cases: halfway towards 0 and towards 1"


@dataclass(frozen=True)
class RangeRules:
    """Which rule ranges a chain's assumed numbers that carry no range of their own (``None``: they must carry one)."""

    wait: Spread | None = FACTOR_TWO
    work: Spread | None = FACTOR_TWO
    staff: Spread | None = STAFF_SPREAD
    arrivals: Spread | None = DEMAND_SPREAD
    shares: bool = True


DEFAULT_RULES = RangeRules()


def share_range(p: float) -> str:
    """The range :data:`SHARE_REASON` gives a share ``p``.

    >>> share_range(0.2)
    '0.1-0.6 share | an assumed share of cases: halfway towards 0 and towards 1'
    """
    return f"{p / 2:.3g}-{(1 + p) / 2:.3g} share | {SHARE_REASON}"


def apply_rules(process: Process, rules: RangeRules | None) -> Process:
    """``process`` with every assumed number that has no range ranged by ``rules`` (the chain's named rules)."""
    if rules is None:
        return process
    found: dict[str, str] = {}
    for nid, what, central, unit in unranged(process):
        if what in ("wait", "work") and getattr(rules, what) is not None:
            found[nid] = getattr(rules, what).text(central, unit)
        elif what == "staff" and rules.staff is not None:
            found[nid] = rules.staff.text(central, unit, whole=True)
        elif what == "rate" and rules.arrivals is not None:
            found[nid] = rules.arrivals.text(central, unit)
        elif what in ("share", "attribute") and rules.shares:
            found[nid] = share_range(central)
    return with_ranges(process, found)


def range_properties(ranges: dict[str, str | Spread] | None, **durations: str | None) -> dict[str, str]:
    """``range.<part>`` properties of a step: a written range as is, a :class:`Spread` applied to the part's mean.

    >>> range_properties({"wait": PLUS_MINUS_HALF}, wait="triangular(2, 3, 4) day")["range.wait"][:9]
    '1.5-4.5 d'
    """
    out: dict[str, str] = {}
    for part, value in (ranges or {}).items():
        if isinstance(value, Spread):
            d = parse_duration(durations[part] or "")
            value = value.text(d.mean, {"hour": "h"}.get(d.unit, d.unit))
        out[f"range.{part}"] = value
    return out


# Agency ids and Chinese names used across the chains (责任单位 as the seed names them).
AGENCY_NAMES = {
    "market_regulation": "市场监督管理局",
    "public_security": "公安机关（印章刻制备案）",
    "tax": "税务局",
    "social_security": "人力资源和社会保障局（社会保险服务中心）",
    "bank": "开户银行",
    "gov_service": "政务服务中心",
    "development_reform": "发展和改革委员会",
    "natural_resources": "自然资源和规划厅（局）",
    "housing_construction": "住房和城乡建设厅（局）",
    "transport": "交通运输厅",
    "water": "水务厅（局）",
    "archives": "档案局",
    "fire": "消防审验（住建部门）",
    "ecology": "生态环境厅（局）",
    "civil_defense": "人民防空办公室",
    "grid": "海南电网公司",
    "landscaping": "园林绿化主管部门",
    "surveyor": "测绘机构",
    "contractor": "施工单位",
    "utilities": "供水供气单位",
}


class Chain:
    """A process under construction; flow ids are ``f_<source>__<target>`` (stable, ASCII)."""

    def __init__(self, pid: str, name: str, name_en: str, defaults: dict[str, str] | None = None,
                 rules: RangeRules | None = DEFAULT_RULES) -> None:
        self.pid, self.name, self.name_en = pid, name, name_en
        self.defaults = dict(defaults or {})
        self.rules = rules  # how assumed numbers without a range of their own are ranged (RangeRules)
        self.nodes: list[Node] = []
        self.flows: list[Flow] = []

    def _add(self, node: Node) -> str:
        self.nodes.append(node)
        return node.id

    def start(self, name: str = "提出申请", name_en: str = "Application") -> str:
        return self._add(Node(f"s_{self.pid}", "start", name, facts=TaskFacts(name_en=name_en)))

    def end(self, name: str = "办结", name_en: str = "Done", suffix: str = "") -> str:
        return self._add(Node(f"e_{self.pid}{suffix}", "end", name, facts=TaskFacts(name_en=name_en)))

    def gateway(self, id: str, kind: str, name: str = "", name_en: str = "", default: str | None = None) -> str:
        facts = TaskFacts(name_en=name_en) if name_en else None
        return self._add(Node(id, kind, name, facts=facts, default_flow=default))  # type: ignore[arg-type]

    def timer(self, id: str, name: str, name_en: str, duration: str, source: str, wait_range: str = "") -> str:
        extra = {"range.wait": wait_range} if wait_range else {}
        return self._add(Node(id, "timer", name, facts=TaskFacts(name_en=name_en, source=source, extra=extra),
                              timer=parse_duration(duration)))

    def task(
        self,
        id: str,
        name: str,
        name_en: str,
        *,
        agency: str,
        source: str,
        procedure: bool = False,
        documents: int = 0,
        fee: float = 0.0,
        online: bool = False,
        statutory_limit: str | None = None,
        work: str | None = None,
        wait: str | None = None,
        stage: str | None = None,
        commitment: bool = False,
        kind: str | None = None,
        levers: str = "",
        levers_source: str = "",
        ranges: dict[str, str | Spread] | None = None,
    ) -> str:
        """A task; ``kind`` is its step_kind (sim.model.legal), ``levers``/``levers_source`` its own exceptions,
        ``ranges`` the plausible ranges of its work/wait (``{"wait": "0.05-1 workday | why"}``, sim.model.ranges)."""
        if agency not in AGENCY_NAMES:
            raise ValueError(f'unknown agency "{agency}" in task {id}')
        facts = TaskFacts(
            agency=agency, procedure=procedure, documents=documents, fee=float(fee), online=online,
            statutory_limit=parse_duration(statutory_limit) if statutory_limit else None,
            work=parse_duration(work) if work else None, wait=parse_duration(wait) if wait else None,
            stage=stage, commitment=commitment, source=source, name_en=name_en,
            step_kind=legal.check_kind(kind) if kind else None, levers=legal.parse_levers(levers), levers_source=levers_source,
            extra=range_properties(ranges, work=work, wait=wait),
        )
        return self._add(Node(id, "task", name, facts=facts))

    def flow(self, source: str, target: str, condition: str | None = None, name: str = "") -> str:
        fid = f"f_{source}__{target}"
        self.flows.append(Flow(fid, source, target, condition=condition, name=name))
        return fid

    def seq(self, *ids: str) -> None:
        for a, b in zip(ids, ids[1:]):
            self.flow(a, b)

    def build(self) -> Process:
        agencies = {n.facts.agency for n in self.nodes if n.kind == "task" and n.facts and n.facts.agency}
        defaults = {k: v for k, v in self.defaults.items()}
        for a in sorted(agencies):
            defaults.setdefault(f"agency.{a}.name", AGENCY_NAMES[a])
        return apply_rules(Process.build(self.pid, self.name, self.nodes, self.flows, name_en=self.name_en, defaults=defaults),
                           self.rules)


def agency_defaults(staff: dict[str, int], hours: str = "09:00-12:00,13:30-17:30") -> dict[str, str]:
    """``agency.<id>.staff`` / ``.hours`` properties for the given staff numbers."""
    out: dict[str, str] = {}
    for agency, n in staff.items():
        out[f"agency.{agency}.name"] = AGENCY_NAMES[agency]
        out[f"agency.{agency}.staff"] = str(n)
        out[f"agency.{agency}.hours"] = hours
    return out


def scaled_wait(wait: str, k: float) -> str:
    """``wait`` with every number scaled by ``k`` (how a baseline's one calibrated number is applied).

    >>> scaled_wait("triangular(2, 3, 5) workday", 0.5)
    'triangular(1, 1.5, 2.5) workday'
    """
    return re.sub(r"\d+(?:\.\d+)?", lambda m: f"{float(m.group()) * k:.3g}", wait)
