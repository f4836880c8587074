"""Gas connection with external works (获得用气), before and after the 2021 plan (seed 二(四)).

The chain: application → survey and supply plan → the external-works permits in parallel
(pipeline planning permit, temporary green-space use / tree felling, road occupation and
digging; plus the expressway / national-road permit when the route touches one) → works →
acceptance and gas-on. The 2021 variant applies 容缺受理 and 告知承诺 to the three permits
(seed 二(四)2(2)), trims the documents (seed 二(四)2(1)) and caps the major-road permit at 8
working days (seed 二(四)2(2), target T21).

Example:
    >>> sorted(build())
    ['gas_2021', 'gas_baseline']
"""

from __future__ import annotations

from svc_kit import Builder, Spread, write_all

from sim.model.process import Process

# Facts that no published Hainan figure gives; said once so each step can cite it.
A_COUNTER = "assumption: typical utility counter effort, no published Hainan figure"
A_LICENSING = "assumption: Administrative Licensing Law art. 42 general limit of 20 working days"
A_WORKS = "assumption: short urban pipeline section; no published Hainan figure"


def external_works_chain(utility: str, reform: bool, *, agency: str, zh: str, en: str,
                         clause: str, online_clause: str | None = None) -> Process:
    """The utility-connection chain shared by gas and water; ``clause`` is the seed clause of the reform."""
    suffix = "2021" if reform else "baseline"
    b = Builder(f"{utility}_{suffix}", f"{zh}（{'2021年方案' if reform else '改革前'}）",
                f"{en} ({'2021 plan' if reform else 'baseline'})", defaults={
                    "attribute.touches_major_road": "0.1",
                    "arrivals.rate_per_workday": "2",
                    f"agency.{agency}.staff": "3",
                    "agency.natural_resources.staff": "2",
                    "agency.landscaping.staff": "2",
                    "agency.urban_roads.staff": "2",
                    "agency.transport.staff": "1",
                    "source": "assumption: 10% of routes touch an expressway or national/provincial road; "
                              "2 applications a working day; staff counts illustrative, set them in a scenario",
                })
    online = reform and online_clause is not None
    apply_ = b.task("t_apply", f"{zh}申请", f"{en} application", agency=agency, procedure=True,
                    documents=3 if reform else 5, online=online, limit="1 workday",
                    work="triangular(0.25, 0.5, 1) h",
                    source=(f"documents: seed {clause}(1) drops documents the platform holds, "
                            f"assumption: 5 → 3; online: {'seed ' + online_clause if online else 'assumption: counter'}; "
                            f"limit, work: {A_COUNTER}"), kind="application")
    survey = b.task("t_survey", "现场勘查及供应方案答复", "Site survey and supply plan", agency=agency,
                    procedure=True, limit="5 workday", wait="triangular(1, 2, 5) workday",
                    work="triangular(1, 2, 3) h", source=f"limit, wait, work: {A_COUNTER}", kind="inspection")
    split = b.gateway("p_permits", "parallel", "外线审批并行", "External-works permits in parallel")
    join = b.gateway("p_permits_join", "parallel")
    permits = [
        ("t_planning", "建设工程规划许可（管线）", "Pipeline planning permit", "natural_resources", 6),
        ("t_green", "临时占用绿地及树木伐移许可", "Temporary green-space use and tree felling permit", "landscaping", 4),
        ("t_road_dig", "占用挖掘城市道路许可", "Road occupation and digging permit", "urban_roads", 5),
    ]
    for pid, pname, pen, pagency, docs in permits:
        # the plan puts these three permits on the commitment list (告知承诺), before and after: the rule, not the model, decides
        on_list = dict(kind="permit", levers="+commitment", levers_source=f"seed {clause}(2) (规划许可、临时占用绿地伐移、占(挖掘)道路 实行告知承诺制)")
        if reform:
            t = b.task(pid, pname + "（告知承诺）", pen + " (notification-commitment)", agency=pagency,
                       procedure=True, documents=2, online=True, commitment=True, limit="1 workday",
                       wait="uniform(0, 1) workday", work="triangular(0.25, 0.5, 1) h",
                       source=(f"commitment, fewer documents: seed {clause}(2) 容缺受理/告知承诺; "
                               "limit, wait: assumption: a commitment is registered within a working day; "
                               f"documents 2 (commitment + route drawing): assumption; work: {A_COUNTER}"), **on_list)
        else:
            t = b.task(pid, pname, pen, agency=pagency, procedure=True, documents=docs, limit="20 workday",
                       wait="triangular(5, 10, 20) workday", work="triangular(1, 2, 4) h",
                       source=f"limit: {A_LICENSING}; wait, work, documents: assumption: review cycles seen "
                              "in pre-2021 guides, no published Hainan figure", **on_list)
        b.chain(split, t, join)
    g_road = b.gateway("g_major_road", "exclusive", "涉高速公路、国省道？", "Crosses an expressway / national road?")
    m_road = b.gateway("m_major_road", "exclusive")
    if reform:
        major = b.task("t_major_road", "涉高速公路/国省道施工许可（绿色通道、容缺受理）",
                       "Expressway / national-road works permit (green channel)", agency="transport",
                       procedure=True, documents=3, online=True, limit="8 workday",
                       wait="triangular(3, 5, 8) workday", work="triangular(1, 2, 4) h",
                       source=(f"limit: seed {clause}(2) 办结时长压减至8个工作日内 (the plan's limit on this permit); documents: 容缺受理, "
                               "assumption: 6 → 3; wait: assumption: no published per-step figure, mode 5 (plausible 3–8); work: assumption"), kind="permit",
                       ranges={"wait": Spread(0.6, 1.6, "no published per-step figure: mode plausibly 3-8 instead of 5, on the mean")})
    else:
        major = b.task("t_major_road", "涉高速公路/国省道施工许可", "Expressway / national-road works permit",
                       agency="transport", procedure=True, documents=6, limit="20 workday",
                       wait="triangular(8, 15, 20) workday", work="triangular(1, 2, 4) h",
                       source=f"limit: {A_LICENSING}; documents, wait, work: assumption: no published Hainan figure", kind="permit")
    b.chain(split, g_road)
    b.flow(g_road, major, condition="touches_major_road", name="是")
    b.flow(g_road, m_road, name="否", default=True)
    b.chain(major, m_road, join)
    works = b.task("t_works", "外线工程施工", "External works on site", agency=agency, procedure=False,
                   wait="triangular(5, 10, 20) workday", source=f"wait: {A_WORKS}", kind="works")
    connect = b.task("t_connect", "竣工验收及接通", "Acceptance and connection", agency=agency, procedure=True,
                     documents=1, limit="2 workday", wait="triangular(0.5, 1, 2) workday",
                     work="triangular(1, 2, 3) h", source=f"limit, wait, work, documents: {A_COUNTER}", kind="inspection")
    b.chain("start", apply_, survey, split)
    b.chain(join, works, connect, "end")
    return b.build()


def build() -> dict[str, Process]:
    """The gas chain before and after the 2021 plan, by output file stem."""
    common = dict(agency="gas_company", zh="用气报装", en="Gas connection", clause="二(四)2")
    return {
        "gas_baseline": external_works_chain("gas", False, **common),
        "gas_2021": external_works_chain("gas", True, **common),
    }


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
