"""Water connection with external works (获得用水), before and after the 2021 plan (seed 二(五)).

The water utility's own procedure, not gas's: the applicant applies, the utility surveys the site,
designs the service pipe and answers with a supply plan and a quote (给水工程设计及方案答复), the
applicant signs the supply contract and pays the works (供用水合同、工程费), the external-works permits
run in parallel (pipeline planning permit, temporary green-space use / tree felling, road occupation
and digging; plus the expressway / national-road permit where the route touches one), the utility lays
the pipe, then flushes and disinfects it and has its water tested before it may be connected (新建给水
管道冲洗消毒、水质检验合格后方可并网通水, GB 50268-2008 §9.5), and finally meters and turns the water on.
Gas has neither the design/contract round nor the water-quality test.

The 2021 model is this baseline plus the measures of clause 二(五)2, one file: processes/measures/water_2021.yaml
(fewer documents for the permits, the three permits by notification-commitment, the green channel and 容缺受理
for the expressway / national-road permit, the online application). Clause (2) only says 探索 (explore) for
the commitment; the file says how the model reads it.

Example:
    >>> sorted(build())
    ['water_2021', 'water_baseline']
    >>> sorted(n.id for n in build()["water_2021"].tasks() if n.facts.commitment)
    ['t_green', 't_planning', 't_road_dig']
"""

from __future__ import annotations

from svc_kit import ROOT, STAFF_RULE, Builder, write_all

from sim.model.measures import build_from_measures, load_measures
from sim.model.process import Process

CLAUSE = "二(五)2"
A_UTILITY = "assumption: typical urban water-utility counter and field effort; no published Hainan figure"
A_LICENSING = "assumption: 行政许可法 第四十二条 general limit of 20 working days"
A_REVIEW = "assumption: review cycles seen in pre-2021 guides, no published Hainan figure"
AGENCIES = {
    "water_company": "供水企业（水务公司）",
    "natural_resources": "自然资源和规划厅（局）",
    "landscaping": "园林绿化主管部门",
    "urban_roads": "城市道路主管部门（住建/市政）",
    "transport": "交通运输厅",
}
# Permits of the external works (id, 中文, English, agency, documents before the reform).
PERMITS = (
    ("t_planning", "建设工程规划许可（给水管线）", "Water-pipeline planning permit", "natural_resources", 6),
    ("t_green", "临时占用绿地及树木伐移许可", "Temporary green-space use and tree felling permit", "landscaping", 4),
    ("t_road_dig", "占用挖掘城市道路许可", "Road occupation and digging permit", "urban_roads", 5),
)


def _builder() -> Builder:
    b = Builder("water_baseline", "用水报装（改革前）", "Water connection (baseline)", defaults={
                    "arrivals.rate_per_workday": "2",
                    "agency.water_company.staff": "5",
                    "agency.natural_resources.staff": "2",
                    "agency.landscaping.staff": "2",
                    "agency.urban_roads.staff": "2",
                    "agency.transport.staff": "1",
                    **{f"agency.{a}.name": name for a, name in AGENCIES.items()},
                    "source": ("arrivals: assumption: 2 connections with external works a working day (plausible 1–5), "
                               f"no published Hainan count; staff: {STAFF_RULE}"),
                    "range.arrivals.rate_per_workday": "1-5 per_workday | connections with external works a working day, "
                                                      "plausible 1-5 (no published Hainan count)",
                })
    b.attribute("touches_major_road", 0.1, "assumption: 10% of service-pipe routes touch an expressway or a "
                                           "national/provincial road (plausible 5–20%)",
                range="0.05-0.2 share | routes touching an expressway or national/provincial road, plausible 5-20%")
    return b


# The three external-works permits are the ones the plan names for 告知承诺 (sim.model.legal: a permit needs a list).
ON_LIST = dict(kind="permit", levers="+commitment",
               levers_source=f"seed {CLAUSE}(2) (规划许可、临时占用绿地伐移、占(挖掘)道路 由行政许可制改为告知承诺制, 探索)")


def build_baseline() -> Process:
    """The water connection before the 2021 plan: at the counter, every permit licensed."""
    b = _builder()
    apply_ = b.task("t_apply", "用水报装申请", "Water connection application", agency="water_company", procedure=True,
                    documents=5, limit="1 workday", work="triangular(0.25, 0.5, 1) h",
                    source=f"documents, statutory_limit, work: {A_UTILITY}; at the counter", kind="application")
    survey = b.task("t_survey", "现场勘查", "Site survey", agency="water_company", procedure=True, limit="3 workday",
                    wait="triangular(1, 2, 3) workday", work="triangular(1, 2, 3) h", source=f"statutory_limit, wait, work: {A_UTILITY}", kind="inspection")
    design = b.task("t_design", "给水工程设计及方案答复", "Service-pipe design and supply plan", agency="water_company",
                    procedure=True, documents=1, limit="5 workday", wait="triangular(2, 4, 8) workday",
                    work="triangular(2, 4, 6) h",
                    source=f"documents, statutory_limit, wait, work: {A_UTILITY} (the utility designs the pipe and quotes the works)", kind="service")
    contract = b.task("t_contract", "签订供用水合同及缴纳工程费", "Supply contract and works payment", agency="water_company",
                      procedure=True, documents=1, wait="triangular(0.5, 1, 3) workday",
                      work="triangular(0.25, 0.5, 1) h",
                      source=f"documents, wait, work: {A_UTILITY} (the applicant signs and pays within days)", kind="payment")
    split = b.gateway("p_permits", "parallel", "外线审批并行", "External-works permits in parallel")
    join = b.gateway("p_permits_join", "parallel")
    for pid, zh, en, agency, docs in PERMITS:
        permit = b.task(pid, zh, en, agency=agency, procedure=True, documents=docs, limit="20 workday",
                        wait="triangular(5, 10, 20) workday", work="triangular(1, 2, 4) h",
                        source=f"statutory_limit: {A_LICENSING}; wait, work: {A_REVIEW}; documents: {A_REVIEW}", **ON_LIST)
        b.chain(split, permit, join)
    g_road = b.gateway("g_major_road", "exclusive", "涉高速公路、国省道？", "Crosses an expressway / national road?")
    m_road = b.gateway("m_major_road", "exclusive")
    major = b.task("t_major_road", "涉高速公路/国省道施工许可", "Expressway / national-road works permit",
                   agency="transport", procedure=True, documents=6, limit="20 workday",
                   wait="triangular(8, 15, 20) workday", work="triangular(1, 2, 4) h",
                   source=f"statutory_limit: {A_LICENSING}; documents, wait, work: {A_REVIEW}", kind="permit")
    b.chain(split, g_road)
    b.flow(g_road, major, condition="touches_major_road", name="是")
    b.flow(g_road, m_road, name="否", default=True)
    b.chain(major, m_road, join)
    works = b.task("t_works", "外线给水管道施工", "Service-pipe works on site", agency="water_company", procedure=False,
                   wait="triangular(5, 10, 20) workday",
                   source="wait: assumption: a short urban service-pipe extension, no published Hainan figure (plausible 3–30)", kind="works",
                   ranges={"wait": "3-30 workday | a short urban service-pipe extension, plausible 3-30 working days"})
    flush = b.task("t_flush_test", "管道冲洗消毒及水质检验", "Pipe flushing, disinfection and water-quality test",
                   agency="water_company", procedure=False, wait="triangular(2, 3, 5) day", work="triangular(1, 2, 3) h",
                   source=("step: GB 50268-2008 给水排水管道工程施工及验收规范 §9.5 (new supply pipes are flushed, disinfected "
                           "and tested before use); wait: assumption: a 48 h bacteriological culture (菌落总数, GB/T 5750.12) "
                           f"plus sampling and the report, plausible 2–5 calendar days; work: {A_UTILITY}"), kind="inspection",
                   ranges={"wait": "2-5 day | a 48 h culture plus sampling and the report, plausible 2-5 calendar days"})
    connect = b.task("t_connect", "验收装表通水", "Acceptance, meter and water on", agency="water_company", procedure=True,
                     documents=1, limit="2 workday", wait="triangular(0.5, 1, 2) workday", work="triangular(1, 2, 3) h",
                     source=f"statutory_limit, wait, work, documents: {A_UTILITY}", kind="inspection")
    b.chain("start", apply_, survey, design, contract, split)
    b.chain(join, works, flush, connect, "end")
    return b.build()


def build() -> dict[str, Process]:
    """The water chain before and after the 2021 plan (baseline + processes/measures/water_2021.yaml), by output file stem."""
    baseline = build_baseline()
    return {"water_baseline": baseline,
            "water_2021": build_from_measures(baseline, load_measures(ROOT / "processes" / "measures" / "water_2021.yaml"))}


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
