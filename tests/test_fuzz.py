"""The front door holds: random BPMN files and random scenario YAML either run, with every case
finished, or are refused with a located ReformSimError — never another exception, never a hang.

Each example runs in a worker process with a wall-clock bound (``BOUND_S``); a worker that
does not answer in time is killed and the example fails as a hang. Hypothesis runs
derandomised (the same examples every run) with no deadline, so CI repeats the same inputs.
Failures found here are kept as minimal files under ``tests/data/regressions/`` (see
``test_regressions`` below and ``tests/data/regressions/expected.yaml``).

Run: ``PYTHONPATH=$PWD .venv/bin/python -m pytest -q tests/test_fuzz.py``
"""

from __future__ import annotations

import multiprocessing as mp
import re
import traceback
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
REGRESSIONS = Path(__file__).parent / "data" / "regressions"
MINI = ROOT / "tests" / "data" / "engine" / "mini.bpmn"
BOUND_S = 10.0  # assumption: a 5-case run of a small model takes well under a second; 10 s is a hang
CASES = 5
FUZZ = settings(derandomize=True, deadline=None, max_examples=25, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------- the bounded worker

def _run(kind: str, path: str) -> dict[str, Any]:
    """Load and simulate one file; the outcome as plain data (runs in the worker process)."""
    import sim

    try:
        if kind == "bpmn":
            process = sim.load_process(path)
            result = sim.simulate(process, cases=CASES, replications=1, seed=1)
            scenario = None
        else:
            scenario = sim.load_scenario(path)
            result = sim.simulate(MINI, scenario, cases=CASES, replications=1, seed=1)
        rep = result.replications[0]
        return {"outcome": "runs", "finished": rep.cases + rep.warmup_cases, "kpi_n": result.kpi("workdays").count,
                "warmup": rep.warmup_cases,
                "horizon": None if scenario is None else scenario.horizon_workdays}
    except sim.ReformSimError as err:
        return {"outcome": "refused", "type": type(err).__name__, "message": str(err)}
    except BaseException as err:  # noqa: BLE001 - exactly what the front door must not let out
        return {"outcome": "crash", "type": type(err).__name__, "message": str(err)[:500],
                "traceback": traceback.format_exc()[-3000:]}


def _serve(conn: Any) -> None:
    while True:
        job = conn.recv()
        if job is None:
            return
        conn.send(_run(*job))


class BoundedWorker:
    """One long-lived worker process (imports paid once), restarted after a hang."""

    def __init__(self) -> None:
        self._ctx = mp.get_context("fork")
        self._start()

    def _start(self) -> None:
        self._conn, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_serve, args=(child,), daemon=True)
        self._proc.start()

    def run(self, kind: str, path: Path) -> dict[str, Any]:
        self._conn.send((kind, str(path)))
        if self._conn.poll(BOUND_S):
            try:
                return self._conn.recv()
            except EOFError:
                pass
            self._proc.join(1)
            code = self._proc.exitcode
            self._start()
            return {"outcome": "crash", "type": "worker died", "message": f"exit code {code}"}
        self._proc.kill()
        self._proc.join()
        self._start()
        return {"outcome": "hang", "type": "hang", "message": f"no answer within {BOUND_S:g} s"}

    def close(self) -> None:
        self._conn.send(None)
        self._proc.join(5)


@pytest.fixture(scope="module")
def worker():
    w = BoundedWorker()
    yield w
    w.close()


# an element id, a line, a YAML path, or (for a file that is not a mapping at all) the file itself
_LOCATED = re.compile(r'id="[^"]+"|:\d+:|line \d+|: [\w.\[\]\-]+: |attributes\.\w+|"[\w.-]+"|expected a mapping of scenario settings')


def check_outcome(out: dict[str, Any], path: Path) -> None:
    """The front-door contract for one example."""
    text = path.read_text(encoding="utf-8", errors="replace")
    assert out["outcome"] in ("runs", "refused"), f"{out['type']}: {out['message']}\n{out.get('traceback', '')}\n--- input ---\n{text}"
    if out["outcome"] == "refused":
        message = out["message"]
        assert path.name in message, f"the message does not name the file: {message}\n--- input ---\n{text}"
        assert _LOCATED.search(message), f"the message names no element or path: {message}\n--- input ---\n{text}"
        assert "<Element" not in message and " at 0x" not in message and "Traceback" not in message, message
        return
    # it ran: no silent truncation — every case that arrived finished and is counted
    if out.get("horizon") is None:
        assert out["finished"] == CASES, f"{out['finished']} of {CASES} cases finished\n--- input ---\n{text}"
    assert out["kpi_n"] == out["finished"] - out["warmup"], out


# ---------------------------------------------------------------- BPMN strategy

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')

GOOD_FACTS = {
    "agency": st.sampled_from(["registrar", "tax", "police"]),
    "procedure": st.sampled_from(["true", "false"]),
    "documents": st.sampled_from(["0", "1", "3"]),
    "fee": st.sampled_from(["0", "100", "2.5"]),
    "online": st.sampled_from(["true", "false"]),
    "work": st.sampled_from(["1 h", "triangular(0.5, 1, 2) h", "exponential(0.5) h", "uniform(0.1, 0.4) workday"]),
    "wait": st.sampled_from(["0.5 workday", "2 day", "lognormal(1, 0.5) h", "gamma(2, 1) h"]),
    "statutory_limit": st.sampled_from(["1 workday", "20 day"]),
}
BAD_VALUES = st.sampled_from([
    "nan", "inf", "-1", "1e308", "-inf", "NaN h", "inf h", "1e308 h", "1e308 workday", "-2 day", "triangular(3, 2, 1) h",
    "exponential(0) h", "abc", "", "__import__('os')", "yes", "1e-320 h", "normal(nan, 1) h", "uniform(0, inf) h",
    "99999999999999999999", "３", "true false", "lognormal(1e308, 1e308) h",
])
PROC_FACTS = st.sampled_from([
    ("attribute.is_simple", "0.4"), ("attribute.is_simple", "1.5"), ("attribute.is_simple", "nan"),
    ("attribute.size", "0.5"), ("agency.registrar.staff", "2"), ("agency.registrar.staff", "0"),
    ("agency.registrar.staff", "-3"), ("agency.registrar.staff", "1e9"), ("agency.tax.hours", "09:00-12:00"),
    ("agency.tax.hours", "25:00-26:00"), ("agency.tax.hours", "12:00-09:00"), ("arrivals.rate_per_workday", "10"),
    ("arrivals.rate_per_workday", "0"), ("arrivals.rate_per_workday", "nan"), ("arrivals.rate_per_workday", "1e-300"),
    ("arrivals.rate_per_workday", "1e300"), ("name_en", "Fuzz"), ("bogus.key", "1"),
])
GOOD_CONDITIONS = st.sampled_from(["is_simple", "not is_simple", "is_simple and not is_simple", "true", "is_simple or true"])
BAD_CONDITIONS = st.sampled_from([
    "size > 3", "false", "__import__('os')", "is_simple.__class__", "x[0]", "is_simple ==", "unknown_attr", "1 / 0 > 1",
])
CONDITIONS = st.one_of(GOOD_CONDITIONS, GOOD_CONDITIONS, GOOD_CONDITIONS, BAD_CONDITIONS)


class Xml:
    """Builds the elements of one process; ids are unique and ASCII."""

    def __init__(self, io: dict[str, list[str]] | None = None) -> None:
        self.elements: list[str] = []
        self.flows: list[str] = []
        self.n = 0
        self.io = io if io is not None else {}  # element id -> its <incoming>/<outgoing> (SpiffWorkflow reads them)

    def el(self, tag: str, eid: str, attrs: str = "", inner: str = "") -> str:
        """An element with a placeholder where its incoming/outgoing flows go (filled by :meth:`render`)."""
        return f'<bpmn:{tag} id="{eid}"{attrs}>{inner}@@IO:{eid}@@</bpmn:{tag}>'

    def render(self, text: str) -> str:
        return re.sub(r"@@IO:([\w]+)@@", lambda m: "".join(self.io.get(m.group(1), [])), text)

    def new_id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}_{self.n}"

    def flow(self, src: str, dst: str, condition: str | None = None, share: str | None = None) -> str:
        fid = self.new_id("f")
        body = ""
        if condition is not None:
            body += f"<bpmn:conditionExpression>{_esc(condition)}</bpmn:conditionExpression>"
        if share is not None:
            body = (f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="share" value={quoteattr(share)}/>'
                    f'<spiffworkflow:property name="source" value="assumption: fuzz"/></spiffworkflow:properties></bpmn:extensionElements>') + body
        self.flows.append(f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}">{body}</bpmn:sequenceFlow>')
        self.io.setdefault(src, []).append(f"<bpmn:outgoing>{fid}</bpmn:outgoing>")
        self.io.setdefault(dst, []).insert(0, f"<bpmn:incoming>{fid}</bpmn:incoming>")
        return fid


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _props(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    inner = "".join(f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in pairs)
    return f"<bpmn:extensionElements><spiffworkflow:properties>{inner}</spiffworkflow:properties></bpmn:extensionElements>"


@st.composite
def task_facts(draw) -> list[tuple[str, str]]:
    keys = draw(st.lists(st.sampled_from(sorted(GOOD_FACTS)), unique=True, max_size=6))
    pairs = [(k, draw(GOOD_FACTS[k])) for k in keys]
    if draw(st.integers(0, 9)) == 0 and pairs:  # now and then one invalid value
        i = draw(st.integers(0, len(pairs) - 1))
        pairs[i] = (pairs[i][0], draw(BAD_VALUES))
    if draw(st.integers(0, 19)) > 0:
        pairs.append(("source", "assumption: fuzz"))
    return pairs


@st.composite
def block(draw, x: Xml, depth: int = 0) -> tuple[str, str, list[str]]:
    """A single-entry single-exit fragment: (entry id, exit id, elements written)."""
    kinds = ["task", "task", "timer"] + (["seq", "xor", "and", "or", "loop", "sub"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "task":
        tid = x.new_id("t")
        tag = draw(st.sampled_from(["userTask", "task", "manualTask", "serviceTask"]))
        x.elements.append(x.el(tag, tid, f' name="步骤{x.n}"', _props(draw(task_facts()))))
        return tid, tid, [tid]
    if kind == "timer":
        tid = x.new_id("tm")
        duration = draw(st.sampled_from(['"P2D"', '"PT4H"', '"P20D"', '"P1DT2H"'] * 3 + ["P1D", '"P-1D"', '"P99999Y"', '"PT0S"', "", '"bogus"']))
        extra = _props([("wait", draw(st.sampled_from(["1 workday", "nan workday", "-1 day"]))), ("source", "assumption: fuzz")]) \
            if draw(st.integers(0, 3)) == 0 else ""
        x.elements.append(f'<bpmn:intermediateCatchEvent id="{tid}">{extra}@@IO:{tid}@@<bpmn:timerEventDefinition id="{x.new_id("ted")}">'
                          f"<bpmn:timeDuration>{_esc(duration)}</bpmn:timeDuration></bpmn:timerEventDefinition>"
                          "</bpmn:intermediateCatchEvent>")
        return tid, tid, [tid]
    if kind == "seq":
        a = draw(block(x, depth + 1))
        b = draw(block(x, depth + 1))
        x.flow(a[1], b[0])
        return a[0], b[1], a[2] + b[2]
    if kind in ("xor", "and", "or"):
        tag = {"xor": "exclusiveGateway", "and": "parallelGateway", "or": "inclusiveGateway"}[kind]
        split, join = x.new_id("g"), x.new_id("g")
        branches = [draw(block(x, depth + 1)) for _ in range(draw(st.integers(1, 3)))]
        mode = draw(st.sampled_from(["cond", "cond", "share", "none"])) if kind == "xor" else draw(st.sampled_from(["cond", "none"]))
        if len(branches) == 1:
            mode = "none"
        fids = []
        for i, (entry, exit_, _) in enumerate(branches):
            last = i == len(branches) - 1
            cond = draw(CONDITIONS) if kind != "and" and mode == "cond" and not last else None
            share = None
            if mode == "share":
                share = f"{1 / len(branches):.17g}" if draw(st.integers(0, 4)) else draw(st.sampled_from(["nan", "-0.2", "2", "0.5"]))
            fids.append(x.flow(split, entry, cond, share))
            x.flow(exit_, join)
        with_default = kind != "and" and mode == "cond" or (mode == "none" and kind != "and" and draw(st.booleans()))
        default = f' default="{fids[-1]}"' if with_default and len(branches) > 1 else ""
        if kind == "or" and len(branches) > 1 and mode == "none":
            default = f' default="{fids[-1]}"'
        x.elements.append(x.el(tag, split, default))
        join_tag = tag if draw(st.integers(0, 9)) else draw(st.sampled_from(["exclusiveGateway", "parallelGateway"]))
        x.elements.append(x.el(join_tag, join))
        return split, join, [split, join] + [e for b in branches for e in b[2]]
    if kind == "loop":
        # merge -> body -> test gateway: back to merge (loop) or out (exit condition or share)
        merge, test = x.new_id("g"), x.new_id("g")
        body = draw(block(x, depth + 1))
        x.flow(merge, body[0])
        x.flow(body[1], test)
        how = draw(st.sampled_from(["share", "share", "cond", "cond"] + ["noexit"] * (draw(st.integers(0, 9)) == 0)))
        if how == "share":
            back_share = draw(st.sampled_from(["0.3", "0.5", "0.9", "0.999"] + ["1"] * (draw(st.integers(0, 9)) == 0)))
            x.flow(test, merge, share=back_share)
            out_share = f"{1 - float(back_share):.6f}"
            exit_flow = (test, out_share)
        elif how == "cond":
            x.flow(test, merge, condition=draw(CONDITIONS))
            exit_flow = (test, None)
        else:
            x.flow(test, merge)
            exit_flow = None
        out = x.new_id("g")
        x.elements.append(x.el("exclusiveGateway", merge))
        x.elements.append(x.el("exclusiveGateway", out))
        if exit_flow is not None:
            fid = x.flow(test, out, share=exit_flow[1])
            x.elements.append(x.el("exclusiveGateway", test, f' default="{fid}"' if exit_flow[1] is None else ""))
        else:
            x.elements.append(x.el("exclusiveGateway", test))
            x.flow(merge, out)  # an exit that is never reached from the test gateway
        return merge, out, [merge, test, out] + body[2]
    # subprocess: its own start and end around an inner block
    sid = x.new_id("sp")
    inner = Xml(x.io)
    inner.n = x.n * 100 + 1000  # ids unique across the whole file
    ib = draw(block(inner, depth + 1))
    s, e = inner.new_id("ss"), inner.new_id("se")
    inner.flow(s, ib[0])
    inner.flow(ib[1], e)
    x.n = max(x.n, inner.n)
    body = "".join(inner.elements) + inner.el("startEvent", s) + inner.el("endEvent", e) + "".join(inner.flows)
    x.elements.append(f'<bpmn:subProcess id="{sid}">@@IO:{sid}@@{body}</bpmn:subProcess>')
    return sid, sid, [sid]


@st.composite
def bpmn_files(draw) -> str:
    x = Xml()
    entry, exit_, nodes = draw(block(x))
    start, end = x.new_id("start"), x.new_id("end")
    x.flow(start, entry)
    x.flow(exit_, end)
    # random extra edges over the top-level nodes: cross links, back edges (loops without exits), dead ends
    for _ in range(draw(st.integers(0, 9)) // 8):  # now and then one
        a, b = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes + [end]))
        x.flow(a, b)
    pairs = draw(st.lists(PROC_FACTS, max_size=2))
    if pairs:
        pairs.append(("source", "assumption: fuzz"))
    pairs.append(("attribute.is_simple", "0.4"))
    body = x.render(_props(pairs) + x.el("startEvent", start) + "".join(x.elements) + x.el("endEvent", end) + "".join(x.flows))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="defs_fuzz" targetNamespace="http://reformsim.example/fuzz">'
            f'<bpmn:process id="fuzz" name="模糊" isExecutable="true">{body}</bpmn:process></bpmn:definitions>\n')


@FUZZ
@given(bpmn_files())
def test_random_bpmn_runs_or_is_refused_with_a_located_message(worker, tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("bpmn") / "fuzz.bpmn"
    path.write_text(text, encoding="utf-8")
    check_outcome(worker.run("bpmn", path), path)


# ---------------------------------------------------------------- scenario strategy

WILD = st.one_of(
    st.sampled_from([".nan", ".inf", "-.inf", "-1", "0", "1e308", "1.0e+308", "1.0e-300", "[1.0e+300]", "{true: .inf, false: 1}", "1e-320", "99999999999999999999", "''", "abc", "null",
                     "true", "[]", "{}", "[1, 2]", "2021-02-30", "'2021-07-01'", "1.5", "3", "'09:00-12:00'", "'25:00-26:00'",
                     "'12:00-09:00'", "'triangular(1, 2, 4) h'", "'exponential(-1) h'", "'nan h'", "'1e308 workday'",
                     "!!python/object/apply:os.system ['echo pwned']", "*anchor"]),
    st.integers(-10, 10).map(str),
)
SOURCED = {
    "arrivals": ["rate_per_workday", "times_h", "growth", "source", "bogus"],
    "agencies.registrar": ["staff", "hours", "name", "source", "stafff"],
    "agencies.tax": ["staff", "hours", "source"],
    "attributes.is_simple": ["p", "values", "source"],
    "steps.t_apply": ["work", "wait", "source"],
    "steps.t_missing": ["work", "source"],
    "routing": ["f_simple", "f_ordinary", "f_nope", "source"],
}
TOP = ["name", "cases", "replications", "seed", "start", "office_hours", "horizon_workdays", "warmup_workdays", "edits",
       "description", "unknown_top"]


@st.composite
def scenario_files(draw) -> str:
    lines = ["anchors: &anchor 5"] if draw(st.booleans()) else []
    used_anchor = bool(lines)
    for key in draw(st.lists(st.sampled_from(TOP), unique=True, max_size=2)):
        lines.append(f"{key}: {draw(WILD)}")
    for block_path in draw(st.lists(st.sampled_from(sorted(SOURCED)), unique=True, max_size=2)):
        top, _, sub = block_path.partition(".")
        keys = draw(st.lists(st.sampled_from(SOURCED[block_path]), unique=True, min_size=1, max_size=2))
        keys.append("source") if "source" not in keys and draw(st.integers(0, 4)) else None
        inner = {}
        for k in keys:
            inner[k] = "'assumption: fuzz'" if k == "source" and draw(st.integers(0, 9)) else draw(WILD)
        entries = ", ".join(f"{k}: {v}" for k, v in inner.items())
        lines.append(f"{top}: {{{sub}: {{{entries}}}}}" if sub else f"{top}: {{{entries}}}")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"extends: {draw(st.sampled_from(['parent.yaml', 'missing.yaml', 'scenario.yaml']))}")
    text = "\n".join(lines) + "\n"
    if not used_anchor:
        text = text.replace("*anchor", "7")
    # the anchor line is not a scenario key: name it as a description instead, so the file stays plausible
    return text.replace("anchors: &anchor 5", "description: &anchor 5")


@settings(FUZZ, max_examples=40)
@given(scenario_files(), scenario_files())
def test_random_scenario_runs_or_is_refused_with_a_located_message(worker, tmp_path_factory, text: str, parent: str) -> None:
    folder = tmp_path_factory.mktemp("sc")
    (folder / "parent.yaml").write_text(parent.replace("extends:", "description:"), encoding="utf-8")
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    out = worker.run("scenario", path)
    assert "pwned" not in out.get("message", "")
    if out["outcome"] == "refused" and "parent.yaml" in out["message"] and path.name not in out["message"]:
        path = folder / "parent.yaml"  # refused for the parent's problem: the message names the parent
    check_outcome(out, path)


# ---------------------------------------------------------------- pinned regressions

def _regressions() -> list[tuple[str, dict]]:
    table = yaml.safe_load((REGRESSIONS / "expected.yaml").read_text(encoding="utf-8")) or {}
    return sorted(table.items())


@pytest.mark.parametrize("name,expected", _regressions(), ids=[n for n, _ in _regressions()])
def test_regressions(worker, name: str, expected: dict) -> None:
    """Each minimal reproducer of a fuzz failure has its pinned outcome: ``runs`` or ``refused``
    with the element or YAML path the message must name."""
    path = REGRESSIONS / name
    kind = "bpmn" if path.suffix == ".bpmn" else "scenario"
    out = worker.run(kind, path)
    check_outcome(out, path)
    assert out["outcome"] == expected["outcome"], out
    if expected["outcome"] == "refused":
        assert expected["names"] in out["message"], out["message"]
