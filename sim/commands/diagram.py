"""``reformsim diagram FILE --out FILE.svg|png``: draw a BPMN file from its DI."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "diagram"
HELP = "按图形信息绘制 BPMN 流程图（SVG 或 PNG） / draw a BPMN process from its diagram information (SVG or PNG, Chinese labels)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("process", type=Path, help="BPMN 文件 / BPMN file")
    p.add_argument("--out", type=Path, help="输出 .svg 或 .png（默认：同目录 .svg） / output .svg or .png (default: next to the file, .svg)")
    from sim.commands import _args

    _args.add_lang(p)


def run(args: argparse.Namespace) -> int:
    # The diagram reader alone: a drawing needs no simulatable process (a file with boundary events draws too).
    from sim.bpmn.di import read_document
    from sim.report.diagram import check_figure_path, render_diagram

    out = check_figure_path(args.out or args.process.with_suffix(".svg"))  # before drawing: a bad --out costs no work
    print(render_diagram(read_document(args.process), out, lang=args.lang))
    return 0
