"""Getting electricity (获得电力): the DB2018 baseline and the 2021 chains of seed 二(三), built from it.

The baseline is the Doing-Business case (a 140 kVA warehouse, measured in June 2017 when it was connected at
10 kV), calibrated to DB2018. Each 2021 model is that baseline plus ``processes/measures/<model>.yaml``: the class
of customer (low voltage, residential, external works: items of ``kind: case``) and the plan's measures of clause
二(三), each an edit citing its clause. A variant may start from another variant (``baseline:`` in its file) when
the difference between the two is only the class of customer.

Steps count per the Doing-Business definition: ``procedure`` is true only where the applicant deals with the grid,
an agency or a contractor; steps the grid does without the applicant add time, not procedures. Times in 天 are
calendar days (the plan writes 天 without qualifier; Doing Business counts calendar days).

Example:
    >>> p = build_2021("electricity_lv_nonres_no_external_2021")
    >>> len(p.procedures()), sum(n.facts.documents for n in p.tasks())
    (2, 2)
"""

from __future__ import annotations

try:
    from .common import PROCESSES, STAFF_RULE, Chain, agency_defaults
except ImportError:  # run as a script
    from common import PROCESSES, STAFF_RULE, Chain, agency_defaults  # type: ignore[no-redef]

from sim.bpmn.writer import write_bpmn  # noqa: E402
from sim.model.measures import build_from_measures, load_measures  # noqa: E402
from sim.model.process import Process  # noqa: E402

BASELINE = "electricity_2018_baseline"
# The 2021 models, each built from its measures file (processes/measures/<id>.yaml).
MODELS_2021 = ("electricity_lv_residential_2021", "electricity_lv_nonres_no_external_2021",
               "electricity_lv_nonres_external_simple_2021", "electricity_lv_nonres_external_permit_2021",
               "electricity_hv_single_2021")
DEFAULTS_SRC = (f"agency.*.staff: assumption: one city's customer-service and field crews for this chain (a crew counts as one), "
                f"grid, contractor: {STAFF_RULE}; agency.*.hours: "
                "assumption: office hours; arrivals.rate_per_workday: assumption: no published Hainan figure reached")


def build_2021(model: str) -> Process:
    """The 2021 model ``model``: its baseline (the DB2018 case or another variant) plus its measures file."""
    m = load_measures(PROCESSES / "measures" / f"{model}.yaml")
    baseline = build_2018_baseline() if m.baseline == BASELINE else build_2021(m.baseline)
    return build_from_measures(baseline, m)


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
    return {BASELINE: build_2018_baseline(), **{m: build_2021(m) for m in MODELS_2021}}


def main() -> None:
    for name, process in build_all().items():
        write_bpmn(process, PROCESSES / f"{name}.bpmn")


if __name__ == "__main__":
    main()
