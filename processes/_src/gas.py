"""Gas connection with external works (获得用气), before and after the 2021 plan (seed 二(四)).

The chain: application → survey and supply plan → the external-works permits in parallel
(pipeline planning permit, temporary green-space use / tree felling, road occupation and
digging; plus the expressway / national-road permit when the route touches one) → works →
acceptance and gas-on. The 2021 model is this baseline plus the measures of seed 二(四)2, one file:
processes/measures/gas_2021.yaml (fewer documents, 容缺受理 and 告知承诺 for the three permits, the
green channel for the major-road permit).

Example:
    >>> sorted(build())
    ['gas_2021', 'gas_baseline']
    >>> sorted(n.id for n in build()["gas_2021"].tasks() if n.facts.commitment)
    ['t_green', 't_planning', 't_road_dig']
"""

from __future__ import annotations

from svc_kit import ROOT, Builder, write_all

from sim.model.measures import build_from_measures, load_measures
from sim.model.process import Process

# Facts that no published Hainan figure gives; said once so each step can cite it.
A_COUNTER = "assumption: typical utility counter effort, no published Hainan figure"
A_LICENSING = "assumption: Administrative Licensing Law art. 42 general limit of 20 working days"
A_WORKS = "assumption: short urban pipeline section; no published Hainan figure"
CLAUSE = "二(四)2"


def build_baseline() -> Process:
    """The gas connection before the 2021 plan: every permit licensed, at the counter."""
    b = Builder("gas_baseline", "用气报装（改革前）", "Gas connection (baseline)", defaults={
                    "attribute.touches_major_road": "0.1",
                    "arrivals.rate_per_workday": "2",
                    "agency.gas_company.staff": "3",
                    "agency.natural_resources.staff": "2",
                    "agency.landscaping.staff": "2",
                    "agency.urban_roads.staff": "2",
                    "agency.transport.staff": "1",
                    "source": "assumption: 10% of routes touch an expressway or national/provincial road; "
                              "2 applications a working day; staff counts illustrative, set them in a scenario",
                })
    apply_ = b.task("t_apply", "用气报装申请", "Gas connection application", agency="gas_company", procedure=True,
                    documents=5, limit="1 workday", work="triangular(0.25, 0.5, 1) h",
                    source=f"documents: assumption; at the counter; statutory_limit, work: {A_COUNTER}", kind="application")
    survey = b.task("t_survey", "现场勘查及供应方案答复", "Site survey and supply plan", agency="gas_company",
                    procedure=True, limit="5 workday", wait="triangular(1, 2, 5) workday",
                    work="triangular(1, 2, 3) h", source=f"statutory_limit, wait, work: {A_COUNTER}", kind="inspection")
    split = b.gateway("p_permits", "parallel", "外线审批并行", "External-works permits in parallel")
    join = b.gateway("p_permits_join", "parallel")
    permits = [
        ("t_planning", "建设工程规划许可（管线）", "Pipeline planning permit", "natural_resources", 6),
        ("t_green", "临时占用绿地及树木伐移许可", "Temporary green-space use and tree felling permit", "landscaping", 4),
        ("t_road_dig", "占用挖掘城市道路许可", "Road occupation and digging permit", "urban_roads", 5),
    ]
    # the plan puts these three permits on the commitment list (告知承诺): the rule, not the model, decides
    on_list = dict(kind="permit", levers="+commitment", levers_source=f"seed {CLAUSE}(2) (规划许可、临时占用绿地伐移、占(挖掘)道路 实行告知承诺制)")
    for pid, pname, pen, pagency, docs in permits:
        t = b.task(pid, pname, pen, agency=pagency, procedure=True, documents=docs, limit="20 workday",
                   wait="triangular(5, 10, 20) workday", work="triangular(1, 2, 4) h",
                   source=f"statutory_limit: {A_LICENSING}; wait, work, documents: assumption: review cycles seen "
                          "in pre-2021 guides, no published Hainan figure", **on_list)
        b.chain(split, t, join)
    g_road = b.gateway("g_major_road", "exclusive", "涉高速公路、国省道？", "Crosses an expressway / national road?")
    m_road = b.gateway("m_major_road", "exclusive")
    major = b.task("t_major_road", "涉高速公路/国省道施工许可", "Expressway / national-road works permit",
                   agency="transport", procedure=True, documents=6, limit="20 workday",
                   wait="triangular(8, 15, 20) workday", work="triangular(1, 2, 4) h",
                   source=f"statutory_limit: {A_LICENSING}; documents, wait, work: assumption: no published Hainan figure", kind="permit")
    b.chain(split, g_road)
    b.flow(g_road, major, condition="touches_major_road", name="是")
    b.flow(g_road, m_road, name="否", default=True)
    b.chain(major, m_road, join)
    works = b.task("t_works", "外线工程施工", "External works on site", agency="gas_company", procedure=False,
                   wait="triangular(5, 10, 20) workday", source=f"wait: {A_WORKS}", kind="works")
    connect = b.task("t_connect", "竣工验收及接通", "Acceptance and connection", agency="gas_company", procedure=True,
                     documents=1, limit="2 workday", wait="triangular(0.5, 1, 2) workday",
                     work="triangular(1, 2, 3) h", source=f"statutory_limit, wait, work, documents: {A_COUNTER}", kind="inspection")
    b.chain("start", apply_, survey, split)
    b.chain(join, works, connect, "end")
    return b.build()


def build() -> dict[str, Process]:
    """The gas chain before and after the 2021 plan (baseline + processes/measures/gas_2021.yaml), by output file stem."""
    baseline = build_baseline()
    return {"gas_baseline": baseline,
            "gas_2021": build_from_measures(baseline, load_measures(ROOT / "processes" / "measures" / "gas_2021.yaml"))}


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
