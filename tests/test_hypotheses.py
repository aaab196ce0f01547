"""``bargain hypotheses``: shares with Wilson intervals, flip values on both sides, rules, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.cli import main
from analysis.hypotheses import box_points, claim_report, tree_rules, verdict_sentence, wilson_interval
from sim.claims import evaluate_claim
from sim.scenario import compile_scenario, load_scenario

DATA = Path(__file__).parent / "data" / "claims"
ENTRY = compile_scenario(load_scenario(DATA / "entry.toml"))


def test_wilson_interval_against_known_values():
    # Wilson (1927); e.g. Newcombe (1998), Table I: 81/263 -> 0.2553 to 0.3662.
    lo, hi = wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    assert wilson_interval(0, 10)[0] == 0.0 and round(wilson_interval(0, 10)[1], 4) == 0.2775
    assert wilson_interval(10, 10)[1] == 1.0


def test_flip_values_are_checked_on_both_sides():
    claim = ENTRY.scenario.claims[0]  # entry_accommodated: holds while fight_value < 1 (the incumbent shares)
    r = claim_report(ENTRY, claim, samples=32, seed=3)
    up = next(f for f in r.flips if f.parameter == "fight_value" and f.direction == "rises above")
    assert up.value == pytest.approx(1.0, abs=1e-4) and up.verdict in ("fails", "some")
    for x, want in ((up.value - 1e-3, "holds"), (up.value + 1e-3, "fails")):
        assert evaluate_claim(ENTRY, claim, {"fight_value": x}).verdict == want
    down = next(f for f in r.flips if f.parameter == "fight_value" and f.direction == "falls below")
    assert down.value is None  # lower still: the incumbent shares all the more
    gain = [f for f in r.flips if f.parameter == "entry_gain"]
    assert [f.value for f in gain] == [None, None]  # entry pays at any gain > 0 in the range
    assert "stops holding when fight_value rises above 1" in verdict_sentence(r)


def test_share_and_interval_over_the_box():
    claim = ENTRY.scenario.claims[1]  # threat_deters: holds exactly where fight_value > 1, a quarter of [-2, 2]
    r = claim_report(ENTRY, claim, samples=512, seed=0)
    pts, names, _ = box_points(ENTRY, claim, 512, 0)
    assert names == ("fight_value", "entry_gain") and r.n == 512
    assert r.holds == int((pts[:, 0] > 1).sum())
    assert r.interval == wilson_interval(r.holds, 512) and r.interval[0] < 0.25 < r.interval[1]
    assert r.batched and r.at_defaults.verdict == "fails"
    assert r.rules[0].conditions[0][0] == "fight_value" and dict(r.importances)["fight_value"] == 1.0


def test_tree_rules_read_a_known_split():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (400, 2))
    holds = (x[:, 1] <= 0.3)
    rules, imp = tree_rules(x, holds, ("a", "b"))
    assert dict(imp)["b"] == 1.0
    best = max(rules, key=lambda r: r.share)
    assert best.share == 1.0 and best.conditions[0][:2] == ("b", "<=") and abs(best.conditions[0][2] - 0.3) < 0.02
    assert tree_rules(x, np.ones(400, bool), ("a", "b"))[0] == ()


def test_cli_text_and_json_contract(tmp_path, capsys):
    assert main(["hypotheses", str(DATA / "entry.toml"), "--samples", "16", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "entry / entry_accommodated" in out and "at defaults: holds" in out and "method:      spe (batched)" in out
    dest = tmp_path / "h.json"
    assert main(["hypotheses", str(DATA / "entry.toml"), "--samples", "16", "--json", "--out", str(dest)]) == 0
    doc = json.loads(dest.read_text())
    assert set(doc) == {"version", "samples", "seed", "files", "claims"} and doc["version"] == 1
    c = doc["claims"][0]
    assert set(c) == {"scenario", "path", "id", "claim", "quote", "method", "box", "parameters", "at_defaults",
                      "samples", "holds", "some", "undecided", "share", "interval", "some_share", "flips", "rules",
                      "importances", "batched", "seconds"}
    assert c["at_defaults"]["verdict"] == "holds" and set(c["at_defaults"]) == {"claim", "verdict", "method",
                                                                                "reason", "equilibria"}
    assert set(c["flips"][0]) == {"parameter", "direction", "value", "verdict"}


def test_cli_exits_2_with_one_line_on_a_bad_claim(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "entry.toml").read_text().replace('path = { E = "in", I = "share" }',
                                                             'path = { E = "in", I = "sulk" }'), encoding="utf-8")
    assert main(["hypotheses", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "claims[0].conditions[0].path.I" in err[0] and "'sulk'" in err[0]
    assert main(["hypotheses", str(DATA / "entry.toml"), "--samples", "0"]) == 2
    assert capsys.readouterr().err.strip() == "bargain hypotheses: error: --samples: must be a positive integer (got 0)"


def test_a_missing_sweep_file_is_named_with_its_claim_and_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "entry.toml").read_text().replace("[[claims]]", '[[claims]]\nsweep = "nowhere.toml"', 1),
                   encoding="utf-8")
    assert main(["hypotheses", str(bad), "--samples", "8"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"bargain hypotheses: error: {bad}: claims[0] (") and \
        err[0].endswith(").sweep: no such sweep file next to the scenario (got 'nowhere.toml')"), err


def test_a_sweep_file_gives_the_box(tmp_path):
    (tmp_path / "entry.toml").write_text((DATA / "entry.toml").read_text().replace(
        'quote = "keeps out"', 'quote = "keeps out"\nsweep = "grid.toml"'), encoding="utf-8")
    (tmp_path / "grid.toml").write_text('[sweep]\nscenario = "entry.toml"\nmethods = ["spe"]\nseed = 1\n'
                                        '[sweep.grid]\nfight_value = [0.0, 1.5, 2.0]\n', encoding="utf-8")
    c = compile_scenario(load_scenario(tmp_path / "entry.toml"))
    r = claim_report(c, c.scenario.claims[1], samples=99)
    assert r.n == 3 and r.holds == 2 and r.parameters == ("fight_value",) and "grid" in r.box


def test_the_report_gets_a_claims_table_and_a_finding_per_claim():
    from analysis.report.sections import build_report
    from analysis.sources import load_source

    report = build_report([load_source(str(DATA / "entry.toml"))], logit=False)
    texts = [b.text for b in report.blocks]
    assert "Claims" in texts
    table = next(b for b in report.blocks if b.kind == "table" and "deciding assumptions" in b.headers)
    assert [row[:2] for row in table.rows][:2] == [["The entrant enters and the incumbent shares.", "holds"],
                                                   ["The threat to fight keeps the entrant out.", "fails"]]
    finding = next(t for t in texts if t.startswith("The entrant enters and the incumbent shares — holds at the "
                                                    "defaults and in"))
    assert "it stops holding when fight_value rises above 1" in finding


def test_cli_summary_prints_one_verdict_sentence_per_claim(capsys):
    assert main(["hypotheses", str(DATA / "entry.toml"), "--summary", "--samples", "64", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    reports = [claim_report(ENTRY, c, samples=64, seed=1) for c in ENTRY.scenario.claims]
    assert lines == [f"entry/{r.claim.id}: {verdict_sentence(r)}" for r in reports]
    first = lines[0]
    assert first.startswith("entry/entry_accommodated: The entrant enters and the incumbent shares — holds at the "
                            "defaults and in ")
    assert "75% of the plausible box (95% interval 63%-84%)" in first  # 48 of 64: fight_value < 1 on [-2, 2]
    assert first.endswith("; it stops holding when fight_value rises above 1.")
    with pytest.raises(SystemExit) as stop:  # one form of output at a time
        main(["hypotheses", str(DATA / "entry.toml"), "--summary", "--json"])
    assert stop.value.code == 2 and "not allowed with" in capsys.readouterr().err
