"""What the page of ``reformsim serve`` shows and does, without any web framework.

- :meth:`Workbench.chains` — the chains a planner can try: the process files the register tests,
  with the label and baseline the catalog beside each file gives (``processes/catalog.yaml``).
- :meth:`Workbench.chain` — one chain's steps with the levers the rules allow on each
  (:func:`sim.model.legal.ruling`), its agencies with the staff the run would use, and its demand
  (:func:`sim.model.scenario.resolve_scenario`).
- :meth:`Workbench.diagram` — the before/after drawing (:func:`sim.report.diff.render_diff`) as SVG.
- :meth:`Workbench.run` — the register's checks of that chain judged under the page's what-if
  (:func:`sim.analysis.assess.assess`, on its exploring executor ``fast``), with the chain's
  bottlenecks (:func:`sim.analysis.bottlenecks.chain_bottlenecks`).
- :meth:`Workbench.save` — the what-if as a scenario file (the format :func:`sim.load_scenario`
  reads; checked to parse back) and, on request, the HTML/Excel report, each in a folder of its own
  under the output folder (:class:`sim.files.OwnedFolder`).

The page's what-if is a scenario mapping (the YAML keys, as JSON): one concept from the page to the
file. Every request is checked before any work; a bad one raises a
:class:`~sim.errors.ReformSimError` naming the request field or the scenario's YAML path, as the
command line would.

Example:
    >>> import tempfile
    >>> wb = Workbench(out=Path(tempfile.mkdtemp()))
    >>> [c["id"] for c in wb.chains()][:2]
    ['company_setup_2021.bpmn', 'construction_general_2021.bpmn']
    >>> wb.save({"chain": "company_setup_2021.bpmn", "name": "../x", "scenario": {}})
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: request: name: expected a plain name (letters, digits, Chinese characters, - and _; at most 60), got '../x'
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .. import inputs
from ..analysis.assess import (AT_RISK, COMPLIES, DEFAULT_SEED, DOES_NOT_COMPLY, NOT_REACHABLE, PARTLY, REACHABLE, RULE,
                               Assessment, assess, verdict_words)
from ..bpmn.loader import LoadedProcess, load_bpmn
from ..catalog import CatalogEntry, catalog_for
from ..errors import ScenarioError, did_you_mean
from ..files import OwnedFolder, output_folder
from ..i18n import agency_name
from ..model import legal
from ..model.bounds import SEED_MAX, check_number
from ..model.scenario import Scenario, parse_scenario, resolve_scenario
from ..scenarios import content_hash
from ..targets import Register, load_register

__all__ = ["Workbench", "PAGE_LEVERS", "MAX_PAGE_CASES", "MAX_PAGE_REPLICATIONS", "DEFAULT_PAGE_CASES",
           "DEFAULT_PAGE_REPLICATIONS", "ROOT"]

ROOT = Path(__file__).resolve().parents[2]  # the repository: its register, catalog and processes
# The step levers the page offers as switches: those that act on one step. merge and parallel act on
# several steps and stay in scenario files (docs: sim.model.edits).
PAGE_LEVERS = ("online", "commitment", "accept_incomplete", "green_channel", "remove")
# seed 二(三)2(3): 行政许可审批办结时长压减至8个工作日内 — the green channel's limit the page proposes.
GREEN_LIMIT = "8 workday"
# assumption: 100 cases × 5 replications answers in under a second once the fast executor is compiled,
# and gives a share interval of a few points: enough to see a lever's effect; the caps keep one request
# under about a minute on a 2-core machine (the page is for trying, `reformsim assess` for the record).
DEFAULT_PAGE_CASES, DEFAULT_PAGE_REPLICATIONS = 100, 5
MAX_PAGE_CASES, MAX_PAGE_REPLICATIONS = 2_000, 20
# A save name: a plain file name, never a path (no dot, slash or backslash can reach the file system).
_NAME = re.compile(r"[A-Za-z0-9_\-\u4e00-\u9fff]{1,60}")
# Keys of the scenario the page may not set: the page names the chain itself, and a file the page
# names would be read on the server (extends:, calendar: as a path).
_PAGE_FORBIDDEN = ("process", "extends")
_REQUEST = "request"  # the "file" an error about the request itself names
_ASSESSMENTS_KEPT = 4  # runs kept for a report saved right after them (each holds its traces)
WHAT_IF_SOURCE = "assumption: a what-if tried on the page (reformsim serve)"


def _bad(path: str, what: str) -> ScenarioError:
    return ScenarioError([(path, what)], file=_REQUEST)


class Workbench:
    """The chains of one register, and the runs and saves of the page (thread-safe)."""

    def __init__(self, *, register: str | Path | None = None, out: str | Path | None = None, lang: str = "zh") -> None:
        self.register_path = Path(register) if register is not None else ROOT / "scenarios" / "targets.yaml"
        self.register: Register = load_register(self.register_path)
        self.out = output_folder(Path(out) if out is not None else ROOT / "out" / "serve", what="output folder of serve")
        self.lang = lang
        root = Path(self.register.root or ".")
        # chain id (the file's name) -> the register's relative path, in register order
        self._rel: dict[str, str] = {}
        for _, c in self.register.tested():
            for rel in (c.test.processes if c.test else ()):
                self._rel.setdefault(Path(rel).name, rel)
        self._root = root
        self._loaded: dict[str, LoadedProcess] = {}
        self._svg: dict[tuple[str, str], str] = {}
        self._runs: OrderedDict[str, tuple[str, Assessment]] = OrderedDict()
        self._lock = threading.Lock()  # one simulation at a time: the machine's cores go to it
        self._draw_lock = threading.Lock()  # one drawing at a time (matplotlib's font cache is shared)
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ chains
    def chains(self, lang: str = "zh") -> list[dict[str, Any]]:
        """The chains the page offers: id (file name), label, baseline file, the target ids judged on it."""
        lang = _lang(lang)
        out = []
        for cid, rel in self._rel.items():
            entry = self.entry(cid)
            out.append({"id": cid, "label": entry.label(lang) if entry else cid, "baseline": entry.baseline if entry else None,
                        "targets": [t.id for t in self._chain_register(rel).targets]})
        return out

    def entry(self, cid: str) -> CatalogEntry | None:
        """The catalog's entry of a chain's file (the catalog beside it), None for a file no catalog lists."""
        catalog = catalog_for(self._root / self._rel[cid])
        return catalog.get(cid) if catalog is not None else None

    def _chain_id(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self._rel:
            raise _bad("chain", f"expected one of the register's chains{did_you_mean(str(value), list(self._rel))}: "
                                + ", ".join(self._rel))
        return value

    def _process(self, cid: str) -> LoadedProcess:
        with self._cache_lock:
            if cid not in self._loaded:
                self._loaded[cid] = load_bpmn(self._root / self._rel[cid])
            return self._loaded[cid]

    def _chain_register(self, rel: str) -> Register:
        """The register cut to the checks measured on ``rel`` (a check on several files keeps this one)."""
        targets = []
        for t in self.register.targets:
            checks = tuple(dataclasses.replace(c, test=dataclasses.replace(c.test, processes=(rel,)))
                           for c in t.checks if c.test is not None and rel in c.test.processes)
            if checks:
                targets.append(dataclasses.replace(t, checks=checks))
        return dataclasses.replace(self.register, targets=tuple(targets))

    def chain(self, value: Any, lang: str = "zh") -> dict[str, Any]:
        """One chain: its steps with the page's levers (allowed or not, and by which rule), agencies, demand."""
        cid = self._chain_id(value)
        lang = _lang(lang)
        process = self._process(cid).process
        resolved = resolve_scenario(process, Scenario())
        steps = []
        for node in process.tasks():
            facts = node.facts
            kind = legal.kind_of(node)
            kinds = [legal.KINDS[k] for k in kind.split("+") if k in legal.KINDS]
            levers = []
            for verb in PAGE_LEVERS:
                r = legal.ruling(node, verb)
                done = bool(facts is not None and ((verb == "online" and facts.online) or
                                                   (verb == "commitment" and facts.commitment)))
                levers.append({"verb": verb, "allowed": r.allowed, "done": done, "rule": r.rule.text(lang),
                               "source": r.rule.source})
            steps.append({"id": node.id, "name": node.name if lang == "zh" or not facts or not facts.name_en else facts.name_en,
                          "agency": agency_name(facts.agency, lang) if facts and facts.agency else None,
                          "kind": "+".join((k.zh if lang == "zh" else k.en) for k in kinds) or kind, "levers": levers})
        agencies = [{"id": aid, "name": agency_name(aid, lang), "staff": spec.staff} for aid, spec in resolved.agencies.items()]
        entry = self.entry(cid)
        return {"id": cid, "label": entry.label(lang) if entry else cid, "baseline": entry.baseline if entry else None,
                "steps": steps, "agencies": agencies, "rate_per_workday": resolved.arrivals.rate_per_workday,
                "green_limit": GREEN_LIMIT, "what_if_source": WHAT_IF_SOURCE,
                "targets": [{"id": t.id, "clause": t.clause} for t in self._chain_register(self._rel[cid]).targets],
                "defaults": {"cases": DEFAULT_PAGE_CASES, "replications": DEFAULT_PAGE_REPLICATIONS, "seed": DEFAULT_SEED},
                "caps": {"cases": MAX_PAGE_CASES, "replications": MAX_PAGE_REPLICATIONS}}

    def diagram(self, value: Any, lang: str = "zh") -> str:
        """The chain's before/after drawing as SVG text (the chain alone when the catalog gives no baseline)."""
        cid = self._chain_id(value)
        lang = _lang(lang)
        with self._cache_lock:
            if (cid, lang) in self._svg:
                return self._svg[(cid, lang)]
        after = self._process(cid)
        catalog = catalog_for(self._root / self._rel[cid])
        base = catalog.baseline_path(self._root / self._rel[cid]) if catalog is not None else None
        with self._draw_lock, tempfile.TemporaryDirectory(prefix="reformsim-serve-") as scratch:
            path = Path(scratch) / "diagram.svg"
            if base is not None:
                from ..report.diff import render_diff

                render_diff(load_bpmn(base), after, path, lang=lang)
            else:
                from ..report.diagram import render_diagram

                render_diagram(after, path, lang=lang)
            svg = path.read_text(encoding="utf-8")
        with self._cache_lock:
            self._svg[(cid, lang)] = svg
        return svg

    # ------------------------------------------------------------------ requests
    def _scenario(self, data: Mapping[str, Any], name: str | None = None) -> tuple[dict[str, Any], Scenario]:
        """The page's what-if as a plain mapping and as a parsed scenario (the CLI's parser and messages)."""
        raw = data.get("scenario", {})
        if not isinstance(raw, Mapping):
            raise _bad("scenario", f"expected a mapping of scenario settings (the YAML keys), got {type(raw).__name__}")
        for key in _PAGE_FORBIDDEN:
            if key in raw:
                raise _bad(f"scenario.{key}", "not available on the page: the page names the chain, and files are read "
                                              "only from scenario files (reformsim run FILE)")
        if isinstance(raw.get("calendar"), str):
            raise _bad("scenario.calendar", "a calendar file is read only from a scenario file; give the years as a mapping")
        mapping = {"name": name or "what-if", **{k: v for k, v in raw.items() if k != "name"}}
        return mapping, parse_scenario(mapping, file="what-if" if name is None else f"what-if {name}")

    def _precision(self, data: Mapping[str, Any]) -> tuple[int, int, int]:
        out = []
        for key, default, high in (("cases", DEFAULT_PAGE_CASES, MAX_PAGE_CASES),
                                   ("replications", DEFAULT_PAGE_REPLICATIONS, MAX_PAGE_REPLICATIONS),
                                   ("seed", DEFAULT_SEED, SEED_MAX)):
            value = data.get(key, default)
            try:
                out.append(int(check_number(value, low=0 if key == "seed" else 1, high=high, whole=True)))
            except ValueError as exc:
                raise _bad(key, f"{exc} (the page's cap; use reformsim assess for larger runs)" if key != "seed" else str(exc)) from None
        return out[0], out[1], out[2]

    def run(self, data: Any) -> dict[str, Any]:
        """Judge the chain's checks under the what-if; the verdicts (with reasons) and the bottlenecks, for the page."""
        data = _mapping(data)
        cid = self._chain_id(data.get("chain"))
        lang = _lang(data.get("lang", self.lang))
        mapping, scenario = self._scenario(data)
        cases, reps, seed = self._precision(data)
        a = self._assess(cid, mapping, scenario, cases, reps, seed)
        rel = self._rel[cid]
        rows = [{"target": r.target, "check": r.check, "kind": r.kind, "context": bool(r.context), "verdict": r.verdict,
                 "words": verdict_words(r.verdict, lang), "threshold": r.threshold, "unit": r.unit,
                 "share": _num(r.share), "lo": _num(r.lo), "hi": _num(r.hi), "p80": _num(r.p80),
                 # a target stated as an average is judged on the mean (sim.analysis.assess.mean_verdict), not the share
                 "statistic": r.statistic, "mean": _num(r.mean), "mean_lo": _num(r.mean_lo), "mean_hi": _num(r.mean_hi),
                 "reason": r.reason.get(lang, "")} for r in a.rows]
        bottlenecks = ""
        if rel in a.results:
            from ..analysis.bottlenecks import chain_bottlenecks
            from ..report.html import bottleneck_section

            unit = "hours" if any(r.metric == "hours" for r in a.rows) else "workdays"
            bottlenecks, _ = bottleneck_section(chain_bottlenecks(a.results[rel], unit, staff_effects=False), lang)
        notes = list(a.calendar_notes()) + (list(a.results[rel].notes) if rel in a.results else [])
        words = {code: verdict_words(code, lang) for code in (REACHABLE, AT_RISK, NOT_REACHABLE, COMPLIES, PARTLY, DOES_NOT_COMPLY)}
        return {"chain": cid, "rows": rows, "bottlenecks_html": bottlenecks, "rule": RULE[lang], "notes": notes, "words": words,
                "changes": self._changes(cid, scenario, lang), "cases": cases, "replications": reps, "seed": seed}

    def _changes(self, cid: str, scenario: Scenario, lang: str) -> list[str]:
        """What the what-if changes, in the planner's words: each lever's own label (sim.model.levers), then staff and demand."""
        process = self._process(cid).process
        defaults = resolve_scenario(process, Scenario())
        out = []
        for lever in scenario.edits:
            node = process.nodes.get(getattr(lever, "step", ""))
            out.append(dataclasses.replace(lever, display=node.name).label(lang) if node is not None and node.name
                       else lever.label(lang))
        for aid, spec in scenario.agencies.items():
            if spec.staff is not None:
                was = defaults.agencies[aid].staff if aid in defaults.agencies else None
                name = agency_name(aid, lang)
                out.append(f"{name} 人员 {was} → {spec.staff}" if lang == "zh" else f"{name} staff {was} → {spec.staff}")
        rate = scenario.arrivals.rate_per_workday
        if rate is not None and "arrivals" in scenario.explicit:
            was = defaults.arrivals.rate_per_workday
            out.append(f"每个工作日申请量 {was:g} → {rate:g}" if lang == "zh" else f"applications per working day {was:g} → {rate:g}")
        return out

    def _assess(self, cid: str, mapping: Mapping[str, Any], scenario: Scenario, cases: int, reps: int,
                seed: int) -> Assessment:
        """The run of the register's checks of ``cid`` under ``scenario``; the last few are kept, so a report
        saved right after a run is that run (same seed, same numbers), not a second one."""
        rel = self._rel[cid]
        settings = {k: v for k, v in mapping.items() if k not in ("name", "process")}
        key = repr((cid, cases, reps, seed, content_hash(settings)))
        with self._cache_lock:
            if key in self._runs:
                return self._runs[key][1]
        with self._lock:
            a = assess(self._chain_register(rel), replications=reps, cases=cases, seed=seed, scenario=scenario,
                       scope=frozenset({rel}))
        with self._cache_lock:
            self._runs[key] = (cid, a)
            while len(self._runs) > _ASSESSMENTS_KEPT:
                self._runs.popitem(last=False)
        return a

    def save(self, data: Any) -> dict[str, Any]:
        """Write the what-if as ``NAME/NAME.yaml`` (and with ``report: true`` the HTML/Excel report beside it).

        ``NAME/`` is a folder of ours under the output folder: a new name makes it, a name saved before
        replaces only what the page wrote there, and a folder holding files of someone else's is refused.
        """
        data = _mapping(data)
        cid = self._chain_id(data.get("chain"))
        name = data.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise _bad("name", "expected a plain name (letters, digits, Chinese characters, - and _; at most 60), "
                               f"got {str(name)[:80]!r}")
        lang = _lang(data.get("lang", self.lang))
        mapping, scenario = self._scenario(data, name)
        folder = OwnedFolder(self.out / name, what="folder of a saved what-if").check()
        target = folder.path / f"{name}.yaml"
        process = self._root / self._rel[cid]
        relative = Path(os.path.relpath(process.resolve(), folder.path.resolve()))
        root = _root_for(target, process)
        command = f"reformsim run {target}" + ("" if root == inputs.project_root(target) else f" --root {root}")
        mapping = {"name": name, "process": relative.as_posix(), **{k: v for k, v in mapping.items() if k != "name"}}
        text = (f"# What-if saved by reformsim serve on chain {cid}.\n# Run it with: {command}\n"
                + yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False))
        _check_parses_back(text, target, root)
        files: dict[str, bytes | str] = {target.name: text}
        if data.get("report"):
            cases, reps, seed = self._precision(data)
            a = self._assess(cid, mapping, scenario, cases, reps, seed)
            files.update(_report_files(a, lang))
        written = folder.replace_files(files)
        return {"folder": str(folder.path), "scenario": str(target), "files": [p.name for p in written], "command": command}


def _report_files(a: Assessment, lang: str) -> dict[str, bytes]:
    """The report's files (sim.report.html.write_report), written in a scratch folder and read back, so the
    saved folder takes them with the scenario file in one replacement."""
    from ..analysis.sensitivity import analyse_chains
    from ..report.html import write_report

    # the sensitivity at its smallest (as assess --quick): the page's runs are small already
    chains = analyse_chains(a, n_steps=2, n_agencies=1)
    with tempfile.TemporaryDirectory(prefix="reformsim-serve-report-") as scratch:
        folder = Path(scratch) / "report"
        write_report(a, chains, folder, lang=lang, diagrams=True)
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def _root_for(target: Path, process: Path) -> Path:
    """The folder a saved file's references must stay in: its project folder, or — for an output folder
    outside the project — the nearest folder holding both the file and the chain (given as ``--root``)."""
    root = inputs.project_root(target)
    if inputs.is_inside(process, root):
        return root
    return Path(os.path.commonpath([target.resolve(), process.resolve()]))


def _check_parses_back(text: str, target: Path, root: Path) -> None:
    """The file about to be written parses with the CLI's parser, its process path resolved as the CLI would."""
    data = yaml.safe_load(text)
    parse_scenario(data, file=str(target))
    inputs.resolve_reference(data["process"], named_by=target, root=root, where="process", expected="a BPMN file")


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _bad("", f"expected a JSON object, got {type(data).__name__}")
    return data


def _lang(value: Any) -> str:
    if value not in ("zh", "en"):
        raise _bad("lang", f'expected "zh" or "en", got {str(value)[:20]!r}')
    return str(value)


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

