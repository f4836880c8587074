"""Construction permits (办理建筑许可): general social investment and low-risk projects, 2019 baseline and 2021.

The approval clock covers approvals only (立项 -> 竣工验收 -> 不动产登记); the building works
themselves are outside it, as in the plan's "全过程审批" (seed 二(二)1).

Example:
    >>> p = build_lowrisk_2021()
    >>> sorted({n.facts.stage for n in p.tasks()})
    ['施工许可', '竣工验收']
"""

from __future__ import annotations

try:
    from .common import PROCESSES, STAFF_RULE, Chain, agency_defaults, scaled_wait
except ImportError:  # run as a script
    from common import PROCESSES, STAFF_RULE, Chain, agency_defaults, scaled_wait  # type: ignore[no-redef]

from sim.bpmn.writer import write_bpmn  # noqa: E402
from sim.model.measures import build_from_measures, load_measures  # noqa: E402
from sim.model.process import Process  # noqa: E402

MEASURES = PROCESSES / "measures"  # the 2021 models: baseline + the plan's measures, one file each


HN19 = "HN.construction.targets.2019"
DB18 = "DB2018.CHN.dealing_with_construction_permits"
DEFAULTS_SRC = (f"agency.*.staff: assumption: one city's approval staff for this chain; natural_resources, housing_construction, "
                f"archives (general) and housing_construction (low-risk): {STAFF_RULE}, sized on the 2019 baseline's load; "
                "agency.*.hours: assumption: office hours; "
                "arrivals.rate_per_workday: assumption: no published Hainan figure reached")
STAFF = {"development_reform": 2, "natural_resources": 4, "housing_construction": 4, "ecology": 2, "civil_defense": 1,
         "social_security": 2, "archives": 1, "gov_service": 3}
# Per chain (different demand), the same for the baseline and 2021 variant of a chain; see STAFF_RULE.
STAFF_GENERAL = {**STAFF, "natural_resources": 7, "housing_construction": 7, "archives": 2}
STAFF_LOWRISK = {**STAFF, "housing_construction": 5}

# The 2019 baselines stand for the state before the 2021 plan: Hainan's mid-2019 approval-time
# levels (HN.construction.targets.2019: 100 working days general, 80 small/medium projects). These are
# the 2019 reform's targets, the only Hainan figure reached, used as the pre-2021 level (assumption:
# the 2019 targets were met; no measured Hainan figure found). The per-step waits keep their assumed
# proportions; each baseline's one calibrated number scales them so the simulated working-day mean,
# queues and office hours included, reproduces the figure (tests/test_calibration.py).
GENERAL_SCALE = 0.84
# The developer's wage deposit before the permit: a rule cancels it (sim.model.legal: a payment is removed only by a rule).
WAGE_CANCELLED = dict(levers="+remove", levers_source="seed 二(二)2(3) (取消建设单位存储农民工工资保证金)")
LOWRISK_SCALE = 0.855


def _t(c: Chain, id: str, zh: str, en: str, agency: str, stage: str, wait: str, source: str, *, procedure: bool = True,
       documents: int = 2, online: bool = False, limit: str | None = None, commitment: bool = False, fee: float = 0,
       work: str = "triangular(1, 2, 4) h", kind: str | None = None, levers: str = "", levers_source: str = "") -> str:
    return c.task(id, zh, en, agency=agency, procedure=procedure, documents=documents, online=online, statutory_limit=limit,
                  work=work, wait=wait, stage=stage, commitment=commitment, fee=fee, source=source, kind=kind, levers=levers,
                  levers_source=levers_source)


def build_general_2019_baseline() -> Process:
    """Four stages, sequential approvals; about 100 working days (HN.construction.targets.2019)."""
    split_src = (f"wait: {HN19} general_social_investment_projects 100 working days, split across steps by assumption, "
                 f"scaled by {GENERAL_SCALE} so the chain's simulated mean reproduces it; documents, work: assumption")
    c = Chain("construction_general_2019_baseline", "一般社会投资项目审批（2019年基线）",
              "General social-investment project approval, 2019 baseline", {
                  **agency_defaults(STAFF_GENERAL), "arrivals.rate_per_workday": "3",
                  "source": f"{DEFAULTS_SRC}; whole time: {HN19} (100 working days); procedures: {DB18} has 28 for the DB warehouse "
                  "incl. inspections and utility connections not modelled here",
              })
    s = c.start("项目立项申请", "Start: project filing")
    st1, st2, st3, st4 = "立项用地规划许可", "工程建设许可", "施工许可", "竣工验收"
    filing = _t(c, "t_filing", "企业投资项目备案", "Investment project filing", "development_reform", st1,
                scaled_wait("triangular(2, 3, 5) workday", GENERAL_SCALE), split_src, documents=3, online=True, kind="filing")
    land = _t(c, "t_land_planning", "建设用地规划许可证", "Land-use planning permit", "natural_resources", st1,
              scaled_wait("triangular(7, 10, 14) workday", GENERAL_SCALE), split_src, documents=5, kind="permit")
    mineral = _t(c, "t_mineral", "压覆重要矿产资源评估（单个项目）", "Mineral-overlay assessment (per project)", "natural_resources", st1,
                 scaled_wait("triangular(5, 8, 12) workday", GENERAL_SCALE), f"{split_src}; per-project assessment later replaced by regional assessment (seed 二(二)2(1))", documents=3, kind="assessment")
    scheme = _t(c, "t_design_scheme", "设计方案审查", "Design scheme review", "natural_resources", st2,
                scaled_wait("triangular(10, 15, 20) workday", GENERAL_SCALE), split_src, documents=6, kind="permit")
    g2 = c.gateway("g_stage2", "parallel", "并行办理", "In parallel")
    eng = _t(c, "t_eng_planning", "建设工程规划许可证", "Construction-works planning permit", "natural_resources", st2,
             scaled_wait("triangular(7, 10, 14) workday", GENERAL_SCALE), split_src, documents=5, kind="permit")
    eia = _t(c, "t_eia", "环境影响评价审批", "Environmental impact approval", "ecology", st2,
             scaled_wait("triangular(10, 15, 20) workday", GENERAL_SCALE), split_src, documents=4, kind="permit")
    j2 = c.gateway("g_stage2_join", "parallel", "", "")
    drawing = _t(c, "t_drawing_review", "施工图审查（消防、人防分别审查）", "Construction drawing review (fire, civil defence separately)",
                 "housing_construction", st3, scaled_wait("triangular(10, 15, 20) workday", GENERAL_SCALE), split_src, documents=5, kind="permit")
    quality = _t(c, "t_quality_safety", "质量安全监督登记", "Quality and safety supervision registration", "housing_construction", st3,
                 scaled_wait("triangular(3, 5, 7) workday", GENERAL_SCALE), split_src, documents=4, kind="filing")
    wage = _t(c, "t_wage_deposit", "存储农民工工资保证金", "Migrant-wage deposit", "social_security", st3,
              scaled_wait("triangular(1, 2, 4) workday", GENERAL_SCALE), split_src, documents=2, kind="payment", **WAGE_CANCELLED)
    permit = _t(c, "t_construction_permit", "施工许可证", "Construction permit", "housing_construction", st3,
                scaled_wait("triangular(5, 7, 10) workday", GENERAL_SCALE), split_src, documents=6, kind="permit")
    accept = _t(c, "t_acceptance", "竣工验收（规划、消防、人防分别验收）", "Completion acceptance (planning, fire, civil defence separately)",
                "housing_construction", st4, scaled_wait("triangular(10, 15, 20) workday", GENERAL_SCALE), split_src, documents=6, kind="inspection")
    archive = _t(c, "t_archive_acceptance", "城建档案验收", "Construction-archive acceptance", "archives", st4,
                 scaled_wait("triangular(3, 5, 7) workday", GENERAL_SCALE), split_src, documents=3, kind="inspection")
    filing_done = _t(c, "t_completion_filing", "竣工验收备案", "Completion filing", "housing_construction", st4,
                     scaled_wait("triangular(3, 5, 7) workday", GENERAL_SCALE), split_src, documents=4, kind="filing")
    property_ = _t(c, "t_property_registration", "不动产首次登记", "First property registration", "natural_resources", "不动产登记",
                   scaled_wait("triangular(5, 7, 10) workday", GENERAL_SCALE), split_src, documents=4, kind="registration")
    e = c.end("取得不动产权证书", "Property certificate issued")
    c.seq(s, filing, land, mineral, scheme, g2)
    c.seq(g2, eng, j2)
    c.seq(g2, eia, j2)
    c.seq(j2, drawing, quality, wage, permit, accept, archive, filing_done, property_, e)
    return c.build()


def build_general_2021() -> Process:
    """General social investment, 2021: the 2019 baseline plus the measures of seed 二(二)2 (processes/measures/)."""
    return build_from_measures(build_general_2019_baseline(), load_measures(MEASURES / "construction_general_2021.yaml"))


def build_lowrisk_2019_baseline() -> Process:
    """Small social-investment industrial project before the reform: four stages (HN.construction.targets.2019)."""
    target = f"{HN19} small_medium_social_investment_with_land_sold_with_plan (80 working days; closest category to low-risk)"
    src = (f"wait: {target}, split by assumption, scaled by {LOWRISK_SCALE} so the chain's simulated mean reproduces it; "
           f"procedures: {DB18} (28 for the DB warehouse); documents, work: assumption")
    c = Chain("construction_lowrisk_2019_baseline", "低风险小型社会投资工业项目审批（2019年基线）",
              "Low-risk small industrial project approval, 2019 baseline", {
                  **agency_defaults(STAFF_LOWRISK), "arrivals.rate_per_workday": "2",
                  "source": f"{DEFAULTS_SRC}; whole time: {target}",
              })
    steps = [
        ("t_filing", "企业投资项目备案", "Investment project filing", "development_reform", "立项用地规划许可", "triangular(2, 3, 5) workday", 3, "filing"),
        ("t_land_planning", "建设用地规划许可证", "Land-use planning permit", "natural_resources", "立项用地规划许可", "triangular(5, 7, 10) workday", 5, "permit"),
        ("t_mineral", "压覆重要矿产资源评估（单个项目）", "Mineral-overlay assessment (per project)", "natural_resources", "立项用地规划许可", "triangular(4, 6, 8) workday", 3, "assessment"),
        ("t_eng_planning", "建设工程规划许可证", "Construction-works planning permit", "natural_resources", "工程建设许可", "triangular(7, 10, 14) workday", 5, "permit"),
        ("t_drawing_review", "施工图审查", "Construction drawing review", "housing_construction", "施工许可", "triangular(7, 10, 14) workday", 5, "permit"),
        ("t_quality_safety", "质量安全监督登记", "Quality and safety supervision registration", "housing_construction", "施工许可", "triangular(2, 4, 6) workday", 4, "filing"),
        ("t_wage_deposit", "存储农民工工资保证金", "Migrant-wage deposit", "social_security", "施工许可", "triangular(1, 2, 4) workday", 2, "payment"),
        ("t_construction_permit", "施工许可证", "Construction permit", "housing_construction", "施工许可", "triangular(4, 6, 8) workday", 6, "permit"),
        ("t_acceptance", "竣工验收（规划、消防、人防分别验收）", "Completion acceptance (separately)", "housing_construction", "竣工验收", "triangular(8, 12, 16) workday", 6, "inspection"),
        ("t_archive_acceptance", "城建档案验收", "Construction-archive acceptance", "archives", "竣工验收", "triangular(3, 5, 7) workday", 3, "inspection"),
        ("t_completion_filing", "竣工验收备案", "Completion filing", "housing_construction", "竣工验收", "triangular(3, 5, 7) workday", 4, "filing"),
        ("t_water_connection", "供排水接入", "Water and sewerage connection", "utilities", "竣工验收", "triangular(5, 8, 12) workday", 3, "works"),
        ("t_property_registration", "不动产首次登记", "First property registration", "natural_resources", "不动产登记", "triangular(5, 7, 10) workday", 4, "registration"),
    ]
    ids = [c.start("项目立项申请", "Start: project filing")]
    # What the rules allow on these steps (sim.model.legal); the 2021 measures (processes/measures/) use it.
    planning_list = dict(levers="+commitment", levers_source=(
        "seed 二(二)2(2) (低风险项目 清单制+告知承诺制; assumption: the planning permits are on the list, which the plan does not publish)"))
    own_rules = {
        # 小型社会投资工业类项目 archive acceptance by commitment (the 2021 plan's list applies to this project type)
        "t_archive_acceptance": dict(levers="+commitment", levers_source="seed 二(二)2(1) (小型社会投资工业类项目档案验收实行告知承诺制)"),
        "t_land_planning": planning_list, "t_eng_planning": planning_list, "t_wage_deposit": WAGE_CANCELLED,
    }
    for id, zh, en, agency, stage, wait, docs, kind in steps:
        ids.append(_t(c, id, zh, en, agency, stage, scaled_wait(wait, LOWRISK_SCALE), src, documents=docs, kind=kind,
                      **own_rules.get(id, {})))
    ids.append(c.end("取得不动产权证书", "Property certificate issued"))
    c.seq(*ids)
    return c.build()


def build_lowrisk_2021() -> Process:
    """Specific low-risk (small industrial) project, 2021: the 2019 baseline plus the measures of seed 二(二)2."""
    return build_from_measures(build_lowrisk_2019_baseline(), load_measures(MEASURES / "construction_lowrisk_2021.yaml"))


def build_all() -> dict[str, Process]:
    return {p.id: p for p in (build_general_2019_baseline(), build_general_2021(), build_lowrisk_2019_baseline(), build_lowrisk_2021())}


def main() -> None:
    for name, process in build_all().items():
        write_bpmn(process, PROCESSES / f"{name}.bpmn")


if __name__ == "__main__":
    main()
