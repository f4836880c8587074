"""Company setup (开办企业): the 2018 baseline and the 2021 reformed chain (seed 二(一)).

Run ``python processes/_src/company_setup.py`` to regenerate
``processes/company_setup_2018_baseline.bpmn`` and ``processes/company_setup_2021.bpmn``.

Example:
    >>> p = build_2021()
    >>> len(p.procedures()), p.nodes["t_register"].facts.statutory_limit.mean
    (3, 0.5)
"""

from __future__ import annotations

try:
    from .common import PROCESSES, STAFF_RULE, Chain, agency_defaults
except ImportError:  # run as a script
    from common import PROCESSES, STAFF_RULE, Chain, agency_defaults  # type: ignore[no-redef]

from sim.bpmn.writer import write_bpmn  # noqa: E402
from sim.model.measures import build_from_measures, load_measures  # noqa: E402
from sim.model.process import Process  # noqa: E402

CAL = "CN.target.starting_a_business.2018.per_step_pre_reform_days"  # ids in sim/data/sources.yaml
DB18 = "DB2018.CHN.starting_a_business"
HOURS_SRC = f"agency.*.hours: assumption: usual Hainan government office hours; agency.*.staff: {STAFF_RULE}, sized on the 2018 baseline's load"
# One city's windows for this chain, the same in both variants (the plan does not change staffing).
STAFF = {"market_regulation": 12, "public_security": 5, "bank": 8, "tax": 19, "social_security": 5}
ARRIVALS_SRC = "arrivals.rate_per_workday: assumption: about 40 new companies a working day at one city's window (no published Hainan figure reached)"

# The 2018 baseline on the Doing-Business clock. DB2018 publishes the whole (7 procedures, 22.9
# calendar days, China = 0.55 Shanghai + 0.45 Beijing) but no per-procedure split is in our sources
# file, so the split follows the national pre-reform per-step averages (registration incl. name
# check 8, seal 4, tax registration and invoices 10, social insurance 1; sum 23). Those are
# working days in the State Council's text; DB counts calendar days, so they are used only as
# *shares* and every wait below is in calendar days. Reading them as working days was the old
# error (25 working days = 35 calendar days on the DB clock against 22.9 published).
PER_STEP = {"registration": 8, "seal": 4, "invoices": 10, "social_insurance_certificate": 1}  # CAL.<key>
BANK_DAYS = 1.5  # assumption: basic-account opening incl. the central bank's account licence (before 2019), range 1-3 calendar days
NAME_SHARE = 1  # assumption: about 1 of the 8 registration days is the online name check (range 0.5-2)
TAX_REG_SHARE = 2  # assumption: about 2 of the 10 tax days are tax registration, 8 the invoices and device (range 1-4)
# DB_SCALE is the one calibrated number: calendar days per national per-step day, chosen so the
# simulated DB-clock mean reproduces DB2018.CHN.starting_a_business.time_days (22.9) with the
# office-hour work and queues included; tests/test_calibration.py holds the chain to it.
DB_SCALE = 0.68


def _share_range(lo: float, hi: float, of: float = 0.0, why: str = "") -> str:
    """The range of a ``_days`` wait whose assumed share lies in ``lo``..``hi`` (``of``: the wait is ``of - share``)."""
    a, b = (DB_SCALE * lo, DB_SCALE * hi) if not of else (DB_SCALE * (of - hi), DB_SCALE * (of - lo))
    return f"{a:.3g}-{b:.3g} day | {why}"


def _days(share: float) -> str:
    """A calendar-day wait of mean ``DB_SCALE * share`` (spread ±40%, assumption), e.g. ``_days(4)``."""
    m = DB_SCALE * share
    return f"triangular({0.6 * m:.2f}, {m:.2f}, {1.4 * m:.2f}) day"


def build_2018_baseline() -> Process:
    """Seven sequential procedures (DB2018.CHN.starting_a_business: 7 procedures, 22.9 calendar days)."""
    why = (f"calendar days (the DB clock): share of {CAL} x DB_SCALE {DB_SCALE}, calibrated so the chain reproduces "
           f"{DB18}.time_days 22.9 (national, 0.55 Shanghai + 0.45 Beijing, no Hainan figure)")
    c = Chain(
        "company_setup_2018_baseline",
        "企业开办（2018年改革前基线）",
        "Company setup, 2018 pre-reform baseline",
        {
            **agency_defaults(STAFF),
            "arrivals.rate_per_workday": "40",
            "source": f"{HOURS_SRC}; {ARRIVALS_SRC}; procedures: {DB18}.procedures (7); step times: {why}",
        },
    )
    s = c.start("申请名称预先核准", "Start: apply for name pre-approval")
    name = c.task(
        "t_name_check", "企业名称预先核准", "Company name pre-approval", agency="market_regulation",
        procedure=True, documents=1, online=True, work="triangular(0.1, 0.25, 0.5) h", wait=_days(NAME_SHARE),
        stage="设立登记",
        source=f"procedure: {DB18}; wait: {why}, {CAL}.registration (8 incl. name check), "
        "assumption: about 1 of the 8 is the name check (range 0.5-2); work, documents: assumption: one online name form", kind="permit",
        ranges={"wait": _share_range(0.5, 2, why="the name check is 0.5-2 of the 8 national registration days, x DB_SCALE")},
    )
    reg = c.task(
        "t_register", "设立登记（窗口受理、审核、领取营业执照）", "Company registration and business licence",
        agency="market_regulation", procedure=True, documents=6, work="triangular(0.5, 1, 2) h",
        wait=_days(PER_STEP["registration"] - NAME_SHARE), stage="设立登记",
        source=f"wait: {why}, {CAL}.registration (8 incl. name check; 7 after it); procedure: {DB18}; "
        "documents, work: assumption: application, articles, shareholder and legal-representative identity, appointment papers, address proof", kind="registration",
    )
    seal = c.task(
        "t_seal", "刻制印章（公安备案的刻章企业）", "Seal carving (police-licensed seal maker)", agency="public_security",
        procedure=True, documents=2, fee=400, work="triangular(0.25, 0.5, 1) h", wait=_days(PER_STEP["seal"]),
        stage="印章刻制",
        source=f"wait: {why}, {CAL}.seal (4); procedure: {DB18}; fee: assumption: four seals "
        "at market price before free carving (seed 二(一)2(3) made it free); documents, work: assumption: licence copy and legal-representative ID", kind="service",
    )
    bank = c.task(
        "t_bank", "银行开立基本存款账户", "Open a basic bank account", agency="bank",
        procedure=True, documents=4, work="triangular(0.5, 1, 1.5) h",
        wait=f"triangular({0.6 * BANK_DAYS:.2f}, {BANK_DAYS:.2f}, {1.4 * BANK_DAYS:.2f}) day", stage="银行开户",
        source=f"procedure: {DB18} (7 procedures); wait: assumption: {BANK_DAYS} calendar days for the account and the central "
        "bank's account licence before 2019 (plausible range 1-3; no per-step figure in sim/data/sources.yaml), not scaled; "
        "work, documents: assumption", kind="service",
        ranges={"wait": "1-3 day | account and central-bank licence before 2019: plausible 1-3 calendar days (no per-step figure)"},
    )
    tax_reg = c.task(
        "t_tax_register", "税务登记信息确认、税种核定", "Tax registration and tax-type confirmation", agency="tax",
        procedure=True, documents=3, work="triangular(0.5, 1, 2) h", wait=_days(TAX_REG_SHARE), stage="涉税办理",
        source=f"wait: {why}, {CAL}.invoices (10 for the tax steps), assumption: 2 of them for registration (range 1-4); "
        "documents, work: assumption", kind="registration",
        ranges={"wait": _share_range(1, 4, why="tax registration is 1-4 of the 10 national tax days, x DB_SCALE")},
    )
    invoice = c.task(
        "t_invoice", "申领发票及税控设备", "Invoices and tax-control device", agency="tax",
        procedure=True, documents=2, fee=490, work="triangular(0.5, 1, 2) h",
        wait=_days(PER_STEP["invoices"] - TAX_REG_SHARE), stage="涉税办理",
        source=f"wait: {why}, {CAL}.invoices (10, 8 after tax registration); procedure: {DB18}; "
        "fee: assumption: commonly quoted price of a tax-control device before the free UKEY (seed 二(一)2(3)); documents, work: assumption", kind="permit",
    )
    social = c.task(
        "t_social", "社会保险登记", "Social-insurance registration", agency="social_security",
        procedure=True, documents=2, work="triangular(0.25, 0.5, 1) h", wait=_days(PER_STEP["social_insurance_certificate"]),
        stage="社保登记",
        source=f"wait: {why}, {CAL}.social_insurance_certificate (1); procedure: {DB18}; documents, work: assumption", kind="registration",
    )
    e = c.end("企业开办完成", "Company ready to operate")
    c.seq(s, name, reg, seal, bank, tax_reg, invoice, social, e)
    return c.build()


def build_2021() -> Process:
    """The baseline plus the measures of seed 二(一) in processes/measures/company_setup_2021.yaml (sim.model.measures)."""
    return build_from_measures(build_2018_baseline(), load_measures(PROCESSES / "measures" / "company_setup_2021.yaml"))


def main() -> None:
    write_bpmn(build_2018_baseline(), PROCESSES / "company_setup_2018_baseline.bpmn")
    write_bpmn(build_2021(), PROCESSES / "company_setup_2021.bpmn")


if __name__ == "__main__":
    main()
