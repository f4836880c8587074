"""Company deregistration 企业注销 (seed 二(十二)): three baselines, and the 2021 variants built from them by
the measures in processes/measures/<variant>.yaml (target T29 compares each variant with its baseline).

Baselines:
- ordinary (普通注销): liquidation group filed and published within 10 days, creditor notice
  45 days (timer), tax clearance, liquidation, deregistration; then social insurance and
  customs separately (HN.deregistration.haikou_2022, CN.rule.deregistration.2021).
- simple (简易注销) before the 2021 rule: public notice 45 days (CN.rule.deregistration.2021); an
  objection or a blocking condition sends the firm back to fix it and publish again (one retry, written out).
- bankruptcy, handled separately: tax clearance, the ordinary application, then the other agencies.

Variants (each file says what it changes and why it starts where it does):
- simple_2021: the simple baseline with the 20-day notice of the 2021 rule (a rule change, not a plan measure).
- merged_2021 (合并注销, 二(十二)2(1)) and precheck_2021 (注销预核, 二(十二)2(2)): built on simple_2021.
- declared_2021 (宣告注销, 二(十二)2(3)): the ordinary path of a dormant firm, the registrar acting instead.
- bankruptcy_2021 (破销联办, 二(十二)2(4)): the bankruptcy baseline, ruling-based application, pushes.

Example:
    >>> sorted(build())[:3]
    ['deregistration_bankruptcy_2021', 'deregistration_bankruptcy_baseline', 'deregistration_declared_2021']
"""

from __future__ import annotations

from svc_kit import STAFF_RULE, Builder, from_measures, write_all

from sim.model.process import Process

HK = "HN.deregistration.haikou_2022"
RULE = "CN.rule.deregistration.2021"
A_COUNTER = "assumption: counter effort and processing, no published Hainan figure"
DEFAULTS = {
    "attribute.has_customs_registration": "0.1",
    "arrivals.rate_per_workday": "30",
    "agency.market_regulation.staff": "5",
    "agency.tax.staff": "7",
    "agency.social_insurance.staff": "4",
    "agency.customs.staff": "1",
    "source": "assumption: 10% of firms hold a customs registration; illustrative volume; "
              f"agency.market_regulation.staff, agency.tax.staff, agency.social_insurance.staff: {STAFF_RULE}, "
              "sized on the ordinary (busiest) path; agency.customs.staff: assumption: illustrative",
}


def _after_licence(b: Builder, start: str) -> str:
    """Social insurance and customs deregistration: separate procedures after the licence (the measures of 合并注销 and
    破销联办 turn them into pushes, processes/measures/*.yaml)."""
    split = b.gateway("p_after", "parallel", "相关部门注销", "Deregistration at the other agencies")
    join = b.gateway("p_after_join", "parallel")
    how = f"separate application before 合并注销; statutory_limit, wait, work: {A_COUNTER}"
    social = b.task("t_social_dereg", "社保登记注销", "Social insurance deregistration", agency="social_insurance",
                    procedure=True, documents=2, limit="5 workday", wait="triangular(1, 2, 5) workday",
                    work="triangular(0.25, 0.5, 1) h", source=how, kind="registration")
    g = b.gateway("g_customs", "exclusive", "有海关登记？", "Registered with customs?")
    m = b.gateway("m_customs", "exclusive")
    customs = b.task("t_customs_dereg", "海关报关单位注销", "Customs registration cancellation", agency="customs",
                     procedure=True, documents=2, limit="5 workday", wait="triangular(1, 2, 5) workday",
                     work="triangular(0.25, 0.5, 1) h", source=how, kind="registration")
    b.chain(start, split)
    b.chain(split, social, join)
    b.chain(split, g)
    b.flow(g, customs, condition="has_customs_registration", name="是")
    b.flow(g, m, name="否", default=True)
    b.chain(customs, m, join)
    return join


def ordinary() -> Process:
    b = Builder("deregistration_ordinary_baseline", "普通注销", "Ordinary deregistration", DEFAULTS)
    group = b.task("t_liquidation_group", "清算组备案及公示", "File and publish the liquidation group",
                   agency="market_regulation", procedure=True, documents=3, online=True, limit="10 day",
                   wait="uniform(1, 10) day", work="triangular(0.1, 0.25, 0.5) h",
                   source=f"statutory_limit, wait: {HK} publish within 10 days; online: {HK} 海南e登记; documents, work: assumption", kind="filing")
    split = b.gateway("p_liquidation", "parallel", "公告与清税并行", "Notice and tax clearance in parallel")
    join = b.gateway("p_liquidation_join", "parallel")
    notice = b.timer("tm_creditor_notice", "债权人公告45天", "Creditor notice, 45 days", "45 day",
                     source=f"{HK} creditor_notice_days 45 (天, read as calendar days)")
    tax = b.task("t_tax_clearance", "清税", "Tax clearance", agency="tax", procedure=True, documents=3,
                 limit="20 workday", wait="triangular(1, 5, 20) workday", work="triangular(0.5, 1, 2) h",
                 source=f"statutory_limit, wait, work, documents: {A_COUNTER}", kind="permit")
    report = b.task("t_liquidation", "清算及清算报告", "Liquidation and report", agency="liquidation_group",
                    procedure=False, wait="triangular(5, 10, 30) day",
                    source="assumption: a small firm's liquidation after the notice; the firm's own work", kind="works")
    apply_ = b.task("t_dereg_apply", "申请注销登记", "Apply for deregistration", agency="market_regulation",
                    procedure=True, documents=5, online=True, limit="3 workday", wait="uniform(0.5, 3) workday",
                    work="triangular(0.25, 0.5, 1) h",
                    source=f"online: {HK}; window: {HK} apply within 30 days after liquidation; statutory_limit, wait, work, documents: {A_COUNTER}", kind="registration")
    b.chain("start", group, split)
    b.chain(split, notice, join)
    b.chain(split, tax, join)
    b.chain(join, report, apply_)
    end = _after_licence(b, start=apply_)
    b.chain(end, "end")
    return b.build()


def simple_baseline() -> Process:
    """Simple deregistration before the 2021 rule: a 45-day notice, one retry after a fix (the 2021 variants build on it)."""
    b = Builder("deregistration_simple_baseline", "简易注销（2021年8月前）", "Simple deregistration (before Aug 2021)", DEFAULTS)
    notice_source = f"{RULE} notice_days_before 45 (天, read as calendar days)"
    apply_notice = b.task("t_notice_apply", "简易注销公告申请（全体投资人承诺书）",
                          "Apply for the simple-deregistration notice (investors' commitment)",
                          agency="market_regulation", procedure=True, documents=1, online=True, limit="1 workday",
                          wait="uniform(0, 1) workday", work="triangular(0.1, 0.25, 0.5) h",
                          source=f"online: {HK} 海南e登记 (seed 二(十二)2(1) builds on this 一网服务, "
                                 f"it does not create it); documents, statutory_limit, wait, work: {A_COUNTER}",
                          kind="application")
    # The timers' names carry no day count: the 2021 rule changes the period, not the step (measures/*.yaml).
    notice = b.timer("tm_public_notice", "简易注销公告", "Public notice", "45 day", source=notice_source)
    b.attribute("is_rejected", 0.15, "assumption: no published rejection rate; objections and blocking conditions found "
                                     "after the notice")
    g = b.gateway("g_objection", "exclusive", "异议或被驳回？", "Objection or rejection?")
    m = b.gateway("m_objection", "exclusive")
    fix = b.task("t_fix", "整改", "Fix the blocking condition", agency="applicant",
                 procedure=False, wait="triangular(5, 10, 30) day",
                 source=f"{RULE}: retry allowed after fixing blocking conditions; wait: assumption", kind="works")
    # The retry is written out once instead of as a loop back: a case attribute stays true, so
    # a loop on it would never end; one retry is what the rule describes.
    reapply = b.task("t_notice_reapply", "重新申请简易注销公告", "Reapply for the notice", agency="market_regulation",
                     procedure=True, documents=1, online=True, limit="1 workday", wait="uniform(0, 1) workday",
                     work="triangular(0.1, 0.25, 0.5) h", source=f"{RULE} retry; statutory_limit, wait, work: {A_COUNTER}", kind="application")
    notice2 = b.timer("tm_public_notice_2", "再次公告", "Second public notice", "45 day", source=notice_source)
    tax = b.task("t_tax_clearance", "清税（未办理涉税事项的免办）", "Tax clearance (waived without tax dealings)",
                 agency="tax", procedure=True, documents=2, limit="5 workday",
                 wait="triangular(0.5, 2, 5) workday", work="triangular(0.25, 0.5, 1) h",
                 source=f"statutory_limit, wait, work, documents: {A_COUNTER}", kind="permit")
    dereg = b.task("t_simple_dereg", "申请简易注销登记", "Apply for simple deregistration", agency="market_regulation",
                   procedure=True, documents=1, online=True, limit="3 workday", wait="uniform(0, 1) workday",
                   work="triangular(0.1, 0.25, 0.5) h",
                   source=f"window: {RULE} apply within 20 days after the notice; statutory_limit, wait, work: {A_COUNTER}; "
                          "Chongqing reports 一日办结 (CN.rule.deregistration.2021 local_examples)", kind="registration")
    b.chain("start", apply_notice, notice, g)
    b.flow(g, fix, condition="is_rejected", name="驳回")
    b.flow(g, m, name="无异议", default=True)
    b.chain(fix, reapply, notice2, m, tax, dereg)
    end = _after_licence(b, start=dereg)
    b.chain(end, "end")
    return b.build()


def bankruptcy_baseline() -> Process:
    """Deregistration after bankruptcy handled separately: tax clearance, the ordinary application, then the others."""
    b = Builder("deregistration_bankruptcy_baseline", "破产企业注销（分别办理）", "Deregistration after bankruptcy (separate)",
                DEFAULTS)
    tax = b.task("t_tax_clearance", "清税", "Tax clearance", agency="tax", procedure=True, documents=3,
                 limit="20 workday", wait="triangular(1, 5, 20) workday", work="triangular(0.5, 1, 2) h",
                 source=f"statutory_limit, wait, work, documents: {A_COUNTER}", kind="permit")
    apply_ = b.task("t_dereg_apply", "申请注销登记（普通程序）", "Apply for deregistration (ordinary procedure)",
                    agency="market_regulation", procedure=True, documents=5, limit="3 workday",
                    wait="uniform(0.5, 3) workday", work="triangular(0.25, 0.5, 1) h",
                    source=f"statutory_limit, wait, work, documents: {A_COUNTER}", kind="registration")
    b.chain("start", tax, apply_)
    end = _after_licence(b, start=apply_)
    b.chain(end, "end")
    return b.build()


def build() -> dict[str, Process]:
    """The three baselines, then each 2021 variant as its baseline plus processes/measures/<variant>.yaml."""
    simple_2021 = from_measures(simple_baseline(), "deregistration_simple_2021")
    ordinary_ = ordinary()
    bankruptcy_ = bankruptcy_baseline()
    return {
        "deregistration_ordinary_baseline": ordinary_,
        "deregistration_simple_baseline": simple_baseline(),
        "deregistration_simple_2021": simple_2021,
        "deregistration_merged_2021": from_measures(simple_2021, "deregistration_merged_2021"),
        "deregistration_precheck_2021": from_measures(simple_2021, "deregistration_precheck_2021"),
        "deregistration_declared_2021": from_measures(ordinary_, "deregistration_declared_2021"),
        "deregistration_bankruptcy_baseline": bankruptcy_,
        "deregistration_bankruptcy_2021": from_measures(bankruptcy_, "deregistration_bankruptcy_2021"),
    }


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
