"""Independent solvers used as oracles in tests.

pygambit runs in a subprocess: some of its solvers can crash the process. Payoffs travel as JSON
(exact for the floats we generate), results come back as lists of floats per player.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

_GAMBIT_SCRIPT = r"""
import json, sys
import numpy as np
import pygambit as gbt
req = json.load(sys.stdin)
payoffs = np.array(req["payoffs"], dtype=float)
n = payoffs.shape[-1]
if req.get("nfg") is not None:
    import io
    g = gbt.read_nfg(io.StringIO(req["nfg"])) if hasattr(gbt, "read_nfg") else gbt.Game.parse_game(req["nfg"])
else:
    arrays = [payoffs[..., i] for i in range(n)]
    if req.get("rational"):
        from fractions import Fraction
        arrays = [np.vectorize(lambda x: Fraction(x).limit_denominator(10**9), otypes=[object])(a) for a in arrays]
    g = gbt.Game.from_arrays(*arrays)
method = req["method"]
kwargs = req.get("kwargs", {})
res = getattr(gbt.nash, method + "_solve")(g, **kwargs)
out = []
for eq in res.equilibria:
    prof = []
    for p in g.players:
        prof.append([float(eq[s]) for s in p.strategies])
    out.append(prof)
json.dump(out, sys.stdout)
"""


class OracleFailed(RuntimeError):
    """The oracle crashed or timed out; the test decides whether that is a skip."""


def _run_pygambit(script: str, what: str, timeout: float, *, stdin: str | None = None, args=()):
    """Run a pygambit script in a fresh interpreter and return its parsed JSON output.

    A crash or a time-out becomes :class:`OracleFailed` naming ``what`` was being computed.
    """
    try:
        proc = subprocess.run([sys.executable, "-c", script, *args], input=stdin,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise OracleFailed(f"pygambit {what} timed out after {timeout}s") from exc
    if proc.returncode != 0:
        raise OracleFailed(f"pygambit {what} failed (exit {proc.returncode}): {proc.stderr[-500:]}")
    return json.loads(proc.stdout)


def gambit_equilibria(payoffs=None, method: str = "enumpure", *, nfg_text: str | None = None,
                      timeout: float = 120, rational: bool = False, **kwargs) -> list[list[np.ndarray]]:
    """Equilibria computed by pygambit's ``<method>_solve`` in a subprocess.

    Give either a payoff array ``(n_0, ..., n_{N-1}, N)`` or the text of an ``.nfg`` file.
    Returns one list of per-player probability vectors per equilibrium.
    """
    req = {
        "payoffs": [] if payoffs is None else np.asarray(payoffs, dtype=float).tolist(),
        "nfg": nfg_text,
        "method": method,
        "kwargs": kwargs,
        "rational": rational,
    }
    out = _run_pygambit(_GAMBIT_SCRIPT, method, timeout, stdin=json.dumps(req))
    return [[np.array(s, dtype=float) for s in eq] for eq in out]


_GAMBIT_EFG_PURE_SCRIPT = r"""
import json, sys
import pygambit as gbt
docs = {}
for path in sys.argv[1:]:
    try:
        g = gbt.read_efg(path)
        res = gbt.nash.enumpure_solve(g)
    except Exception as exc:  # reported per file, the test states the reason
        docs[path] = {"error": f"{type(exc).__name__}: {exc}"}
        continue
    out = {"infosets": [[i.label for i in p.infosets] for p in g.players], "equilibria": []}
    for eq in res.equilibria:
        out["equilibria"].append([[s.label for s in p.strategies if eq[s] == 1][0] for p in g.players])
    docs[path] = out
json.dump(docs, sys.stdout)
"""


def gambit_efg_pure_plans_many(paths, timeout: float = 120) -> dict:
    """:func:`gambit_efg_pure_plans` for many files in one subprocess (pygambit imports once).

    Returns ``{str(path): (infoset_labels, equilibria)}``, or ``{str(path): OracleFailed}`` for a
    file pygambit refuses (for example, pygambit 16 rejects repeated node or infoset labels).
    """
    paths = [str(p) for p in paths]
    out = _run_pygambit(_GAMBIT_EFG_PURE_SCRIPT, f"enumpure on {len(paths)} files", timeout, args=paths)
    return {p: (OracleFailed(doc["error"]) if "error" in doc else _plans_of(doc)) for p, doc in out.items()}


def _plans_of(doc):
    equilibria = []
    for eq in doc["equilibria"]:
        plans = []
        for label, infosets in zip(eq, doc["infosets"]):
            if len(label) != len(infosets):
                raise OracleFailed(f"cannot map Gambit strategy label {label!r} onto {len(infosets)} infosets")
            plans.append({k: int(c) - 1 for k, c in enumerate(label) if c != "*"})
        equilibria.append(plans)
    return doc["infosets"], equilibria


def gambit_efg_pure_plans(path, timeout: float = 120) -> tuple[list[list[str]], list[list[dict[int, int]]]]:
    """Pure equilibria pygambit finds on the reduced strategic form of an ``.efg`` file.

    Returns ``(infoset_labels, equilibria)``: each player's infoset labels in Gambit's numbering
    order, and per equilibrium one plan per player mapping Gambit infoset index (0-based) to action
    index (0-based). Gambit labels a reduced strategy by one character per infoset: the action's
    1-based number, or ``*`` where the strategy never reaches that infoset.
    """
    result = gambit_efg_pure_plans_many([path], timeout)[str(path)]
    if isinstance(result, OracleFailed):
        raise result
    return result


_GAMBIT_BATCH_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
reqs = json.load(sys.stdin)
out = []
for req in reqs:
    g = gbt.read_nfg(io.StringIO(req["nfg"]))
    res = getattr(gbt.nash, req["method"] + "_solve")(g, **req.get("kwargs", {}))
    out.append([[[float(eq[s]) for s in p.strategies] for p in g.players] for eq in res.equilibria])
json.dump(out, sys.stdout)
"""


def gambit_equilibria_many(nfg_texts, method: str = "enumpure", *, timeout: float = 300,
                           **kwargs) -> list[list[list[np.ndarray]]]:
    """Like :func:`gambit_equilibria` for many ``.nfg`` texts in one subprocess.

    Starting pygambit takes seconds on a loaded machine, so a corpus is solved in one process.
    Returns one list of equilibria per text, in order.
    """
    reqs = [{"nfg": t, "method": method, "kwargs": kwargs} for t in nfg_texts]
    out = _run_pygambit(_GAMBIT_BATCH_SCRIPT, method, timeout, stdin=json.dumps(reqs))
    return [[[np.array(s, dtype=float) for s in eq] for eq in eqs] for eqs in out]


_GAMBIT_EFG_BEHAVIOUR_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
reqs = json.load(sys.stdin)
out = []
for req in reqs:
    try:
        g = gbt.read_efg(io.StringIO(req["efg"]))
    except Exception as exc:  # a text pygambit refuses: reported for each method
        out.append({m: {"error": f"read_efg: {type(exc).__name__}: {exc}"} for m, _ in req["methods"]})
        continue
    docs = {}
    for method, kwargs in req["methods"]:
        try:
            res = getattr(gbt.nash, method + "_solve")(g, **kwargs)
        except Exception as exc:  # reported per method, the test states the reason
            docs[method] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        eqs = []
        for eq in res.equilibria:
            eqs.append({i.label: [float(eq[a]) for a in i.actions] for p in g.players for i in p.infosets})
        docs[method] = {"equilibria": eqs}
    out.append(docs)
json.dump(out, sys.stdout)
"""


def gambit_behaviour_equilibria_many(efg_texts, methods, *, timeout: float = 300) -> list[dict]:
    """Behaviour-strategy equilibria pygambit's tree solvers find, for many ``.efg`` texts in one
    subprocess.

    ``methods`` is a list of ``(method, kwargs)``, e.g. ``("lcp", {"use_strategic": False})`` for
    Lemke's algorithm on the sequence form (Koller, Megiddo and von Stengel 1996), ``("enumpoly",
    {"use_strategic": False})`` or ``("logit", {})`` on the agent form. Returns per text
    ``{method: [ {infoset label: action probabilities} per equilibrium ]}``, or
    ``{method: OracleFailed}`` where pygambit raised.
    """
    reqs = [{"efg": t, "methods": [list(m) for m in methods]} for t in efg_texts]
    out = _run_pygambit(_GAMBIT_EFG_BEHAVIOUR_SCRIPT, f"{len(methods)} tree solvers", timeout,
                        stdin=json.dumps(reqs))
    return [{m: (OracleFailed(d["error"]) if "error" in d else d["equilibria"]) for m, d in doc.items()}
            for doc in out]


_GAMBIT_EFG_SHAPE_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
out = []
for text in json.load(sys.stdin):
    try:
        g = gbt.read_efg(io.StringIO(text))
    except Exception as exc:  # reported per text, the test states the reason
        out.append({"error": f"{type(exc).__name__}: {exc}"})
        continue
    players = list(g.players)
    terminals, n_nodes = [], 0
    stack = [(g.root, [0.0] * len(players))]
    while stack:  # preorder, children in action order; outcomes add up along the path (Gambit's rule)
        node, carried = stack.pop()
        n_nodes += 1
        try:
            carried = [c + float(node.outcome[p]) for c, p in zip(carried, players)]
        except (KeyError, TypeError):  # pygambit 16 raises KeyError for a node without an outcome
            pass
        if node.is_terminal:
            terminals.append(carried)
        stack.extend((child, carried) for child in reversed(list(node.children)))
    out.append({"nodes": n_nodes,
                "infosets": [len(p.infosets) for p in players],
                "actions": [[len(i.actions) for i in p.infosets] for p in players],
                "chance_actions": [len(i.actions) for i in g.players.chance.infosets],
                "terminal_payoffs": terminals})
json.dump(out, sys.stdout)
"""


def gambit_tree_shapes_many(efg_texts, *, timeout: float = 300) -> list:
    """How pygambit reads each ``.efg`` text, in one subprocess: ``{"nodes", "infosets"`` (count
    per player), ``"actions"`` (per player, the number of actions of each infoset in Gambit's
    order), ``"chance_actions"``, ``"terminal_payoffs"`` (each terminal's payoffs in preorder,
    outcomes on the path added in)``}``, or :class:`OracleFailed` for a text pygambit refuses.
    """
    out = _run_pygambit(_GAMBIT_EFG_SHAPE_SCRIPT, f"reading {len(efg_texts)} .efg texts", timeout,
                        stdin=json.dumps(list(efg_texts)))
    return [OracleFailed(d["error"]) if "error" in d else d for d in out]


_GAMBIT_LOGIT_ESTIMATE_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
reqs = json.load(sys.stdin)
out = []
for req in reqs:
    g = gbt.read_nfg(io.StringIO(req["nfg"]))
    data = g.mixed_strategy_profile()
    for player, counts in zip(g.players, req["counts"]):
        for strategy, c in zip(player.strategies, counts):
            data[strategy] = c
    fit = gbt.qre.logit_estimate(data)
    out.append({"lambda": float(fit.lam), "log_like": float(fit.log_like),
                "profile": [[float(fit.profile[s]) for s in p.strategies] for p in g.players]})
json.dump(out, sys.stdout)
"""


def gambit_logit_estimates(requests, timeout: float = 300) -> list[dict]:
    """pygambit's ``qre.logit_estimate`` (maximum likelihood along the principal branch) for
    ``(nfg_text, counts)`` pairs in one subprocess: ``{"lambda", "log_like", "profile"}`` each."""
    reqs = [{"nfg": text, "counts": [list(map(float, c)) for c in counts]} for text, counts in requests]
    return _run_pygambit(_GAMBIT_LOGIT_ESTIMATE_SCRIPT, "logit_estimate", timeout, stdin=json.dumps(reqs))


_GAMBIT_AGENT_LOGIT_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
out = []
for req in json.load(sys.stdin):
    try:
        g = gbt.read_efg(io.StringIO(req["efg"]))
    except Exception as exc:  # reported per tree, the test states the reason
        out.append({"error": f"read_efg: {type(exc).__name__}: {exc}"})
        continue
    infosets = [[i.label for i in p.infosets] for p in g.players]

    def profile(q):  # pygambit 16 indexes a QRE profile by position: players, infosets, actions
        flat = iter(float(q[k]) for k in range(len(q)))
        return [[[next(flat) for _ in i.actions] for i in p.infosets] for p in g.players]

    doc = {"infosets": infosets}
    try:
        if req["lambdas"]:
            at = gbt.qre.logit_solve_lambda(g, req["lambdas"], use_strategic=False)
            doc["at"] = [profile(q) for q in at]
        if req["branch"]:
            branch = gbt.qre.logit_solve_branch(g, use_strategic=False)
            keep = branch[:: max(1, len(branch) // req["branch"])][: req["branch"]] + [branch[-1]]
            doc["branch"] = [[float(q.lam), profile(q)] for q in keep]
    except Exception as exc:  # reported per tree, the test states the reason
        doc["error"] = f"{type(exc).__name__}: {exc}"
    out.append(doc)
json.dump(out, sys.stdout)
"""


def gambit_agent_logit_many(efg_texts, lambdas=(), branch: int = 0, *, timeout: float = 300) -> list:
    """pygambit's agent logit QRE of each ``.efg`` text, in one subprocess: the profiles at
    ``lambdas`` (``pygambit.qre.logit_solve_lambda`` on the agent form) and, with ``branch > 0``,
    about that many points of the principal branch traced to its limit (``logit_solve_branch``,
    its last point included), each ``[lambda, profile]``. A profile is, per player, per
    information set in Gambit's order, the action probabilities; ``"infosets"`` gives the
    labels. A tree pygambit refuses gets ``{"error": ...}``."""
    reqs = [{"efg": t, "lambdas": [float(x) for x in lambdas], "branch": int(branch)} for t in efg_texts]
    return _run_pygambit(_GAMBIT_AGENT_LOGIT_SCRIPT, "agent logit", timeout, stdin=json.dumps(reqs))


_GAMBIT_AGENT_ESTIMATE_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
out = []
for req in json.load(sys.stdin):
    try:
        g = gbt.read_efg(io.StringIO(req["efg"]))
    except Exception as exc:
        out.append({"error": f"read_efg: {type(exc).__name__}: {exc}"})
        continue
    data = g.mixed_behavior_profile()
    for p, per_infoset in zip(g.players, req["counts"]):
        for i, counts in zip(p.infosets, per_infoset):
            for a, c in zip(i.actions, counts):
                data[a] = c
    try:
        fit = gbt.qre.logit_estimate(data)
    except Exception as exc:
        out.append({"error": f"{type(exc).__name__}: {exc}"})
        continue
    out.append({"lambda": float(fit.lam), "log_like": float(fit.log_like),
                "profile": [[[float(fit.profile[a]) for a in i.actions] for i in p.infosets] for p in g.players]})
json.dump(out, sys.stdout)
"""


def gambit_agent_logit_estimates(requests, timeout: float = 300) -> list[dict]:
    """pygambit's ``qre.logit_estimate`` on behaviour-profile counts (the agent QRE's maximum
    likelihood along the principal branch) for ``(efg_text, counts)`` pairs in one subprocess;
    ``counts`` per player, per information set in Gambit's order, per action. Returns
    ``{"lambda", "log_like", "profile"}`` (or ``{"error"}``) each."""
    reqs = [{"efg": text, "counts": [[list(map(float, c)) for c in per] for per in counts]}
            for text, counts in requests]
    return _run_pygambit(_GAMBIT_AGENT_ESTIMATE_SCRIPT, "agent logit_estimate", timeout, stdin=json.dumps(reqs))


_GAMBIT_EFG_CHECK_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
reqs = json.load(sys.stdin)
out = []
for req in reqs:
    g = gbt.read_efg(io.StringIO(req["efg"]))
    doc = {"equilibria": {}, "regrets": []}
    for method, kwargs in req["methods"]:
        try:
            res = getattr(gbt.nash, method + "_solve")(g, **kwargs)
        except Exception as exc:  # reported per method, the test states the reason
            doc["equilibria"][method] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        doc["equilibria"][method] = [{i.label: [float(eq[a]) for a in i.actions] for p in g.players
                                      for i in p.infosets} for eq in res.equilibria]
    for behaviour in req["profiles"]:
        prof = g.mixed_behavior_profile(rational=False)
        for p in g.players:
            for i in p.infosets:
                for a, x in zip(i.actions, behaviour[i.label]):
                    prof[a] = float(x)
        doc["regrets"].append(float(prof.max_regret()))
    out.append(doc)
json.dump(out, sys.stdout)
"""


def gambit_tree_check_many(efg_texts, methods, profiles, *, timeout: float = 120) -> list[dict]:
    """pygambit's tree solvers and its own regret of given profiles, for many ``.efg`` texts in one
    subprocess (starting pygambit costs seconds; one process does both directions of a test).

    ``methods`` is a list of ``(method, kwargs)`` as in :func:`gambit_behaviour_equilibria_many`;
    ``profiles[k]`` lists behaviour profiles of ``efg_texts[k]`` (``{infoset label: action
    probabilities}``), whose Nash regret pygambit measures with ``MixedBehaviorProfile.max_regret``
    (the largest gain any player has from a deviation, zero exactly at a Nash equilibrium). Returns
    per text ``{"equilibria": {method: [profile, ...] or OracleFailed}, "regrets": [float, ...]}``.
    """
    reqs = [{"efg": t, "methods": [list(m) for m in methods],
             "profiles": [{h: [float(x) for x in p] for h, p in b.items()} for b in bs]}
            for t, bs in zip(efg_texts, profiles)]
    out = _run_pygambit(_GAMBIT_EFG_CHECK_SCRIPT, f"{len(methods)} tree solvers and max_regret", timeout,
                        stdin=json.dumps(reqs))
    return [{"equilibria": {m: (OracleFailed(d["error"]) if isinstance(d, dict) else d)
                            for m, d in doc["equilibria"].items()},
             "regrets": doc["regrets"]} for doc in out]
