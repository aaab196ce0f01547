"""Plays named by player and action everywhere a tree's equilibrium is shown: the naming rule
(a chance root, a move that happens only after some histories), the sweep's ``path`` column and
its format version, folders written before it (read, never resumed), regimes counted by path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.cli import main
from analysis.sweep import read_results, run_sweep
from sim.extensive.names import play_text
from sim.scenario import compile_scenario, load_scenario
from tests.test_sweep import CHANCE_TREE

ROOT = Path(__file__).resolve().parent.parent
CHIP = ROOT / "scenarios" / "chip-that-did-not-exist.toml"


def _chip():
    return compile_scenario(load_scenario(CHIP)).game()


def _pure(game, choose):
    """A pure behaviour profile: ``choose(infoset id, actions)`` names the action."""
    return {h: [float(a == choose(h, acts)) for a in acts] for h, (_, acts) in game.infosets.items()}


# ----- the naming rule ----------------------------------------------------------------------------
def test_a_chance_root_and_a_conditional_move_are_named_branch_by_branch():
    g = _chip()
    # the committed US announces, the bluffing US stays silent: us_execute (only after an
    # announcement) is on the first branch and not on the second
    b = _pure(g, lambda h, acts: "silent" if h == "us_announce|us_type=bluffing" else acts[0])
    assert play_text(g, b) == ("chance: committed (p=0.55) -> US announce -> Russia pressure -> US deploy -> "
                               "Iran proceed; chance: bluffing (p=0.45) -> US silent -> Russia pressure -> "
                               "Iran proceed")
    assert play_text(g, b, probabilities=False).startswith("chance: committed -> US announce -> ")


def test_branches_followed_by_the_same_play_are_shown_once():
    g = _chip()
    b = _pure(g, lambda h, acts: acts[-1] if h.startswith("us_announce") else acts[0])
    # both types are silent: the play after chance is the same, so the outcomes are joined
    assert play_text(g, b) == "chance: committed (p=0.55)|bluffing (p=0.45) -> US silent -> Russia pressure -> Iran proceed"
    b["iran_programme|russia_answer=pressure"] = [0.25, 0.75]
    assert play_text(g, b).endswith("Russia pressure -> Iran proceed (p=0.25)|halt (p=0.75)")


def test_a_mixed_choice_with_different_continuations_is_bracketed_inside_a_branch():
    g = _chip()
    b = _pure(g, lambda h, acts: acts[0])
    b["russia_answer|us_announce=announce"] = [0.5, 0.5]
    b["us_execute|russia_answer=refuse,us_type=committed,us_announce=announce"] = [0.0, 1.0]
    text = play_text(g, b)
    first = text.split("; chance: bluffing")[0]
    assert first == ("chance: committed (p=0.55) -> US announce -> [Russia pressure (p=0.5) -> US deploy -> Iran "
                     "proceed; Russia refuse (p=0.5) -> US drop -> Iran proceed]")


def test_the_solve_output_names_every_move_by_its_player():
    from analysis.render import format_result
    from sim.registry import solve

    g = _chip()
    text = format_result(solve(g, "spe"), tree=g)
    line = text.splitlines()[1]
    assert line.split("path: ")[1].startswith("chance: committed (p=0.55) -> US announce -> Russia ")
    assert "us_type" not in line.split("|")[0]


# ----- the sweep's path column, its version, old folders ----------------------------------------------
def _venue_sweep(tmp_path, n=None):
    (tmp_path / "venue.toml").write_text(CHANCE_TREE)
    sweep = tmp_path / "venue-sweep.toml"
    sweep.write_text('[sweep]\nscenario = "venue.toml"\nmethods = ["spe"]\nseed = 1\nchunk_size = 4\n'
                     '[sweep.grid]\np_rain = [0.0, 0.3, 1.0]\nindoor = [0.0, 1.0, 2.5]\n')
    return sweep


def test_the_path_column_names_players_and_chance_and_the_manifest_says_so(tmp_path):
    sweep = _venue_sweep(tmp_path)
    run_sweep(sweep, tmp_path / "out", executor="inprocess")
    doc = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert doc["path_labels"] == 2
    paths = set(read_results(tmp_path / "out")["path"].astype(str))
    move = r"(A (inside|outside)|B (come|stay))"
    branch = rf"chance: (rain|sun|rain\|sun) -> {move} -> {move}"
    for p in paths:
        assert re.fullmatch(rf"{branch}(; {branch})*", p), p
    assert "chance: rain -> A inside -> B stay; chance: sun -> A outside -> B come" in paths
    assert not any("(p=" in p for p in paths)  # a swept prior is not in the label


def _make_old(folder: Path) -> None:
    """Turn a folder into one written before players were named on the path: the path column in
    the earlier words (actions only), no ``path_labels`` in the manifest (chunk records updated,
    as the earlier version wrote them)."""
    from analysis.io import file_sha256

    manifest = json.loads((folder / "manifest.json").read_text())
    for c, rec in manifest["chunks"].items():
        path = folder / "chunks" / f"chunk-{int(c):06d}.parquet"
        table = pq.read_table(path)
        old = [re.sub(r"(chance: |\b[AB] )", "", str(v)).replace(" -> ", ", ") for v in table["path"].to_pylist()]
        table = table.set_column(table.column_names.index("path"), "path",
                                 pa.array(old, pa.string()).dictionary_encode())
        pq.write_table(table, path)
        rec["sha256"] = file_sha256(path)
    del manifest["path_labels"]
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_an_old_folder_reads_with_the_new_labels_and_is_never_resumed(tmp_path, capsys):
    from analysis.sources import load_sweep_source

    sweep = _venue_sweep(tmp_path)
    run_sweep(sweep, tmp_path / "new", executor="inprocess")
    run_sweep(sweep, tmp_path / "old", executor="inprocess")
    _make_old(tmp_path / "old")
    raw = read_results(tmp_path / "old")  # readable as it is (no scenario needed)
    assert "rain, inside, stay" in " ".join(raw["path"].astype(str))
    new = load_sweep_source(tmp_path / "new", tmp_path / "venue.toml").table
    old = load_sweep_source(tmp_path / "old", tmp_path / "venue.toml").table
    assert old["path"].astype(str).tolist() == new["path"].astype(str).tolist()
    assert main(["compare", str(tmp_path / "old"), "--scenario", str(tmp_path / "venue.toml")]) == 0
    assert "chance: rain -> A inside -> B stay" in capsys.readouterr().out
    assert main(["discover", str(tmp_path / "old"), "--scenario", str(tmp_path / "venue.toml"),
                 "--where", "regime: R1"]) == 0
    assert "  R1: chance: " in capsys.readouterr().out  # the regime described by its plays
    # the report finds the scenario by its content hash, beside the folder
    assert main(["report", str(tmp_path / "old"), "--out", str(tmp_path / "old.md"), "--no-logit"]) == 0
    report = (tmp_path / "old.md").read_text()
    assert "chance: rain -&gt; A inside -&gt; B stay" in report or "chance: rain -> A inside -> B stay" in report
    assert "rain, inside, stay" not in report
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in (tmp_path / "old" / "chunks").iterdir()}
    code = main(["sweep", str(sweep), "--out", str(tmp_path / "old"), "--resume", "--in-process"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "path labels version 1" in err[0] and "--overwrite" in err[0]
    assert {p.name: p.read_bytes() for p in (tmp_path / "old" / "chunks").iterdir()} == before
    assert "path_labels" not in json.loads((tmp_path / "old" / "manifest.json").read_text())
    # a current folder resumes as before
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "new"), "--resume", "--in-process"]) == 0


# ----- regimes counted by path ----------------------------------------------------------------------
def test_regimes_that_differ_only_off_the_path_are_one():
    import pandas as pd

    from analysis.compare import outcome_frequencies, point_table, regime_table

    df = pd.DataFrame({"point_id": [0, 1, 2, 2], "method": "spe", "eq_index": [0, 0, 0, 1], "n_equilibria": [1, 1, 2, 2],
                       "param.a": [0.1, 0.2, 0.3, 0.3],
                       "outcome": ["US=drop, R=halt/x", "US=drop, R=halt/y", "US=drop, R=halt/x", "US=keep, R=y/y"],
                       "regime": ["r1", "r2", "r3", "r3"],
                       "path": ["US drop -> R halt", "US drop -> R halt", "US drop -> R halt", "US keep -> R y"]})
    table = regime_table(df)
    assert [(r["regime"], r["points"]) for r in table] == [("US drop -> R halt", 2),
                                                          ("US drop -> R halt | US keep -> R y", 1)]
    assert point_table(df)["regime"].tolist() == ["US drop -> R halt"] * 2 + ["US drop -> R halt | US keep -> R y"]
    assert [(f["outcome"], f["points"]) for f in outcome_frequencies(df)] == [("US drop -> R halt", 3),
                                                                             ("US keep -> R y", 1)]


def test_the_drop_buys_pressure_sweep_has_fewer_regimes_by_path(tmp_path, capsys):
    """The claim's box over the baseline: reduced strategies split the 'US keep' outcome in two
    (Russia's plan after a drop differs off the path); by path they are one regime."""
    from analysis.compare import regime_table

    src = ROOT / "scenarios" / "sweeps" / "drop-buys-pressure.toml"
    (tmp_path / "baseline-2009.toml").write_bytes((ROOT / "scenarios" / "baseline-2009.toml").read_bytes())
    sweep = tmp_path / "sweeps" / "dbp.toml"
    sweep.parent.mkdir()
    sweep.write_text(src.read_text().replace("n = 1024", "n = 256"))
    summary = run_sweep(sweep, tmp_path / "out", executor="inprocess")
    df = read_results(tmp_path / "out")
    by_strategies = df[df["eq_index"] <= 0]["regime"].nunique()
    by_path = len(regime_table(df))
    assert by_path == len(summary.regimes["spe"]) == 3 < by_strategies
    assert {r["regime"] for r in regime_table(df)} == {
        "US joint -> Russia halt -> Russia pressure -> NATO engage -> Iran halt",
        "US keep -> Russia deploy -> Russia shield",
        "US drop -> Russia halt -> Russia pressure -> NATO engage -> Iran halt"}
    assert not any(re.search(r"\w+=\w+/", r) for r in summary.regimes["spe"])
    assert np.isclose(sum(summary.regimes["spe"].values()), 1.0)


# ----- the timing table -----------------------------------------------------------------------------
def test_the_timing_table_of_a_shipped_scenario_says_who_moves_seeing_what_when():
    from analysis.render import TIMING_HEADERS, timing_lines, timing_rows

    rows = timing_rows(load_scenario(CHIP))
    assert TIMING_HEADERS == ("move", "who moves", "choices", "observes", "when", "assumption")
    assert rows == [
        ["us_type", "chance", "committed (p_committed), bluffing (rest)", "-", "always", "yes (timing)"],
        ["us_announce", "US", "announce, silent", "us_type", "always", "yes (timing)"],
        ["russia_answer", "Russia", "pressure, refuse", "us_announce", "always", "yes (timing)"],
        ["us_execute", "US", "deploy, drop", "russia_answer", "us_announce = announce", "yes"],
        ["iran_programme", "Iran", "proceed, halt", "russia_answer", "always", "yes (timing)"],
    ]
    lines = timing_lines(load_scenario(CHIP))
    assert lines[0].split() == ["move", "who", "moves", "choices", "observes", "when", "assumption"]
    column = lines[0].index("observes")  # aligned: each move's observations start under the header
    assert lines[4][column:].startswith("russia_answer")
    # a scenario whose moves are not flagged one by one, nor as a whole
    base = timing_rows(load_scenario(ROOT / "scenarios" / "baseline-2009.toml"))
    assert [r[1] for r in base][:2] == ["US", "Russia"] and all(r[5] in ("yes", "no", "yes (timing)") for r in base)


def test_show_and_the_report_list_the_timing_table(tmp_path, capsys):
    from analysis.render import timing_lines

    assert main(["show", str(CHIP)]) == 0
    out = capsys.readouterr().out
    for line in timing_lines(load_scenario(CHIP)):
        assert f"  {line}\n" in out
    assert main(["report", str(CHIP), "--out", str(tmp_path / "r.md"), "--no-logit"]) == 0
    text = (tmp_path / "r.md").read_text()
    assert "| move | who moves | choices | observes | when | assumption |" in text
    assert "| us_execute | US | deploy, drop | russia_answer | us_announce = announce | yes |" in text
    # the equilibria read as plays and named decision points, never as slots of reduced strategies
    assert "| 1 | chance: committed (p=0.55)" in text
    assert "Russia (russia_answer), after US silent: " in text
    assert not re.search(r"\w+=\w+/\w+", text)


def test_solve_json_gives_each_tree_equilibrium_its_play_and_named_decision_points(capsys):
    assert main(["solve", str(CHIP), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    g = _chip()
    from sim.extensive.names import decision_point_names

    names = decision_point_names(g)
    for e in doc["results"][0]["equilibria"]:
        assert e["play"].startswith("chance: committed (p=0.55)") and " -> US announce -> " in e["play"]
        points = {p["infoset"]: p for p in e["decision_points"]}
        assert set(points) == set(g.infosets) and all(points[h]["name"] == names[h] for h in points)
        on = {h for h, p in points.items() if p["on_path"]}
        assert "us_announce|us_type=committed" in on and "russia_answer|us_announce=silent" not in on
        for p in points.values():  # a choice is a distribution over the set's actions
            assert p["choice"] == "any" or abs(sum(p["choice"].values()) - 1) < 1e-9
