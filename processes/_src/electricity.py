"""Getting electricity (获得电力): the DB2018 baseline and the 2021 chains of seed 二(三).

Steps count per T13/T14: ``procedure`` is true only where the applicant deals with the grid or an
agency (application, connection); survey, plan and permits the grid company handles for the
applicant add time, not procedures. Times in 天 are modelled as calendar days (the plan writes
天 without qualifier; Doing Business counts calendar days) - the ambiguity is recorded in each source.

Example:
    >>> p = build_lv("residential")
    >>> len(p.procedures()), sum(n.facts.documents for n in p.tasks())
    (2, 2)
"""

from __future__ import annotations

try:
    from .common import PLUS_MINUS_HALF, PROCESSES, STAFF_RULE, Chain, agency_defaults
except ImportError:  # run as a script
    from common import PLUS_MINUS_HALF, PROCESSES, STAFF_RULE, Chain, agency_defaults  # type: ignore[no-redef]

from sim.bpmn.writer import write_bpmn  # noqa: E402
from sim.model.process import Process  # noqa: E402

DAY_NOTE = "天 read as calendar day (no qualifier in the plan; DB counts calendar days) - ambiguity recorded"
DEFAULTS_SRC = (f"agency.*.staff: assumption: one city's customer-service and field crews for this chain (a crew counts as one), "
                f"grid, contractor: {STAFF_RULE}; agency.*.hours: "
                "assumption: office hours; arrivals.rate_per_workday: assumption: no published Hainan figure reached")

# variant -> (id suffix, Chinese, English, whole-time target days, the clause that sets it, arrivals per workday, grid staff);
# grid staff per STAFF_RULE: e.g. residential 60 a day x 4.28 h / (52 x 7 h) = 71% busy.
LV_VARIANTS = {
    "residential": ("lv_residential", "低压居民用户办电", "Low-voltage residential connection", 6, "seed 二(三)2(2)", 60, 52),
    "nonres_no_external": ("lv_nonres_no_external", "低压非居民用户办电（不涉及外线施工）",
                           "Low-voltage non-residential, no external works", 3, "seed 二(三)2(2)", 20, 18),
    "nonres_external_simple": ("lv_nonres_external_simple", "低压非居民用户办电（外线工程不涉及行政审批或属简易低风险工程）",
                               "Low-voltage non-residential, external works without administrative approval", 8, "seed 二(三)2(2)", 10, 28),
    "nonres_external_permit": ("lv_nonres_external_permit", "低压非居民用户办电（外线工程涉及行政审批）",
                               "Low-voltage non-residential, external works with administrative approval", 10, "seed 二(三)2(2)", 5, 14),
}


def _apply(c: Chain, target: str, documents: int = 2) -> str:
    return c.task(
        "t_apply", "用电申请（“南网在线”/政务平台，身份证照自动获取）", "Application (online; ID fetched from the platform)",
        agency="grid", procedure=True, documents=documents, online=True, work="triangular(0.1, 0.25, 0.5) h",
        wait="uniform(0.1, 0.5) day", stage="申请受理",
        source=f"procedure, documents: the reformed design as seed 二(三)1 prescribes it (环节2个、材料2件; {target}) - a design fact the design check restates, not evidence; online, ID fetched: seed 二(三)2(1); "
        f"work, wait: assumption: same-day acceptance; {DAY_NOTE}", kind="application",
    )


def _connect(c: Chain, target: str, wait: str) -> str:
    return c.task(
        "t_connect", "装表接电", "Meter installation and connection", agency="grid", procedure=True, documents=0,
        work="triangular(1, 2, 3) h", wait=wait, stage="装表接电",
        source=f"procedure: the last applicant step of the reformed design of seed 二(三)1 ({target}); work, wait: assumption: field crew visit; {DAY_NOTE}", kind="works",
    )


def build_lv(variant: str) -> Process:
    """One low-voltage variant (T13 2 steps, 2 documents; whole time per T15-T18)."""
    suffix, zh, en, days, target, rate, grid_staff = LV_VARIANTS[variant]
    c = Chain(f"electricity_{suffix}_2021", f"{zh}（2021年）", f"{en}, 2021", {
        **agency_defaults({"grid": grid_staff}), "arrivals.rate_per_workday": str(rate),
        "source": f"{DEFAULTS_SRC}; {DAY_NOTE}",
    })
    s = c.start("提出用电申请", "Start: apply for connection")
    apply_ = _apply(c, target)
    survey = c.task(
        "t_survey", "现场勘查、确定供电方案（免方案审批）", "Site survey and supply plan (no plan approval)", agency="grid",
        work="triangular(1, 2, 3) h", wait="triangular(0.2, 0.5, 1) day", stage="申请受理",
        source=f"supply-plan approval removed for small firms: seed 二(三)2(1); procedure: false, done by the grid (seed 二(三)1 names 2 applicant steps); "
        f"work, wait: assumption; {DAY_NOTE}", kind="inspection",
    )
    e = c.end("送电完成", "Power on")
    if variant in ("residential", "nonres_no_external"):
        conn = _connect(c, target, "triangular(0.5, 1, 2) day" if variant == "residential" else "triangular(0.2, 0.5, 1) day")
        c.seq(s, apply_, survey, conn, e)
        return c.build()
    works_wait = "triangular(2, 4, 5) day" if variant == "nonres_external_simple" else "triangular(2, 3, 4) day"
    works = c.task(
        "t_external_works", "外线工程施工（供电企业投资）", "External line works (by the grid)", agency="grid",
        work="triangular(4, 8, 16) h", wait=works_wait, stage="外线工程",
        source=f"zero investment for the applicant and zero administrative approval for simple low-risk projects: seed 二(三)2(2); "
        f"procedure: false (grid's own works); wait, work: assumption: line works by the grid's contractor, no published per-project figure for Hainan; plausible range ±50% of the value; {DAY_NOTE}", kind="works",
        ranges={"wait": PLUS_MINUS_HALF, "work": PLUS_MINUS_HALF},
    )
    conn = _connect(c, target, "triangular(0.2, 0.5, 1) day")
    if variant == "nonres_external_simple":
        c.seq(s, apply_, survey, works, conn, e)
        return c.build()
    c.defaults["attribute.touches_highway"] = "0.1"
    c.defaults["source"] += "; attribute.touches_highway: assumption: about one external-works case in ten crosses an expressway or national/provincial road"
    commit = c.task(
        "t_permits_commitment", "规划、占道挖掘等行政许可（告知承诺、并联审批）", "Planning and road-digging permits (commitment, in parallel)",
        agency="gov_service", commitment=True, online=True, work="triangular(0.25, 0.5, 1) h", wait="triangular(0.5, 1, 2) day",
        stage="外线工程",
        source=f"告知承诺并联审批: seed 二(三)2(2); procedure: false, the grid applies for the customer (seed 二(三)1: 2 applicant steps); wait, work: assumption; {DAY_NOTE}", kind="permit", levers="+commitment", levers_source="seed 二(三)2(2) (其它电力工程施工实行告知承诺并联审批模式: the works permits by commitment)",
    )
    g = c.gateway("g_highway", "exclusive", "是否涉及高速公路、国省道", "Crosses an expressway / national road?", default="f_g_highway__g_highway_join")
    road = c.task(
        "t_highway_permit", "涉路施工许可（绿色通道、容缺受理）", "Road-crossing permit (green channel, missing documents accepted)",
        agency="transport", statutory_limit="8 workday", work="triangular(1, 2, 4) h", wait="triangular(3, 5, 8) workday", stage="外线工程",
        source="statutory_limit: seed 二(三)2(3) (办结时长压减至8个工作日内); procedure: false, applied for by the grid; "
        "wait: assumption: no published figure; plausible range ±50% of the value", kind="permit",
        ranges={"wait": PLUS_MINUS_HALF},
    )
    gj = c.gateway("g_highway_join", "exclusive", "", "")
    c.seq(s, apply_, survey, commit, g)
    c.flow(g, road, condition="touches_highway")
    c.flow(g, gj)
    c.seq(road, gj, works, conn, e)
    return c.build()


def build_hv_single() -> Process:
    """High-voltage single supply: 3 steps, 2 documents, <= 45 天 (T14, seed 二(三)1)."""
    src = "the reformed design as seed 二(三)1 prescribes it (环节3个、材料2件) - a design fact the design check restates, not evidence"
    c = Chain("electricity_hv_single_2021", "高压单电源用户办电（2021年）", "High-voltage single-supply connection, 2021", {
        **agency_defaults({"grid": 15, "gov_service": 2}), "arrivals.rate_per_workday": "2",  # grid: 2 x 37 h / (15 x 7 h) = 70%
        "source": f"{DEFAULTS_SRC}; {DAY_NOTE}",
    })
    s = c.start("提出用电申请", "Start: apply for connection")
    apply_ = c.task(
        "t_apply_sign", "申请签约（受理、勘查、供电方案答复、签订供用电合同）", "Application and contract (survey, supply plan, contract)",
        agency="grid", procedure=True, documents=2, online=True, work="triangular(2, 4, 8) h", wait="triangular(5, 8, 12) day",
        stage="申请签约", source=f"procedure, documents: {src}; wait, work: assumption: survey and plan reply; {DAY_NOTE}", kind="application",
    )
    split = c.gateway("g_works", "parallel", "工程实施并行", "Works in parallel")
    permits = c.task(
        "t_permits_commitment", "外线工程行政许可（告知承诺、并联审批）", "External-works permits (commitment, in parallel)",
        agency="gov_service", commitment=True, online=True, work="triangular(0.5, 1, 2) h", wait="triangular(2, 4, 8) workday",
        stage="工程实施", source="告知承诺并联审批: seed 二(三)2(2); procedure: false (applied for by the grid); wait, work: assumption", kind="permit", levers="+commitment", levers_source="seed 二(三)2(2) (其它电力工程施工实行告知承诺并联审批模式: the works permits by commitment)",
    )
    external = c.task(
        "t_external_works", "外线工程施工", "External line works", agency="grid", work="triangular(16, 24, 40) h",
        wait="triangular(10, 15, 25) day", stage="工程实施",
        source=f"procedure: false (grid's works); wait, work: assumption: high-voltage line works by the grid's contractor, no published per-project figure for Hainan; plausible range ±50% of the value; {DAY_NOTE}", kind="works",
        ranges={"wait": PLUS_MINUS_HALF, "work": PLUS_MINUS_HALF},
    )
    internal = c.task(
        "t_customer_works_check", "受电工程竣工检验", "Completion inspection of the customer's installation",
        agency="grid", procedure=True, documents=0, work="triangular(2, 3, 6) h", wait="triangular(2, 4, 7) day", stage="工程实施",
        source=f"procedure: {src} (second step, 工程实施); wait, work: assumption; {DAY_NOTE}", kind="inspection",
    )
    join = c.gateway("g_works_join", "parallel", "", "")
    conn = _connect(c, src, "triangular(1, 2, 4) day")
    e = c.end("送电完成", "Power on")
    c.seq(s, apply_, split)
    c.seq(split, permits, external, join)
    c.seq(split, internal, join)
    c.seq(join, conn, e)
    return c.build()


def build_2018_baseline() -> Process:
    """DB2018.CHN.getting_electricity: 5.45 procedures, 143.2 calendar days (0.55 Shanghai + 0.45 Beijing)."""
    db = "DB2018.CHN.getting_electricity"
    c = Chain("electricity_2018_baseline", "获得电力（2018年改革前基线，140千伏安仓库）",
              "Getting electricity, 2018 pre-reform baseline (140 kVA warehouse)", {
                  **agency_defaults({"grid": 15, "transport": 2, "contractor": 27}), "arrivals.rate_per_workday": "5",
                  "attribute.needs_design_review": "0.45",
                  "source": f"{DEFAULTS_SRC}; attribute.needs_design_review: {db} 5.45 procedures = 0.55 x 5 + 0.45 x 6, "
                  "assumption: the sixth procedure (design review) is the Beijing-weighted case; times: "
                  f"{db} time_days 143.2 split across steps by assumption",
              })
    s = c.start("提出用电申请", "Start: apply for connection")
    apply_ = c.task("t_apply", "提交用电申请", "Submit application", agency="grid", procedure=True, documents=5,
                    work="triangular(0.5, 1, 2) h", wait="triangular(3, 5, 7) day", stage="申请受理",
                    source=f"procedure: {db}; wait: assumption: share of 143.2 days; documents: assumption: pre-reform list", kind="application")
    survey = c.task("t_survey", "现场勘查（申请人陪同）", "Site survey with the applicant", agency="grid", procedure=True,
                    work="triangular(1, 2, 4) h", wait="triangular(5, 10, 15) day", stage="申请受理",
                    source=f"procedure: {db}; wait: assumption: share of 143.2 days", kind="inspection")
    plan = c.task("t_supply_plan", "供电方案答复", "Supply plan reply", agency="grid", procedure=True, documents=1,
                  work="triangular(2, 4, 8) h", wait="triangular(15, 20, 25) day", stage="供电方案",
                  source=f"procedure: {db}; wait: assumption: share of 143.2 days; documents: assumption", kind="service", levers="+remove", levers_source="seed 二(三)2(1) (小微企业低压接入免去供电方案审批)")
    g = c.gateway("g_design_review", "exclusive", "是否需设计审查", "Design review needed?", default="f_g_design_review__g_design_join")
    review = c.task("t_design_review", "受电工程设计审查", "Design review", agency="grid", procedure=True, documents=2,
                    work="triangular(2, 4, 8) h", wait="triangular(10, 15, 20) day", stage="供电方案",
                    source=f"procedure: {db} (the 0.45 of 5.45); wait: assumption; documents: assumption", kind="permit")
    gj = c.gateway("g_design_join", "exclusive", "", "")
    works = c.task("t_external_works", "外线工程施工及道路挖掘许可", "External works and road-digging permit",
                   agency="contractor", procedure=True, documents=3, work="triangular(16, 24, 40) h",
                   wait="triangular(60, 80, 100) day", stage="工程实施",
                   source=f"procedure: {db}; wait: assumption: the largest share of 143.2 days (permits and works); documents: assumption", kind="works")
    conn = c.task("t_inspect_connect", "竣工检验、装表接电", "Completion inspection, meter and connection", agency="grid",
                  procedure=True, documents=1, work="triangular(2, 4, 6) h", wait="triangular(8, 12, 16) day", stage="装表接电",
                  source=f"procedure: {db}; wait: assumption: share of 143.2 days; documents: assumption", kind="inspection")
    e = c.end("送电完成", "Power on")
    c.seq(s, apply_, survey, plan, g)
    c.flow(g, review, condition="needs_design_review")
    c.flow(g, gj)
    c.seq(review, gj, works, conn, e)
    return c.build()


def build_all() -> dict[str, Process]:
    out = {f"electricity_{v[0]}_2021": build_lv(k) for k, v in LV_VARIANTS.items()}
    out["electricity_hv_single_2021"] = build_hv_single()
    out["electricity_2018_baseline"] = build_2018_baseline()
    return out


def main() -> None:
    for name, process in build_all().items():
        write_bpmn(process, PROCESSES / f"{name}.bpmn")


if __name__ == "__main__":
    main()
