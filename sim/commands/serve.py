"""``reformsim serve``: the local web page to try reforms on (:mod:`sim.web`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "serve"
HELP = ("打开本机网页：在一条链上切换改革措施、人员和申请量，查看结论的变化 / open a local web page to try levers, staff and "
        "demand on a chain and see the verdicts change")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args

    p.add_argument("--port", type=_args.port, default=8765, help="监听端口（默认 8765；0 为任一空闲端口） / port to listen on (default 8765; 0: a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="监听地址（默认 127.0.0.1，仅本机；其他地址可被他人访问） / address to listen on (default 127.0.0.1: this "
                        "machine only; another address lets others reach it)")
    p.add_argument("--out", type=Path, help="保存情景和报告的文件夹（默认仓库的 out/serve） / folder saved what-ifs and reports go into (default: out/serve "
                        "of the repository)")
    p.add_argument("--register", type=Path, help="目标清单（默认仓库的 scenarios/targets.yaml） / target register (default: scenarios/targets.yaml of the repository)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="网页初始语言（页面上可切换） / the page's language at first (it has a switch)")
    p.add_argument("--no-open", action="store_true", help="不打开浏览器，只显示地址 / do not open a browser; print the address only")


def run(args: argparse.Namespace) -> int:
    from sim.web.server import serve
    from sim.web.workbench import Workbench

    workbench = Workbench(register=args.register, out=args.out, lang=args.lang)  # bad register or --out: exit 2 here

    def ready(url: str) -> None:
        print(f"reformsim serve: {url} (saves go to {workbench.out}; Ctrl-C stops)", file=sys.stderr, flush=True)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"reformsim serve: 警告 / warning: listening on {args.host}: anyone who can reach this machine there can "
                  "run simulations and save into the output folder (the page has no login)", file=sys.stderr, flush=True)
        if not args.no_open:
            import webbrowser

            webbrowser.open(url)

    serve(workbench, host=args.host, port=args.port, ready=ready)
    return 0
