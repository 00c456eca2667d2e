"""`madoguchi insights erlang …`: the Erlang C staffing check, without Django or a database.

    madoguchi insights erlang --arrivals-per-hour A --service-minutes S \\
        --target-seconds T --target-share P

prints one line `agents=N service_level=… wait_probability=… mean_wait_s=…` for the smallest number
of windows (agents) whose service level (share called within T seconds) reaches P. Exit 2 on bad
input, with the reason on standard error.
"""

from __future__ import annotations

import argparse
import math
import sys

from .erlang import agents_needed


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own exit code for usage errors is 2 as well; keep the message short and clear.
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="madoguchi insights",
        description="Staffing calculators (Erlang C).",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    erlang = sub.add_parser(
        "erlang",
        help="the smallest number of windows meeting a service-level target (Erlang C)",
        description="The smallest number of windows meeting a service-level target (Erlang C).",
    )
    erlang.add_argument("--arrivals-per-hour", type=float, required=True, metavar="A")
    erlang.add_argument("--service-minutes", type=float, required=True, metavar="S")
    erlang.add_argument("--target-seconds", type=float, required=True, metavar="T")
    erlang.add_argument(
        "--target-share", type=float, required=True, metavar="P", help="a share, e.g. 0.8 for 80 %%"
    )
    return parser


def _problem(args: argparse.Namespace) -> str | None:
    values = {
        "--arrivals-per-hour": args.arrivals_per_hour,
        "--service-minutes": args.service_minutes,
        "--target-seconds": args.target_seconds,
        "--target-share": args.target_share,
    }
    for name, value in values.items():
        if not math.isfinite(value):
            return f"{name} must be a finite number, not {value}"
    if args.arrivals_per_hour <= 0:
        return "--arrivals-per-hour must be greater than 0"
    if args.service_minutes <= 0:
        return "--service-minutes must be greater than 0"
    if args.target_seconds < 0:
        return "--target-seconds must be 0 or more"
    if not 0 < args.target_share < 1:
        return (
            f"--target-share must be a share between 0 and 1 (e.g. 0.8 for 80 %), "
            f"not {args.target_share:g}"
        )
    return None


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    problem = _problem(args)
    if problem:
        print(f"madoguchi insights erlang: {problem}", file=sys.stderr)
        return 2
    try:
        figures = agents_needed(
            arrival_rate=args.arrivals_per_hour / 60.0,
            mean_service=args.service_minutes,
            target_time=args.target_seconds / 60.0,
            target_share=args.target_share,
        )
    except ValueError as exc:
        print(f"madoguchi insights erlang: {exc}", file=sys.stderr)
        return 2
    print(
        f"agents={figures.agents} service_level={figures.service_level:.3f} "
        f"wait_probability={figures.wait_probability:.3f} mean_wait_s={figures.mean_wait * 60:.1f}"
    )
    return 0
