"""Argparse types shared by every command, so ``--cases 0`` or ``--seed 2**63`` is refused (exit 2) the same way.

Example:
    >>> positive_int("3")
    3
    >>> seed("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a whole number >= 0 and <= 9.22337e+18, got -1
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.i18n import DEFAULT_LANG, LANGS, lang_help
from sim.model.bounds import MAX_CASES, MAX_WORKERS, SEED_MAX, check_number


def _typed(parse: Callable[[str], object], **bounds: object) -> Callable[[str], object]:
    def convert(text: str) -> object:
        try:
            value = parse(text)
        except ValueError:
            value = text
        try:
            return check_number(value, **bounds)  # type: ignore[arg-type]
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


positive_int = _typed(int, low=1, high=MAX_CASES, whole=True)  # cases, replications
workers = _typed(int, low=1, high=MAX_WORKERS, whole=True)
seed = _typed(int, low=0, high=SEED_MAX, whole=True)
required_share = _typed(float, low=0.0, above=True, high=1.0)  # --required: share of cases that must meet a target
finite = _typed(float, low=-1e300)  # any finite number, e.g. a threshold
port = _typed(int, low=0, high=65535, whole=True)  # serve --port (0: a free one)
precision = _typed(float, low=0.0, above=True, high=0.5)  # --precision: a 95% half-width on a share meeting a target


def add_precision(p: argparse.ArgumentParser) -> None:
    """``--precision H`` and ``--max-replications N``: replications chosen adaptively (sim.engine.runner.simulate_to_precision)."""
    from sim.engine.runner import PRECISION_CAP

    p.add_argument("--precision", type=precision, metavar="H",
                   help="达标比例95%%区间的目标半宽（如 0.02），逐批增加重复次数直到达到或达到上限 / the 95%% half-width wanted on the share meeting each target (e.g. 0.02): replications are added in "
                        "batches until it is reached or --max-replications ran; the output says which")
    p.add_argument("--max-replications", type=_typed(int, low=2, high=MAX_CASES, whole=True), default=PRECISION_CAP, metavar="N",
                   help=f"--precision 的重复次数上限 / the cap for --precision (default {PRECISION_CAP})")


def add_lang(p: argparse.ArgumentParser) -> None:
    """``--lang zh|en`` (default zh), the same on every command."""
    p.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help=lang_help())


def add_prosimos(p: argparse.ArgumentParser, *, what: str = "the target") -> None:
    """``--prosimos PARAMS.json``: the model is a Prosimos BPMN + JSON pair (sim.interop.prosimos), on every command that takes one."""
    p.add_argument("--prosimos", type=Path, metavar="PARAMS.json",
                   help="模型是 Prosimos BPMN 模型，此为其 JSON 模拟参数；情景 YAML（process: 该 BPMN）的设置叠加在导入结果之上 / "
                        f"{what} is a Prosimos BPMN model and this its JSON simulation parameters (sim.interop.prosimos); "
                        "a scenario YAML naming that BPMN as process: is applied over the import, as over a scenario it extends")


def target_settings(target: Path, prosimos: Path | None) -> tuple[dict[str, Any], str]:
    """A command's model argument as a run's merged settings and the file they are known by.

    With ``prosimos``, ``target`` is the Prosimos BPMN itself (the import as it is) or a scenario YAML
    whose ``process:`` is that BPMN (its settings go over the import); without, a scenario YAML.

    >>> settings, file = target_settings(Path("m.bpmn"), Path("m.json"))
    >>> sorted(settings), Path(file).name
    (['process', 'prosimos'], 'm.json')
    """
    from sim.scenarios import PROSIMOS_KEY, load_scenario_mapping

    if prosimos is not None and target.suffix.lower() not in (".yaml", ".yml"):
        return {"process": str(target.resolve()), PROSIMOS_KEY: str(prosimos.resolve())}, str(prosimos)
    settings = load_scenario_mapping(target)
    if prosimos is not None:
        settings[PROSIMOS_KEY] = str(prosimos.resolve())
    return settings, str(target)
