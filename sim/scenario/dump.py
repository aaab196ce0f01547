"""Writing a :class:`Scenario` back to TOML text, so that ``loads(dumps(s)) == s``.

Strings are written as TOML basic strings; numbers as Python's shortest round-trip ``repr`` of a
float, which TOML reads back to the same float.
"""

from __future__ import annotations

from sim.scenario.schema import ChanceMove, Scaled, Scenario


def _s(text: str) -> str:
    # TOML basic string: escape the quote, the backslash and control characters (DEL included);
    # everything else is written as UTF-8. (JSON's \uD800-style surrogate pairs are not valid TOML.)
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _v(value) -> str:
    if isinstance(value, Scaled):
        if len(value.parameters) == 1:
            return _inline([("parameter", _s(value.parameters[0])), ("scale", repr(float(value.scale)))])
        return _inline([("product", _list([_s(n) for n in value.parameters])), ("scale", repr(float(value.scale)))])
    if isinstance(value, str):
        return _s(value)
    return repr(float(value))


def _inline(pairs) -> str:
    return "{ " + ", ".join(f"{_s(k)} = {v}" for k, v in pairs) + " }" if pairs else "{}"


def _list(items) -> str:
    return "[" + ", ".join(items) + "]"


def dump_scenario(scenario: Scenario) -> str:
    """The TOML text of ``scenario``.

    Examples
    --------
    >>> from sim.scenario.load import loads_scenario
    >>> text = '''
    ... [scenario]
    ... id = "x"
    ... title = "X"
    ... timing = "simultaneous"
    ... [players.A]
    ... actions = ["a", "b"]
    ... [[goals]]
    ... player = "A"
    ... name = "g"
    ... weight = 2
    ... rules = [{ when = { A = "a" }, value = 1 }]
    ... '''
    >>> s = loads_scenario(text)
    >>> loads_scenario(dump_scenario(s)) == s
    True
    """
    out = ["[scenario]", f"id = {_s(scenario.id)}", f"title = {_s(scenario.title)}"]
    if scenario.source:
        out.append(f"source = {_s(scenario.source)}")
    if scenario.description:
        out.append(f"description = {_s(scenario.description)}")
    if scenario.timing_assumption:
        out.append("timing_assumption = true")
    if scenario.timing == "simultaneous":
        out.append('timing = "simultaneous"')
    else:
        moves = []
        for m in scenario.timing:
            if isinstance(m, ChanceMove):
                pairs = [("chance", _s(m.name)), ("outcomes", _inline([(o, _v(p)) for o, p in m.outcomes]))]
                if m.description:
                    pairs.append(("description", _s(m.description)))
            else:
                pairs = [("player", _s(m.player)), ("observes", _list([_s(o) for o in m.observes]))]
                if m.key != m.player:
                    pairs.append(("name", _s(m.key)))
                if m.actions and m.actions != scenario.actions_of(m.player):
                    pairs.append(("actions", _list([_s(a) for a in m.actions])))
                if m.description:
                    pairs.append(("description", _s(m.description)))
            if m.when:
                pairs.append(("when", _inline([(k, _list([_s(a) for a in allowed])) for k, allowed in m.when])))
            if m.assumption:
                pairs.append(("assumption", "true"))
            moves.append("  " + _inline(pairs))
        out.append("timing = [\n" + ",\n".join(moves) + ",\n]")
    if scenario.parameters:
        out += ["", "[parameters]"]
        for p in scenario.parameters:
            pairs = [("default", _v(p.default))]
            if p.min is not None:
                pairs.append(("min", _v(p.min)))
            if p.max is not None:
                pairs.append(("max", _v(p.max)))
            if p.description:
                pairs.append(("description", _s(p.description)))
            pairs.append(("assumption", "true" if p.assumption else "false"))
            if p.unit:
                pairs.append(("unit", _s(p.unit)))
            if p.lever:
                pairs.append(("lever", _s(p.lever)))
            out.append(f"{_s(p.name)} = {_inline(pairs)}")
    for name, actions in scenario.players:
        out += ["", f"[players.{_s(name)}]", f"actions = {_list([_s(a) for a in actions])}"]
    for g in scenario.goals:
        out += ["", "[[goals]]", f"player = {_s(g.player)}", f"name = {_s(g.name)}", f"weight = {_v(g.weight)}"]
        if g.quote:
            out.append(f"quote = {_s(g.quote)}")
        if g.description:
            out.append(f"description = {_s(g.description)}")
        out.append(f"assumption = {'true' if g.assumption else 'false'}")
        rules = []
        for r in g.rules:
            when = _inline([(m, _list([_s(a) for a in allowed])) for m, allowed in r.when])
            rules.append(f"  {{ when = {when}, value = {_v(r.value)} }}")
        out.append("rules = [\n" + ",\n".join(rules) + ",\n]")
    if scenario.repeated is not None:
        out += ["", "[repeated]", f"discount = {_v(scenario.repeated.discount)}"]
        if scenario.repeated.description:
            out.append(f"description = {_s(scenario.repeated.description)}")
    b = scenario.bargaining
    if b is not None:
        out += ["", "[bargaining]", f"players = {_list([_s(p) for p in b.players])}",
                f"disagreement = {_s(b.disagreement)}"]
        if b.powers:
            out.append(f"powers = {_inline([(p, _v(v)) for p, v in b.powers])}")
        for it in b.issues:
            out += ["", "[[bargaining.issues]]", f"name = {_s(it.name)}",
                    f"range = [{_v(it.min)}, {_v(it.max)}]",
                    f"utility = {_inline([(p, _v(v)) for p, v in it.utility])}"]
            if it.description:
                out.append(f"description = {_s(it.description)}")
            if it.quote:
                out.append(f"quote = {_s(it.quote)}")
    for c in scenario.claims:
        out += ["", "[[claims]]", f"id = {_s(c.id)}", f"claim = {_s(c.claim)}", f"quote = {_s(c.quote)}"]
        for name in ("method", "sweep", "description"):
            if getattr(c, name):
                out.append(f"{name} = {_s(getattr(c, name))}")
        conds = []
        for d in c.conditions:
            pairs = []
            if d.path:
                pairs.append(("path", _inline([(m, _list([_s(a) for a in acts])) for m, acts in d.path])))
            if d.gain is not None:
                over = _inline([(m, _s(a)) for m, a in d.gain.over])
                pairs.append(("gain", _inline([("player", _s(d.gain.player)), ("over", over)])))
            if d.after:
                pairs.append(("after", _inline([(m, _s(a)) for m, a in d.after])))
            if d.set:
                pairs.append(("set", _inline([(p, _v(v)) for p, v in d.set])))
            if d.negate:
                pairs.append(("not", "true"))
            if d.at_least != 1.0:
                pairs.append(("at_least", _v(d.at_least)))
            conds.append("  " + _inline(pairs))
        out.append("conditions = [\n" + ",\n".join(conds) + ",\n]")
    for o in scenario.observations:
        out += ["", "[[observations]]", f"id = {_s(o.id)}", f"observation = {_s(o.observation)}",
                f"quote = {_s(o.quote)}", f"path = {_inline([(m, _s(a)) for m, a in o.path])}"]
        if o.description:
            out.append(f"description = {_s(o.description)}")
    return "\n".join(out) + "\n"
