"""``bargain show SCENARIO [--set NAME=VALUE]...``: players, actions, goals and the payoff table."""

from __future__ import annotations

from analysis.arguments import parse_assignment


def register(sub) -> None:
    p = sub.add_parser("show", help="print a scenario's players, goals with quotes, and its payoff table")
    p.add_argument("path", help="scenario .toml file")
    p.add_argument("--set", dest="overrides", action="append", type=parse_assignment, default=[],
                   metavar="NAME=VALUE", help="override a scenario parameter (repeatable)")
    p.set_defaults(run=run)


def _value(v) -> str:
    """A number, a parameter name, or a scaled term (``-x``, ``0.5*x*y``) as written for people."""
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


def format_scenario(compiled, overrides=None) -> str:
    """Human-readable description of a compiled scenario at the defaults with ``overrides``."""
    import itertools

    s = compiled.scenario
    theta = compiled.point(overrides)
    lines = [f"{s.title}  [{s.id}]"]
    if s.source:
        lines.append(f"source: {s.source}")
    from analysis.render import timing_lines

    order_flag = "  (assumption: move order and observation)" if s.timing_assumption else ""
    # who moves, what each mover has seen, when, and which moves are assumptions (analysis.render)
    lines.append(("timing:" if s.sequential else "timing: simultaneous") + order_flag)
    lines += [f"  {line}" for line in timing_lines(s)]
    if s.parameters:
        lines.append("parameters:")
        for p, value in zip(s.parameters, theta):
            bounds = f" in [{_value(p.min) if p.min is not None else '-inf'}, " \
                     f"{_value(p.max) if p.max is not None else 'inf'}]"
            flag = "  (assumption)" if p.assumption else ""
            lines.append(f"  {p.name} = {value:g}{bounds}{flag}{'  - ' + p.description if p.description else ''}")
    lines.append("players:")
    for name, actions in s.players:
        lines.append(f"  {name}: {', '.join(actions)}")
    lines.append("goals:")
    for g in s.goals:
        flag = "  (assumption)" if g.assumption else ""
        lines.append(f"  {g.player}.{g.name}  weight {_value(g.weight)}{flag}")
        if g.quote:
            lines.append(f"      \"{g.quote}\"")
        for r in g.rules:
            cond = " and ".join(f"{m} in {{{', '.join(a)}}}" if len(a) > 1 else f"{m} = {a[0]}" for m, a in r.when)
            lines.append(f"      {_value(r.value)} when {cond or 'always'}")
    assumed = [f"parameter {p.name}" for p in s.parameters if p.assumption]
    assumed += [f"goal {g.player}.{g.name}" for g in s.goals if g.assumption]
    if s.timing_assumption:
        assumed.append("timing (move order and what each mover observes)")
    if s.sequential:
        assumed += [f"move {m.key}" for m in s.timing if m.assumption]
    if assumed:
        lines.append("assumptions (not stated by the source):")
        lines += [f"  {a}" for a in assumed]
    payoffs = compiled.payoffs(theta[None], check=False)[0]
    lines.append("payoffs (" + ("terminal histories" if s.sequential else "pure profiles") + "):")
    header = [*compiled.movers, "|", *compiled.players]
    rows = []
    for idx in itertools.product(*(range(n) for n in compiled.outcome_shape)):
        rows.append([compiled.labels[k][a] for k, a in enumerate(idx)] + ["|"]
                    + [f"{x:g}" for x in payoffs[idx]])
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    for r in [header, *rows]:
        lines.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def run(args) -> int:
    from sim.scenario import compile_scenario, load_scenario

    compiled = compile_scenario(load_scenario(args.path))
    print(format_scenario(compiled, dict(args.overrides)))
    return 0
