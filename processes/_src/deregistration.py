"""Company deregistration 企业注销 (seed 二(十二)): the ordinary path, simple deregistration
before and after the 2021 rule, and the plan's four mechanisms as variants (target T29).

- ordinary (普通注销): liquidation group filed and published within 10 days, creditor notice
  45 days (timer), tax clearance, liquidation, deregistration; then social insurance and
  customs separately (HN.deregistration.haikou_2022, CN.rule.deregistration.2021).
- simple (简易注销): public notice 45 days before the 2021 rule, 20 days after
  (CN.rule.deregistration.2021); an objection or a blocking condition sends the firm back to
  fix it and publish again (one retry, written out).
- merged (合并注销, seed 二(十二)2(1)): the simple path where social insurance, customs and seal
  deregistration ride on the licence deregistration (internal pushes, not procedures).
- pre-check (注销预核, seed 二(十二)2(2)): the simple path with an automatic data check on
  submission, so fewer rejections after the notice.
- declared (宣告注销, seed 二(十二)2(3)): the registrar clears a dormant firm ex officio.
- bankruptcy joint handling (破销联办, seed 二(十二)2(4)): the administrator files the court's
  termination ruling; the registrar handles it under the simple procedure and pushes the
  result to tax, social insurance and customs.

Example:
    >>> sorted(build())[:3]
    ['deregistration_bankruptcy_2021', 'deregistration_bankruptcy_baseline', 'deregistration_declared_2021']
"""

from __future__ import annotations

from svc_kit import STAFF_RULE, Builder, write_all

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


def _after_licence(b: Builder, merged: bool, start: str) -> str:
    """Social insurance and customs deregistration: separate procedures, or pushed internally when merged."""
    split = b.gateway("p_after", "parallel", "相关部门注销", "Deregistration at the other agencies")
    join = b.gateway("p_after_join", "parallel")
    how = ("internal push of the licence deregistration: seed 二(十二)2(1) 合并注销; wait: assumption" if merged
           else f"separate application before 合并注销; limit, wait, work: {A_COUNTER}")
    social = b.task("t_social_dereg", "社保登记注销" + ("（同步推送）" if merged else ""),
                    "Social insurance deregistration" + (" (pushed)" if merged else ""), agency="social_insurance",
                    procedure=not merged, documents=0 if merged else 2, limit=None if merged else "5 workday",
                    wait="uniform(0, 1) workday" if merged else "triangular(1, 2, 5) workday",
                    work=None if merged else "triangular(0.25, 0.5, 1) h", source=how, kind="registration")
    g = b.gateway("g_customs", "exclusive", "有海关登记？", "Registered with customs?")
    m = b.gateway("m_customs", "exclusive")
    customs = b.task("t_customs_dereg", "海关报关单位注销" + ("（同步推送）" if merged else ""),
                     "Customs registration cancellation" + (" (pushed)" if merged else ""), agency="customs",
                     procedure=not merged, documents=0 if merged else 2, limit=None if merged else "5 workday",
                     wait="uniform(0, 1) workday" if merged else "triangular(1, 2, 5) workday",
                     work=None if merged else "triangular(0.25, 0.5, 1) h", source=how, kind="registration")
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
                   source=f"limit, wait: {HK} publish within 10 days; online: {HK} 海南e登记; documents, work: assumption", kind="filing")
    split = b.gateway("p_liquidation", "parallel", "公告与清税并行", "Notice and tax clearance in parallel")
    join = b.gateway("p_liquidation_join", "parallel")
    notice = b.timer("tm_creditor_notice", "债权人公告45天", "Creditor notice, 45 days", "45 day",
                     source=f"{HK} creditor_notice_days 45 (天, read as calendar days)")
    tax = b.task("t_tax_clearance", "清税", "Tax clearance", agency="tax", procedure=True, documents=3,
                 limit="20 workday", wait="triangular(1, 5, 20) workday", work="triangular(0.5, 1, 2) h",
                 source=f"limit, wait, work, documents: {A_COUNTER}", kind="permit")
    report = b.task("t_liquidation", "清算及清算报告", "Liquidation and report", agency="liquidation_group",
                    procedure=False, wait="triangular(5, 10, 30) day",
                    source="assumption: a small firm's liquidation after the notice; the firm's own work", kind="works")
    apply_ = b.task("t_dereg_apply", "申请注销登记", "Apply for deregistration", agency="market_regulation",
                    procedure=True, documents=5, online=True, limit="3 workday", wait="uniform(0.5, 3) workday",
                    work="triangular(0.25, 0.5, 1) h",
                    source=f"online: {HK}; window: {HK} apply within 30 days after liquidation; limit, wait, work, documents: {A_COUNTER}", kind="registration")
    b.chain("start", group, split)
    b.chain(split, notice, join)
    b.chain(split, tax, join)
    b.chain(join, report, apply_)
    end = _after_licence(b, merged=False, start=apply_)
    b.chain(end, "end")
    return b.build()


def simple(pid: str, name: str, name_en: str, notice_days: int, notice_source: str, *, merged: bool = False,
           precheck: bool = False) -> Process:
    b = Builder(pid, name, name_en, DEFAULTS)
    apply_notice = b.task("t_notice_apply", "简易注销公告申请（全体投资人承诺书）",
                          "Apply for the simple-deregistration notice (investors' commitment)",
                          agency="market_regulation", procedure=True, documents=1, online=True, limit="1 workday",
                          wait="uniform(0, 1) workday", work="triangular(0.1, 0.25, 0.5) h",
                          source=f"online 一网服务: seed 二(十二)2(1); documents, limit, wait, work: {A_COUNTER}", kind="application")
    steps = [apply_notice]
    if precheck:
        steps.append(b.task("t_precheck", "注销预核（市场监管与税务数据比对）", "Pre-check against tax data",
                            agency="market_regulation", procedure=False, wait="uniform(0, 0.5) workday",
                            source="seed 二(十二)2(2) 提交申请后即完成注销预核; wait: assumption", kind="internal"))
    notice = b.timer("tm_public_notice", f"简易注销公告{notice_days}天", f"Public notice, {notice_days} days",
                     f"{notice_days} day", source=notice_source)
    rejected_share = 0.05 if precheck else 0.15
    b.attribute("is_rejected", rejected_share,
                "assumption: no published rejection rate; "
                + ("the pre-check (seed 二(十二)2(2)) is meant to cut rejections" if precheck
                   else "objections and blocking conditions found after the notice"))
    g = b.gateway("g_objection", "exclusive", "异议或被驳回？", "Objection or rejection?")
    m = b.gateway("m_objection", "exclusive")
    fix = b.task("t_fix", "整改", "Fix the blocking condition", agency="applicant",
                 procedure=False, wait="triangular(5, 10, 30) day",
                 source=f"{RULE}: retry allowed after fixing blocking conditions; wait: assumption", kind="works")
    # The retry is written out once instead of as a loop back: a case attribute stays true, so
    # a loop on it would never end; one retry is what the rule describes.
    reapply = b.task("t_notice_reapply", "重新申请简易注销公告", "Reapply for the notice", agency="market_regulation",
                     procedure=True, documents=1, online=True, limit="1 workday", wait="uniform(0, 1) workday",
                     work="triangular(0.1, 0.25, 0.5) h", source=f"{RULE} retry; limit, wait, work: {A_COUNTER}", kind="application")
    notice2 = b.timer("tm_public_notice_2", f"再次公告{notice_days}天", f"Second public notice, {notice_days} days",
                      f"{notice_days} day", source=notice_source)
    tax = b.task("t_tax_clearance", "清税（未办理涉税事项的免办）", "Tax clearance (waived without tax dealings)",
                 agency="tax", procedure=not merged, documents=0 if merged else 2, limit="5 workday",
                 wait="triangular(0.5, 2, 5) workday", work="triangular(0.25, 0.5, 1) h",
                 source=("merged: tax status pushed, seed 二(十二)2(1); " if merged else "")
                 + f"limit, wait, work, documents: {A_COUNTER}", kind="permit")
    dereg = b.task("t_simple_dereg", "申请简易注销登记", "Apply for simple deregistration", agency="market_regulation",
                   procedure=True, documents=1, online=True, limit="3 workday", wait="uniform(0, 1) workday",
                   work="triangular(0.1, 0.25, 0.5) h",
                   source=f"window: {RULE} apply within 20 days after the notice; limit, wait, work: {A_COUNTER}; "
                          "Chongqing reports 一日办结 (CN.rule.deregistration.2021 local_examples)", kind="registration")
    b.chain("start", *steps, notice, g)
    b.flow(g, fix, condition="is_rejected", name="驳回")
    b.flow(g, m, name="无异议", default=True)
    b.chain(fix, reapply, notice2, m, tax, dereg)
    end = _after_licence(b, merged=merged, start=dereg)
    b.chain(end, "end")
    return b.build()


def declared() -> Process:
    b = Builder("deregistration_declared_2021", "宣告注销（睡眠、僵尸企业）", "Declared deregistration (dormant firms)",
                DEFAULTS)
    identify = b.task("t_identify", "认定适用宣告注销", "Registrar finds the firm eligible", agency="market_regulation",
                      procedure=False, wait="triangular(1, 5, 10) workday", work="triangular(0.25, 0.5, 1) h",
                      source="seed 二(十二)2(3) 明晰宣告注销的适用条件; wait, work: assumption", kind="internal")
    notice = b.timer("tm_notice", "宣告注销公告", "Public notice before the declaration", "45 day",
                     source="assumption: the plan sets no period; taken as the ordinary 45-day creditor notice "
                            f"({HK}) since creditors' rights must be kept (seed 二(十二)1)",
                     wait_range="20-45 day | the plan sets no period: from the 20-day simple-deregistration notice "
                                "to the ordinary 45-day creditor notice")
    b.attribute("has_objection", 0.1, "assumption: no published objection rate")
    g = b.gateway("g_objection", "exclusive", "异议？", "Objection?")
    m = b.gateway("m_objection", "exclusive")
    remedy = b.task("t_remedy", "异议审查（救济机制）", "Objection review (remedy)", agency="market_regulation",
                    procedure=False, limit="10 workday", wait="triangular(2, 5, 10) workday",
                    source="seed 二(十二)2(3) 健全宣告注销制度的救济机制; limit, wait: assumption", kind="internal")
    declare = b.task("t_declare", "宣告注销并推送相关部门", "Declare deregistered and notify agencies",
                     agency="market_regulation", procedure=False, wait="uniform(0, 1) workday",
                     source="seed 二(十二)2(3); wait: assumption", kind="registration")
    b.chain("start", identify, notice, g)
    b.flow(g, remedy, condition="has_objection", name="有异议")
    b.flow(g, m, name="无异议", default=True)
    b.chain(remedy, m, declare, "end")
    return b.build()


def bankruptcy(joint: bool) -> Process:
    pid = "deregistration_bankruptcy_2021" if joint else "deregistration_bankruptcy_baseline"
    b = Builder(pid, "破产企业注销" + ("（破销联办）" if joint else "（分别办理）"),
                "Deregistration after bankruptcy" + (" (joint handling)" if joint else " (separate)"), DEFAULTS)
    if joint:
        apply_ = b.task("t_admin_apply", "管理人持终结破产程序裁定书申请注销", "Administrator files the termination ruling",
                        agency="market_regulation", procedure=True, documents=2, online=True, limit="1 workday",
                        wait="uniform(0, 1) workday", work="triangular(0.1, 0.25, 0.5) h",
                        source="seed 二(十二)2(4) 按照简易注销程序办理 (no further notice: creditors were notified in the "
                               "bankruptcy); documents: ruling + application; limit, wait, work: assumption", kind="application")
        b.chain("start", apply_)
        end = _after_licence(b, merged=True, start=apply_)
        b.chain(end, "end")
        return b.build()
    tax = b.task("t_tax_clearance", "清税", "Tax clearance", agency="tax", procedure=True, documents=3,
                 limit="20 workday", wait="triangular(1, 5, 20) workday", work="triangular(0.5, 1, 2) h",
                 source=f"limit, wait, work, documents: {A_COUNTER}", kind="permit")
    apply_ = b.task("t_dereg_apply", "申请注销登记（普通程序）", "Apply for deregistration (ordinary procedure)",
                    agency="market_regulation", procedure=True, documents=5, limit="3 workday",
                    wait="uniform(0.5, 3) workday", work="triangular(0.25, 0.5, 1) h",
                    source=f"limit, wait, work, documents: {A_COUNTER}", kind="registration")
    b.chain("start", tax, apply_)
    end = _after_licence(b, merged=False, start=apply_)
    b.chain(end, "end")
    return b.build()


def build() -> dict[str, Process]:
    before = f"{RULE} notice_days_before 45 (天, read as calendar days)"
    after = f"{RULE} notice_days_after 20 (天, read as calendar days)"
    return {
        "deregistration_ordinary_baseline": ordinary(),
        "deregistration_simple_baseline": simple("deregistration_simple_baseline", "简易注销（2021年8月前）",
                                                 "Simple deregistration (before Aug 2021)", 45, before),
        "deregistration_simple_2021": simple("deregistration_simple_2021", "简易注销（公告20天）",
                                             "Simple deregistration (20-day notice)", 20, after),
        "deregistration_merged_2021": simple("deregistration_merged_2021", "简易注销＋合并注销",
                                             "Simple deregistration, merged", 20, after, merged=True),
        "deregistration_precheck_2021": simple("deregistration_precheck_2021", "简易注销＋注销预核",
                                               "Simple deregistration with pre-check", 20, after, precheck=True),
        "deregistration_declared_2021": declared(),
        "deregistration_bankruptcy_baseline": bankruptcy(joint=False),
        "deregistration_bankruptcy_2021": bankruptcy(joint=True),
    }


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
