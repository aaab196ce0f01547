"""``bargain export SCENARIO --to nfg|efg [--out FILE] [--set NAME=VALUE]...``: Gambit formats."""

from __future__ import annotations

from analysis.arguments import parse_assignment


def register(sub) -> None:
    p = sub.add_parser("export", help="write a scenario's game as a Gambit .nfg or .efg file")
    p.add_argument("path", help="scenario .toml file")
    p.add_argument("--to", required=True, choices=["nfg", "efg"], help="Gambit format")
    p.add_argument("--out", metavar="FILE", help="output file (default: standard output)")
    p.add_argument("--set", dest="overrides", action="append", type=parse_assignment, default=[],
                   metavar="NAME=VALUE", help="override a scenario parameter (repeatable)")
    p.set_defaults(run=run)


def export_text(compiled, fmt: str, overrides=None) -> str:
    """The Gambit text of a compiled scenario; a sequential one goes to .nfg as its reduced normal form."""
    if fmt == "nfg":
        from sim.formats.nfg import format_nfg

        return format_nfg(compiled.normal_form(overrides))
    from sim.formats.efg import format_efg

    return format_efg(compiled.extensive_game(overrides))


def run(args) -> int:
    from analysis.io import check_output, write_atomic
    from sim.scenario import compile_scenario, load_scenario

    if args.out:
        check_output(args.out)
    text = export_text(compile_scenario(load_scenario(args.path)), args.to, dict(args.overrides))
    if args.out:
        write_atomic(args.out, text)
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    return 0
