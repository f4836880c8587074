"""Water connection with external works (获得用水), before and after the 2021 plan (seed 二(五)).

The water utility's own procedure, not gas's: the applicant applies, the utility surveys the site,
designs the service pipe and answers with a supply plan and a quote (给水工程设计及方案答复), the
applicant signs the supply contract and pays the works (供用水合同、工程费), the external-works permits
run in parallel (pipeline planning permit, temporary green-space use / tree felling, road occupation
and digging; plus the expressway / national-road permit where the route touches one), the utility lays
the pipe, then flushes and disinfects it and has its water tested before it may be connected (新建给水
管道冲洗消毒、水质检验合格后方可并网通水, GB 50268-2008 §9.5), and finally meters and turns the water on.
Gas has neither the design/contract round nor the water-quality test.

The 2021 measures of clause 二(五)2, each where it acts:

* (1) 精简外线工程行政审批申请材料: the permits ask for fewer documents (what the approval platform holds).
* (2) 探索将规划许可、临时占用绿地伐移、占(挖掘)道路等由行政许可制改为告知承诺制 — *explore* moving them
  to notification-commitment, after an implementing measure (出台优化外线供水接入实施办法) is issued. Unlike
  gas (二(四)2(2) 实行, applied outright), only a share of 2021 applications is assumed to get the
  commitment route (attribute ``permits_by_commitment``); the rest still go through licensing.
* (2) 涉高速公路、国省道: green channel and 容缺受理, a limit of 8 working days (a plan clause, kept as the
  step's statutory limit). The review time itself is an assumption on the effect of the green channel,
  from the pre-2021 review cycle — not the limit it is judged against.
* (3) 一网通办 with progress tracking, 一证通办 (the e-licence shared): the application is online and
  asks for fewer documents.

Example:
    >>> sorted(build())
    ['water_2021', 'water_baseline']
    >>> sorted(n.id for n in build()["water_2021"].tasks() if n.facts.commitment)
    ['t_green_c', 't_planning_c', 't_road_dig_c']
"""

from __future__ import annotations

from svc_kit import STAFF_RULE, Builder, Spread, write_all

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


def _builder(reform: bool) -> Builder:
    suffix = "2021" if reform else "baseline"
    zh = "2021年方案：告知承诺试行、绿色通道、一网通办" if reform else "改革前"
    en = "2021 plan: commitment piloted, green channel, one-network application" if reform else "baseline"
    b = Builder(f"water_{suffix}", f"用水报装（{zh}）", f"Water connection ({en})", defaults={
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
    if reform:
        b.attribute("permits_by_commitment", 0.5,
                    f"assumption: seed {CLAUSE}(2) only says 探索 (explore) and first needs an implementing measure, "
                    "so half of the 2021 applications are taken to get the commitment route (plausible 20–90%)",
                    range="0.2-0.9 share | how far the 探索 commitment route reaches in 2021, plausible 20-90%")
    return b


# The three external-works permits are the ones the plan names for 告知承诺 (sim.model.legal: a permit needs a list).
ON_LIST = dict(kind="permit", levers="+commitment",
               levers_source=f"seed {CLAUSE}(2) (规划许可、临时占用绿地伐移、占(挖掘)道路 由行政许可制改为告知承诺制, 探索)")


def _permit(b: Builder, pid: str, zh: str, en: str, agency: str, docs: int, reform: bool) -> str:
    """A permit under licensing: 20 working days by law; in 2021 with the documents of 二(五)2(1) trimmed."""
    return b.task(pid, zh, en, agency=agency, procedure=True, documents=max(docs - 2, 2) if reform else docs,
                  limit="20 workday", wait="triangular(5, 10, 20) workday", work="triangular(1, 2, 4) h",
                  source=(f"limit: {A_LICENSING}; wait, work: {A_REVIEW}; documents: "
                          + (f"seed {CLAUSE}(1) drops what the approval platform holds, assumption: {docs} → "
                             f"{max(docs - 2, 2)}" if reform else A_REVIEW)), **ON_LIST)


def chain(reform: bool) -> Process:
    """The water connection before (``reform`` False) or after the 2021 plan."""
    b = _builder(reform)
    apply_ = b.task("t_apply", "用水报装申请", "Water connection application", agency="water_company", procedure=True,
                    documents=2 if reform else 5, online=reform, limit="1 workday", work="triangular(0.25, 0.5, 1) h",
                    source=(f"online, documents: seed {CLAUSE}(3) 一网通办、一证通办 (the e-licence is shared), "
                            f"assumption: 5 → 2; limit, work: {A_UTILITY}" if reform else
                            f"documents, limit, work: {A_UTILITY}; at the counter"), kind="application")
    survey = b.task("t_survey", "现场勘查", "Site survey", agency="water_company", procedure=True, limit="3 workday",
                    wait="triangular(1, 2, 3) workday", work="triangular(1, 2, 3) h", source=f"limit, wait, work: {A_UTILITY}", kind="inspection")
    design = b.task("t_design", "给水工程设计及方案答复", "Service-pipe design and supply plan", agency="water_company",
                    procedure=True, documents=1, limit="5 workday", wait="triangular(2, 4, 8) workday",
                    work="triangular(2, 4, 6) h",
                    source=f"the utility designs the pipe and quotes the works: documents, limit, wait, work: {A_UTILITY}", kind="service")
    contract = b.task("t_contract", "签订供用水合同及缴纳工程费", "Supply contract and works payment", agency="water_company",
                      procedure=True, documents=1, online=reform, wait="triangular(0.5, 1, 3) workday",
                      work="triangular(0.25, 0.5, 1) h",
                      source=(f"online: seed {CLAUSE}(3) 一网通办; " if reform else "")
                      + f"documents, wait, work: {A_UTILITY} (the applicant signs and pays within days)", kind="payment")
    split = b.gateway("p_permits", "parallel", "外线审批并行", "External-works permits in parallel")
    join = b.gateway("p_permits_join", "parallel")
    if reform:
        route = b.gateway("g_commitment", "exclusive", "按告知承诺办理？", "By notification and commitment?")
        merge = b.gateway("m_commitment", "exclusive")
        c_split = b.gateway("p_commit", "parallel", "告知承诺并行", "Commitment items in parallel")
        c_join = b.gateway("p_commit_join", "parallel")
        l_split = b.gateway("p_license", "parallel", "行政许可并行", "Licensed items in parallel")
        l_join = b.gateway("p_license_join", "parallel")
        b.chain(split, route)
        b.flow(route, c_split, condition="permits_by_commitment", name="告知承诺")
        b.flow(route, l_split, name="行政许可", default=True)
        for pid, zh, en, agency, docs in PERMITS:
            c = b.task(f"{pid}_c", zh + "（告知承诺）", en + " (notification-commitment)", agency=agency, procedure=True,
                       documents=2, online=True, commitment=True, limit="1 workday", wait="uniform(0, 1) workday",
                       work="triangular(0.25, 0.5, 1) h",
                       source=(f"commitment: seed {CLAUSE}(2) 由行政许可制改为告知承诺制; documents 2 (the commitment and the "
                               "route drawing): assumption; limit, wait: assumption: a commitment is registered within "
                               f"a working day (plausible 0–2); work: {A_UTILITY}"),
                       ranges={"wait": "0.05-2 workday | a commitment registered within a working day, plausible 0-2 "
                                       "(0.05: at least the platform's round trip)"}, **ON_LIST)
            b.chain(c_split, c, c_join)
            b.chain(l_split, _permit(b, pid, zh, en, agency, docs, True), l_join)
        b.chain(c_join, merge)
        b.chain(l_join, merge)
        b.chain(merge, join)
    else:
        for pid, zh, en, agency, docs in PERMITS:
            b.chain(split, _permit(b, pid, zh, en, agency, docs, False), join)
    g_road = b.gateway("g_major_road", "exclusive", "涉高速公路、国省道？", "Crosses an expressway / national road?")
    m_road = b.gateway("m_major_road", "exclusive")
    if reform:
        major = b.task("t_major_road", "涉高速公路/国省道施工许可（绿色通道、容缺受理）",
                       "Expressway / national-road works permit (green channel, accepted while incomplete)", agency="transport",
                       procedure=True, documents=3, online=True, limit="8 workday",
                       wait="triangular(4, 7, 12) workday", work="triangular(1, 2, 4) h",
                       source=(f"limit: seed {CLAUSE}(2) 绿色通道, 办结时长压减至8个工作日内; documents: 容缺受理, "
                               "assumption: 6 → 3; wait: assumption: the green channel and 容缺受理 about halve the pre-2021 "
                               "review (8–20, mode 15 working days → 4–12, mode 7); no published figure on their effect, "
                               "plausible mode 4–10; work: assumption"), kind="permit",
                       ranges={"wait": Spread(4 / 7, 10 / 7, "green channel and 容缺受理 effect unpublished: mode 4-10 instead of 7, "
                                                             "on the mean")})
    else:
        major = b.task("t_major_road", "涉高速公路/国省道施工许可", "Expressway / national-road works permit",
                       agency="transport", procedure=True, documents=6, limit="20 workday",
                       wait="triangular(8, 15, 20) workday", work="triangular(1, 2, 4) h",
                       source=f"limit: {A_LICENSING}; documents, wait, work: {A_REVIEW}", kind="permit")
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
                     source=f"limit, wait, work, documents: {A_UTILITY}", kind="inspection")
    b.chain("start", apply_, survey, design, contract, split)
    b.chain(join, works, flush, connect, "end")
    return b.build()


def build() -> dict[str, Process]:
    """The water chain before and after the 2021 plan, by output file stem."""
    return {"water_baseline": chain(False), "water_2021": chain(True)}


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
