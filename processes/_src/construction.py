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
    from .common import PLUS_MINUS_HALF, PROCESSES, STAFF_RULE, Chain, RangeRules, agency_defaults, scaled_wait
except ImportError:  # run as a script
    from common import PLUS_MINUS_HALF, PROCESSES, STAFF_RULE, Chain, RangeRules, agency_defaults, scaled_wait  # type: ignore[no-redef]

from sim.bpmn.writer import write_bpmn  # noqa: E402
from sim.model.process import Process  # noqa: E402

# The 2021 chains' sources give their assumed waits a plausible range of ±50% (wsrc below); work keeps FACTOR_TWO.
WAITS_HALF = RangeRules(wait=PLUS_MINUS_HALF)

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
              scaled_wait("triangular(1, 2, 4) workday", GENERAL_SCALE), split_src, documents=2, kind="payment")
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
    """General social investment, 2021: one window per stage, parallel approvals, regional assessment, joint acceptance (T06 <= 70 天)."""
    wsrc = ("wait: assumption: each approval's elapsed time under one window per stage and parallel approval (seed 二(二)1), "
            "no published per-step figure for Hainan; plausible range ±50% of the value; documents, work: assumption")
    c = Chain("construction_general_2021", "一般社会投资项目审批（2021年）", "General social-investment project approval, 2021", {
        **agency_defaults(STAFF_GENERAL), "arrivals.rate_per_workday": "3",
        "source": DEFAULTS_SRC,
    }, rules=WAITS_HALF)
    st1, st2, st3, st4 = "立项用地规划许可", "工程建设许可", "施工许可", "竣工验收"
    s = c.start("项目立项申请（工程建设项目审批平台）", "Start: project filing on the approval platform")
    filing = _t(c, "t_filing", "企业投资项目备案（网上）", "Investment project filing (online)", "development_reform", st1,
                "uniform(0.5, 1) workday", wsrc, documents=2, online=True, kind="filing")
    land = _t(c, "t_land_planning", "建设用地规划许可证（区域评估已覆盖压覆矿产）", "Land-use planning permit (regional mineral assessment applies)",
              "natural_resources", st1, "triangular(3, 5, 7) workday",
              f"{wsrc}; per-project mineral assessment removed: seed 二(二)2(1) (压覆重要矿产资源区域评估拓展至全省)", documents=3, online=True, kind="permit")
    eng = _t(c, "t_eng_planning", "设计方案审查与建设工程规划许可（合并办理）", "Design scheme and construction-works planning permit (merged)",
             "natural_resources", st2, "triangular(7, 10, 13) workday", f"{wsrc}; electronic certificate: seed 二(二)2(4)", documents=4, online=True, kind="permit")
    g3 = c.gateway("g_stage3", "parallel", "并联审批", "Parallel approval")
    drawing = _t(c, "t_drawing_review", "施工图联合审查（多审合一）", "Joint construction-drawing review", "housing_construction", st3,
                 "triangular(5, 8, 10) workday", wsrc, documents=3, online=True, kind="permit")
    eia = _t(c, "t_eia", "环境影响评价审批", "Environmental impact approval", "ecology", st3,
             "triangular(5, 8, 12) workday", wsrc, documents=3, online=True, kind="permit")
    j3 = c.gateway("g_stage3_join", "parallel", "", "")
    permit = _t(c, "t_construction_permit", "施工许可证（质量安全监督合并办理）", "Construction permit (quality and safety registration merged)",
                "housing_construction", st3, "triangular(2, 3, 5) workday",
                f"{wsrc}; wage deposit no longer tied to the permit: seed 二(二)2(3)", documents=4, online=True, kind="permit")
    accept = _t(c, "t_joint_acceptance", "联合验收（规划、消防、人防、档案）", "Joint completion acceptance (planning, fire, civil defence, archives)",
                "housing_construction", st4, "triangular(7, 10, 12) workday", wsrc, documents=4, kind="inspection")
    property_ = _t(c, "t_property_registration", "不动产首次登记", "First property registration", "natural_resources", "不动产登记",
                   "triangular(3, 4, 5) workday", "wait: CN.target.registering_property.2019 (within 5 working days); documents, work: assumption",
                   documents=3, online=True, kind="registration")
    e = c.end("取得不动产权证书", "Property certificate issued")
    c.seq(s, filing, land, eng, g3)
    c.seq(g3, drawing, j3)
    c.seq(g3, eia, j3)
    c.seq(j3, permit, accept, property_, e)
    return c.build()


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
    # 小型社会投资工业类项目 archive acceptance by commitment (the 2021 plan's list applies to this project type)
    archive_commitment = dict(levers="+commitment", levers_source="seed 二(二)2(1) (小型社会投资工业类项目档案验收实行告知承诺制)")
    for id, zh, en, agency, stage, wait, docs, kind in steps:
        ids.append(_t(c, id, zh, en, agency, stage, scaled_wait(wait, LOWRISK_SCALE), src, documents=docs, kind=kind,
                      **(archive_commitment if id == "t_archive_acceptance" else {})))
    ids.append(c.end("取得不动产权证书", "Property certificate issued"))
    c.seq(*ids)
    return c.build()


def build_lowrisk_2021() -> Process:
    """Specific low-risk / small industrial project, 2021: two stages, <= 18 procedures, <= 30 working days (T07-T09)."""
    wsrc = ("wait: assumption: each approval's elapsed time under the low-risk measures (seed 二(二)2: 并联审批, 告知承诺), "
            "no published per-step figure for Hainan; plausible range ±50% of the value; documents, work: assumption")
    st1, st2 = "施工许可", "竣工验收"
    c = Chain("construction_lowrisk_2021", "特定低风险（小型社会投资工业类）项目审批（2021年）",
              "Specific low-risk (small industrial) project approval, 2021", {
                  **agency_defaults(STAFF_LOWRISK), "arrivals.rate_per_workday": "2",
                  "attribute.contract_below_3m": "0.6", "attribute.needs_external_works": "0.5",
                  "source": f"{DEFAULTS_SRC}; "
                  "attribute.contract_below_3m: assumption: most small industrial projects are under 3M yuan of works; "
                  "attribute.needs_external_works: assumption: half need new water/power lines",
              }, rules=WAITS_HALF)
    s = c.start("项目备案与施工许可申请（一次申请）", "Start: one application for filing and construction permit")
    filing = _t(c, "t_filing", "企业投资项目备案（网上）", "Investment project filing (online)", "development_reform", st1,
                "uniform(0.2, 0.5) workday", wsrc, documents=1, online=True, kind="filing")
    planning = _t(c, "t_planning_permit", "用地规划与工程规划许可（合并，告知承诺）", "Land-use and works planning permits (merged, commitment)",
                  "natural_resources", st1, "triangular(1, 2, 3) workday",
                  f"{wsrc}; stages merged into 施工许可: seed 二(二)2(1); 清单制+告知承诺制: seed 二(二)2(2); mineral assessment regional (no step): seed 二(二)2(1)",
                  documents=2, online=True, commitment=True, kind="permit", levers="+commitment", levers_source="seed 二(二)2(2) (低风险项目 清单制+告知承诺制: the merged planning permits are on the list)")
    drawing = _t(c, "t_drawing_review", "施工图审查（简化，网上）", "Construction drawing review (simplified, online)", "housing_construction", st1,
                 "triangular(2, 3, 5) workday", wsrc, documents=2, online=True, kind="permit")
    g_wage = c.gateway("g_wage", "exclusive", "合同造价是否低于300万元", "Contract below 3M yuan?", default="f_g_wage__t_wage_guarantee")
    wage_commit = _t(c, "t_wage_commitment", "工资保证金承诺（免存储）", "Wage-deposit commitment (no deposit)", "social_security", st1,
                     "uniform(0, 0.2) workday", "seed 二(二)2(3) (合同造价300万元以下实行承诺制); wait: assumption", documents=1,
                     online=True, commitment=True, work="triangular(0.1, 0.25, 0.5) h", kind="payment", levers="+commitment", levers_source="seed 二(二)2(3) (合同造价300万元以下的小微工程，工资保证金实行承诺制)")
    wage_guar = _t(c, "t_wage_guarantee", "工资保证金（银行保函或保险替代）", "Wage deposit (bank guarantee or insurance)", "social_security", st1,
                   "triangular(0.5, 1, 2) workday", "seed 二(二)2(3) (保函、保证保险代替保证金; rates by contract value); wait: assumption",
                   documents=1, online=True, kind="payment")
    j_wage = c.gateway("g_wage_join", "exclusive", "", "")
    permit = _t(c, "t_construction_permit", "施工许可证（电子证照）", "Construction permit (electronic)", "housing_construction", st1,
                "triangular(1, 2, 3) workday", f"{wsrc}; electronic certificate: seed 二(二)2(4)", documents=1, online=True, kind="permit")
    accept = _t(c, "t_joint_acceptance", "联合验收（规划、消防、质量一次验收）", "Joint completion acceptance", "housing_construction", st2,
                "triangular(3, 5, 7) workday", wsrc, documents=3, kind="inspection")
    archive = _t(c, "t_archive_commitment", "档案验收告知承诺", "Archive acceptance by commitment", "archives", st2,
                 "uniform(0, 0.2) workday", "seed 二(二)2(1) (小型社会投资工业类项目档案验收实行告知承诺制); wait: assumption",
                 documents=1, online=True, commitment=True, work="triangular(0.1, 0.25, 0.5) h", kind="inspection", levers="+commitment +online", levers_source="seed 二(二)2(1) (小型社会投资工业类项目档案验收实行告知承诺制; 竣工电子档案改革: the commitment is filed online)")
    g_ext = c.gateway("g_external", "exclusive", "是否涉及外线工程", "External utility works?", default="f_g_external__t_connect_direct")
    external = _t(c, "t_external_connection", "水电外线接入（外线工程行政零审批）", "Water and power external connection (zero administrative approval)",
                  "utilities", st2, "triangular(3, 5, 7) workday",
                  f"zero approval for external power works of simple low-risk projects: seed 二(三)2(2); {wsrc}", documents=1, kind="works")
    direct = _t(c, "t_connect_direct", "水电接入（无外线工程）", "Water and power connection (no external works)", "utilities", st2,
                "triangular(1, 2, 3) workday", wsrc, documents=1, kind="service")
    j_ext = c.gateway("g_external_join", "exclusive", "", "")
    property_ = _t(c, "t_property_registration", "不动产首次登记（验收后即办）", "First property registration", "natural_resources", st2,
                   "triangular(1, 2, 3) workday", f"CN.target.registering_property.2019 (within 5 working days); {wsrc}",
                   documents=2, online=True, kind="registration")
    e = c.end("取得不动产权证书", "Property certificate issued")
    c.seq(s, filing, planning, drawing, g_wage)
    c.flow(g_wage, wage_commit, condition="contract_below_3m")
    c.flow(g_wage, wage_guar)
    c.seq(wage_commit, j_wage)
    c.seq(wage_guar, j_wage)
    c.seq(j_wage, permit, accept, archive, g_ext)
    c.flow(g_ext, external, condition="needs_external_works")
    c.flow(g_ext, direct)
    c.seq(external, j_ext)
    c.seq(direct, j_ext)
    c.seq(j_ext, property_, e)
    return c.build()


def build_all() -> dict[str, Process]:
    return {p.id: p for p in (build_general_2019_baseline(), build_general_2021(), build_lowrisk_2019_baseline(), build_lowrisk_2021())}


def main() -> None:
    for name, process in build_all().items():
        write_bpmn(process, PROCESSES / f"{name}.bpmn")


if __name__ == "__main__":
    main()
