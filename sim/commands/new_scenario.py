"""``reformsim new-scenario CHAIN [--out FILE]``: write a commented starting scenario for a chain.

The file names the chain's 2021 model, its arrivals and each agency with the staff the model (or
the documented sizing rule) gives it, every case attribute with its mix, and, as comments, every
step with the levers the rules of :mod:`sim.model.legal` allow and forbid on it, plus example
edits to uncomment. It parses as written (a test loads it), and it is never written over an
existing file (:func:`sim.files.atomic_create`).

Example:
    >>> text = starting_file(ROOT / "processes" / "gas_2021.bpmn", ROOT / "scenarios" / "new_gas.yaml")
    >>> "process: ../processes/gas_2021.bpmn" in text, "#   t_planning" in text
    (True, True)
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

NAME = "new-scenario"
HELP = "为链条写出带注释的起始情景文件（环节、各环节允许的措施、部门、到达量） / write a commented starting scenario for a chain (its steps, the levers each allows, agencies, arrivals)"

ROOT = Path(__file__).resolve().parents[2]
_VARIANT = "2021"  # a what-if starts from the plan's design; name a baseline file to start from it


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args

    p.add_argument("chain", help="链条名或 BPMN 文件 / a chain of `reformsim list` (e.g. gas, company_setup), or a BPMN file")
    _args.add_lang(p)
    p.add_argument("--out", type=Path, help="要写出的文件（已有文件不会被替换） / the file to write (default: new_CHAIN.yaml here); an existing file is never replaced")


def model_for(chain: str) -> Path:
    """The BPMN file a new scenario for ``chain`` runs: the chain's 2021 model, or the file named.

    >>> model_for("gas").name
    'gas_2021.bpmn'
    """
    from sim.catalog import bundled_catalog
    from sim.errors import ScenarioError, did_you_mean

    given = Path(chain)
    if given.suffix.lower() == ".bpmn":
        if given.is_file():
            return given
        if (ROOT / "processes" / given.name).is_file():
            return ROOT / "processes" / given.name
        raise ScenarioError([("", f"no BPMN file {chain}; expected a chain of `reformsim list` or a BPMN file")], file=chain)
    catalog = bundled_catalog()
    chains = sorted({e.chain for e in catalog.entries.values()})
    files = [e.file for e in catalog.entries.values() if e.chain == chain and e.variant == _VARIANT]
    if not files:
        raise ScenarioError([("chain", f'unknown chain "{chain}"{did_you_mean(chain, chains)}; expected one of {", ".join(chains)}')],
                            file=str(catalog.file))
    if len(files) > 1:
        raise ScenarioError([("chain", f'chain "{chain}" has {len(files)} 2021 models ({", ".join(sorted(files))}); '
                                       "name the one to start from instead of the chain")], file=str(catalog.file))
    return catalog.folder / files[0]


def _q(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings and plain numbers are valid YAML (safe for any text)."""
    return json.dumps(value, ensure_ascii=False)


def starting_file(process_path: Path, out: Path) -> str:
    """The text of the starting scenario for ``process_path``, written at ``out`` (paths relative to it)."""
    import sim
    from sim.catalog import bundled_catalog
    from sim.model.legal import STEP_VERBS, kind_of, ruling
    from sim.model.scenario import DEFAULTS, resolve_scenario

    process = sim.load_process(process_path)
    resolved = resolve_scenario(process, sim.Scenario())
    entry = bundled_catalog().get(process_path)
    label = entry.label("zh") if entry else process.name
    label_en = entry.label("en") if entry else process.defaults.get("name_en", process.id)
    rel = Path(os.path.relpath(process_path.resolve(), out.resolve().parent)).as_posix()
    chain = entry.chain if entry else process.id
    lines = [
        f"# 情景起始文件：{label} / starting scenario: {label_en}",
        f"# 由 `reformsim new-scenario {chain}` 生成；每个键的说明见 docs/scenarios.md / every key is explained in docs/scenarios.md.",
        "# 每个数值须注明来源（sim/data/sources.yaml 的编号、方案条款）或写 'assumption: 理由'。",
        "# Every number names its source (an id of sim/data/sources.yaml, a plan clause) or says 'assumption: why'.",
        f"name: {_q('new_' + chain)}",
        f"description: {_q(f'{label}：请写明本情景试的是什么 / what this scenario tries')}",
        f"process: {rel}",
        f"start: {DEFAULTS['start'].isoformat()}  # 默认 / the documented default; 2027 起见 docs/calendar.md",
        "cases: 300  # assumption: enough cases per replication for stable shares; raise for final figures",
        "replications: 10  # assumption: 10 replications give a usable interval; or run with --precision",
        f"seed: {DEFAULTS['seed']}  # 同一种子，同一结果 / same seed, same results",
        "",
    ]
    arrivals = resolved.arrivals
    lines += ["# 申请到达 / arrivals (applications per working day)", "arrivals:"]
    if arrivals.times_h is not None:
        lines += [f"  times_h: {_q(list(arrivals.times_h))}", f"  source: {_q(arrivals.source)}"]
    else:
        lines += [f"  rate_per_workday: {arrivals.rate_per_workday:g}", f"  source: {_q(arrivals.source)}",
                  "  # growth: 1.5  # 需求倍数 / a demand multiplier; give its source"]
    lines += ["", "# 部门与人员 / agencies and staff (from the model, or sized for about 70% load)", "agencies:"]
    steps_of: dict[str, list[str]] = {}
    for node in process.tasks():
        if node.facts is not None and node.facts.agency:
            steps_of.setdefault(node.facts.agency, []).append(node.id)
    for aid in process.agencies():
        spec = resolved.agencies[aid]
        lines += [f"  {aid}:  # {spec.name or aid}: {', '.join(steps_of.get(aid, []))}",
                  f"    staff: {spec.staff}", f"    source: {_q(spec.source)}"]
    if resolved.attributes:
        lines += ["", "# 案件属性 / case attributes (gateway conditions read them)", "attributes:"]
        for name, spec in resolved.attributes.items():
            lines.append(f"  {name}:")
            if spec.p is not None:
                lines.append(f"    p: {spec.p:g}")
            else:
                lines.append("    values: {" + ", ".join(f"{_q(v)}: {s:g}" for v, s in spec.values) + "}")
            lines.append(f"    source: {_q(spec.source)}")
    lines += ["", "# 环节与规则允许的措施（sim/model/legal.py）/ steps and the levers the rules allow on each:"]
    examples: dict[str, str] = {}
    for node in process.nodes.values():
        if node.kind not in ("task", "timer"):
            continue
        verdicts = [ruling(node, v) for v in STEP_VERBS]
        allowed = [r.verb for r in verdicts if r.allowed]
        refused = [f"{r.verb} ({r.rule.id})" for r in verdicts if not r.allowed]
        agency = node.facts.agency if node.facts is not None and node.facts.agency else "—"
        lines += [f"#   {node.id}  {node.name}  [{kind_of(node)}, {agency}]",
                  f"#       允许 / allowed: {', '.join(allowed) or '—'}",
                  f"#       不允许 / not allowed: {', '.join(refused) or '—'}"]
        for verb in ("online", "commitment", "green_channel", "accept_incomplete"):
            if verb in allowed and verb not in examples:
                examples[verb] = node.id
    lines += ["", "# 改革措施 / levers: uncomment, adapt and cite the plan's clause (docs/scenarios.md, 改革措施)", "# edits:"]
    forms = {"online": "# - online: {s}", "commitment": "# - commitment: {s}\n#   inspection_share: 0.1  # assumption: …",
             "green_channel": "# - green_channel: {s}\n#   limit: 5 workday", "accept_incomplete": "# - accept_incomplete: {s}"}
    for verb, step in examples.items():
        form = forms[verb]
        if form is not None:
            lines += [form.format(s=step), "#   source: \"assumption: what-if — why\""]
    if process.agencies():
        lines += [f"# - staff: {process.agencies()[0]}", "#   add: 1", "#   source: \"assumption: what-if — one more person\""]
    lines += ["# - demand: 1.5", "#   source: \"assumption: what-if — half again as many applications\""]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from sim.files import atomic_create
    from sim.inputs import is_inside, project_root

    process_path = model_for(args.chain)
    chain = Path(args.chain).stem
    out = args.out or Path(f"new_{chain}.yaml")
    text = starting_file(process_path, out)
    atomic_create(out, text, what="scenario file")
    zh = args.lang == "zh"
    print(f"已写出 {out}（运行：reformsim run {out}）" if zh else f"wrote {out}  (reformsim run {out})")
    if not is_inside(process_path, project_root(out)):
        print(f"注意：{out} 不在 {process_path.name} 所在的项目文件夹内；运行时请用 --root 指定同时包含两者的文件夹（见 sim/inputs.py）" if zh else
              f"note: {out} is outside the project folder of {process_path.name}; run it with --root naming a folder "
              "that holds both (see sim/inputs.py)")
    return 0
