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

import re
import sys
from pathlib import Path

# Running as a script from anywhere: make the repository importable.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.model import legal  # noqa: E402
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration  # noqa: E402

PROCESSES = ROOT / "processes"

# How staff numbers are chosen where no published figure exists: enough people that the office is
# about 70% busy at the assumed demand. An office over 100% has a queue that grows without end, so
# the chain's times would measure our guess, not the reform. Offered load = arrivals per workday x
# mean work hours per case / (staff x 7 open hours); baseline and 2021 variants keep the same staff.
STAFF_RULE = ("assumption: sized so the office is about 70% busy at the assumed demand "
              "(arrivals per workday x mean work h per case / (staff x 7 open h)); no published staffing figure")

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

    def __init__(self, pid: str, name: str, name_en: str, defaults: dict[str, str] | None = None) -> None:
        self.pid, self.name, self.name_en = pid, name, name_en
        self.defaults = dict(defaults or {})
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

    def timer(self, id: str, name: str, name_en: str, duration: str, source: str) -> str:
        return self._add(Node(id, "timer", name, facts=TaskFacts(name_en=name_en, source=source), timer=parse_duration(duration)))

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
    ) -> str:
        """A task; ``kind`` is its step_kind (sim.model.legal), ``levers``/``levers_source`` its own exceptions."""
        if agency not in AGENCY_NAMES:
            raise ValueError(f'unknown agency "{agency}" in task {id}')
        facts = TaskFacts(
            agency=agency, procedure=procedure, documents=documents, fee=fee, online=online,
            statutory_limit=parse_duration(statutory_limit) if statutory_limit else None,
            work=parse_duration(work) if work else None, wait=parse_duration(wait) if wait else None,
            stage=stage, commitment=commitment, source=source, name_en=name_en,
            step_kind=legal.check_kind(kind) if kind else None, levers=legal.parse_levers(levers), levers_source=levers_source,
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
        return Process.build(self.pid, self.name, self.nodes, self.flows, name_en=self.name_en, defaults=defaults)


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
