"""Write docs/scenarios.md, the scenario manual, from the schema the parser validates with.

Every key of :data:`sim.model.schema.SCENARIO` and every lever of
:data:`sim.model.edits.EDIT_SCHEMA` gets a section: its meaning in Chinese, then in English, its
kind, bounds and default, and a YAML example that parses on its own. ``python
scripts/gen_scenario_docs.py`` prints the manual; ``--write`` writes docs/scenarios.md
(atomically). ``tests/test_scenario_docs.py`` parses every example of the committed file and
requires it to equal :func:`render`, so the manual cannot drift from the parser.

Example:
    >>> text = render()
    >>> "### `arrivals.growth`" in text and "### `edits: merge`" in text
    True
    >>> next(path for path, _, _ in key_examples()) , next(path for path, _, _ in key_examples() if "." in path)
    ('name', 'calendar.source')
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from sim.model.edits import COMMON_KEYS, EDIT_SCHEMA, FACT_KEYS, Verb  # noqa: E402
from sim.model.legal import KINDS, STEP_VERBS  # noqa: E402
from sim.model.schema import KIND_TEXT, SCENARIO, Key  # noqa: E402

DOC = ROOT / "docs" / "scenarios.md"
Wrap = Callable[[Any], Any]

# A complete what-if, shown first: every number sourced or marked as an assumption.
FULL_EXAMPLE = {
    "name": "whatif_company_setup_surge",
    "description": "企业开办：申请量增加一半，登记窗口加一人，能否仍在 1 个工作日内办结？",
    "extends": "company_setup_2021.yaml",
    "cases": 300,
    "replications": 10,
    "arrivals": {"growth": 1.5, "source": "assumption: what-if, half again as many applications (plausible 1.2-2.0)"},
    "edits": [{"staff": "market_regulation", "add": 1, "source": "assumption: what-if, one more registrar"}],
    "excluded_levers": [{"lever": "commitment", "reason": "企业登记不适用告知承诺"}],
}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100).rstrip()


def _block(container: Key, key: Key, value: Any) -> dict[str, Any]:
    """``{key: value}`` with the siblings the example cannot stand without: the required ones, the block's
    source (inside a block that has one) and what the key ``needs``."""
    out: dict[str, Any] = {key.name: value}
    for sib in container.keys:
        if sib.name != key.name and (sib.required or (sib.name == "source" and container is not SCENARIO)):
            out[sib.name] = sib.example
    out.update(dict(key.needs))
    return out


def _walk(container: Key, wrap: Wrap, prefix: str) -> Iterator[tuple[str, Key, Any]]:
    for key in container.keys:
        path = f"{prefix}{key.name}"
        yield path, key, wrap(_block(container, key, key.example))
        yield from _inside(key, lambda v, c=container, k=key: wrap(_block(c, k, v)), path)


def _inside(key: Key, wrap: Wrap, path: str) -> Iterator[tuple[str, Key, Any]]:
    """The keys inside ``key``: a list's items, a mapping's keys, or the keys of each entry of a map."""
    if key.kind == "exclusions":
        yield from _walk(key, lambda v: wrap([v]), f"{path}[].")
        return
    if key.each is None:
        yield from _walk(key, wrap, f"{path}.")
        return
    entry = next(iter(key.example))  # the example's first id (an agency, a year, a flow)
    fixed = {s.name: s.example for s in key.keys if s.required or s.name == "source"}
    each_wrap: Wrap = lambda v: wrap({entry: v, **fixed})  # noqa: E731
    yield from _walk(key, wrap, f"{path}.")  # the map's own keys (routing's source)
    if key.each.keys:
        yield from _walk(key.each, each_wrap, f"{path}.{key.each.name}.")
    else:
        yield f"{path}.{key.each.name}", key.each, each_wrap(key.each.example)


def key_examples() -> Iterator[tuple[str, Key, dict[str, Any]]]:
    """(dotted path, key, a scenario mapping showing it) for every key of the language, in manual order."""
    yield from _walk(SCENARIO, lambda v: v, "")


def edit_examples() -> Iterator[tuple[str, Key | Verb, dict[str, Any]]]:
    """(title, verb or key, a scenario mapping showing it) for every lever, parameter, common key and fact."""
    for verb in EDIT_SCHEMA:
        yield f"edits: {verb.name}", verb, {"edits": [verb.example]}
        for param in verb.params:
            # a parameter that cannot stand with one of the example's (add: before instead of after) replaces it
            clash = {b if a == param.name else a for a, b in verb.excludes if param.name in (a, b)}
            base = {k: v for k, v in verb.example.items() if k not in clash}
            yield f"edits: {verb.name}.{param.name}", param, {"edits": [{**base, param.name: param.example}]}
    online = EDIT_SCHEMA[[v.name for v in EDIT_SCHEMA].index("online")].example
    for key in COMMON_KEYS:
        yield f"edits: *.{key.name}", key, {"edits": [{**online, key.name: key.example}]}
    verbs = {v.name: v for v in EDIT_SCHEMA}
    for fact in FACT_KEYS:
        # a fact named like a lever (online, commitment) would make the item two edits: show the lever instead
        item = verbs[fact.name].example if fact.name in verbs else {"set": "t_seal", fact.name: fact.example, "source": "assumption: example"}
        yield f"edits: set.{fact.name}", fact, {"edits": [item]}


def _kind(key: Key) -> str:
    zh, en = KIND_TEXT[key.kind]
    bounds = ""
    if key.low is not None or key.high is not None:
        low = "" if key.low is None else f"{key.low:g}"
        high = "" if key.high is None else f"{key.high:,}" if isinstance(key.high, int) else f"{key.high:,.10g}"
        bounds = f"（{low} – {high}）"
    return f"{zh}{bounds} / {en}"


def _section(title: str, item: Key | Verb, example: dict[str, Any]) -> list[str]:
    lines = [f"### `{title}`", "", item.zh, "", item.en[:1].upper() + item.en[1:] + ".", ""]
    if isinstance(item, Key):
        facts = [f"类型 / kind: {_kind(item)}"]
        if item.required:
            facts.append("必填 / required")
        if item.default:
            facts.append(f"默认 / default: {item.default}")
        lines += [" · ".join(facts), ""]
    else:
        lines += [f"取值 / value: {_kind(item.target)}", ""]
    return lines + ["```yaml", _dump(example), "```", ""]


def _levers_table() -> list[str]:
    """Which levers the rules allow on each kind of step (sim.model.legal), as new-scenario lists them."""
    head = "| 环节类别 step_kind | " + " | ".join(STEP_VERBS) + " |"
    rows = [head, "|" + "---|" * (len(STEP_VERBS) + 1)]
    for kind in KINDS.values():
        cells = ["✓" if v in kind.allowed else "✗" for v in STEP_VERBS]
        rows.append(f"| `{kind.name}` {kind.zh} / {kind.en} | " + " | ".join(cells) + " |")
    return rows


def render() -> str:
    """The whole manual as Markdown."""
    out = [
        "# 情景文件手册 / Scenario file manual",
        "",
        "<!-- 由 scripts/gen_scenario_docs.py 依据 sim/model/schema.py 与 sim/model/edits.py 生成，请勿手改 / "
        "generated by scripts/gen_scenario_docs.py from sim/model/schema.py and sim/model/edits.py; do not edit by hand -->",
        "",
        "情景（YAML 文件）说明在什么假设下运行一个流程：申请量、各部门人员与办公时间、案件属性、环节用时、分支比例、"
        "开始日期、案件数与重复次数，以及对流程的改革措施（`edits:`）。每个数值须注明来源：`sim/data/sources.yaml` 的编号、"
        "方案条款，或 `assumption: 理由`。下文列出解析器接受的每一个键及每一种措施，每个例子都能单独解析（测试保证）。",
        "",
        "A scenario (a YAML file) says what a process is run under: demand, staff and opening hours per agency, case "
        "attributes, step durations, branch shares, the start date, cases and replications, and reform levers applied to "
        "the process (`edits:`). Every number names its source: an id of `sim/data/sources.yaml`, a plan clause, or "
        "`assumption: why`. Below is every key the parser accepts and every lever, each with an example that parses on "
        "its own (a test makes sure).",
        "",
        "开始一个新情景 / to start one: `reformsim new-scenario CHAIN --out my.yaml` 写出带注释的起始文件（该链条的环节、"
        "各环节允许的措施、部门与人员、到达）。运行 / run it: `reformsim run my.yaml`。",
        "",
        "## 完整例子 / A complete example",
        "",
        "```yaml",
        _dump(FULL_EXAMPLE),
        "```",
        "",
        "## 键 / Keys",
        "",
        "`<agency>`、`<step>`、`<flow>`、`<attribute>`、`<year>` 代表流程中的编号 / stand for ids of the process.",
        "",
    ]
    for path, key, example in key_examples():
        out += _section(path, key, example)
    out += [
        "## 改革措施 / Levers (`edits:`)",
        "",
        "每项措施是一个映射：一个措施键（值为环节或部门编号）加参数，可带 `source`。措施按顺序作用于流程；"
        "规则（`sim/model/legal.py`）须允许该措施作用于相应环节，否则报错，除非加 `override_rule: \"理由\"`（计为规划者的假设）。",
        "",
        "Each lever is a mapping: one verb key (its value a step or agency id) plus parameters, optionally `source`. "
        "Levers apply to the process in order; the rules (`sim/model/legal.py`) must allow the lever on the steps it acts "
        "on, else it is an error unless the edit adds `override_rule: \"why\"` (counted as the planner's assumption).",
        "",
        "### 各类环节允许的措施 / Levers the rules allow, by kind of step",
        "",
        *_levers_table(),
        "",
    ]
    for title, item, example in edit_examples():
        out += _section(title, item, example)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)} instead of printing")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        from sim.files import atomic_write

        atomic_write(DOC, text)
        print(f"wrote {DOC.relative_to(ROOT)}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
