"""Every shipped scenario and a sweep, reported in every format, read back: the HTML fits a
1280-px window in a real browser, the PDF's text holds every goal's whole quote and every table
row, the Markdown cannot be made to inject headings, rows or HTML, and no deal is a finding.

Rendering costs (the PDF most): each source is reported once, in a module-scoped fixture, with
the claims measured on a few points (the claims' own figures are tested in test_hypotheses.py;
here only that their sentences and rows reach every format) and the PDF's figures at 72 dpi."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.report import Report, build_report, write_report
from analysis.report.markdown import render_markdown
from analysis.sources import load_source
from tests.test_compare import DIAGONAL_SCENARIO, write_toy_sweep
from tests.test_report import _chromium, chromium_layout, parse

ROOT = Path(__file__).parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
V1 = ROOT / "tests" / "data" / "scenarios-v1"


def flat(text: str) -> str:
    """Text with all whitespace removed: a PDF breaks lines inside cells where it likes."""
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


@pytest.fixture(scope="module")
def cheap_claims():
    import analysis.hypotheses as hypotheses
    import analysis.report.sections as sections

    import analysis.report.html as html

    real = hypotheses.flip_values
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(html, "PDF_DPI", 72)  # the PDF's text is read back, not its pictures
        mp.setattr(sections, "REPORT_CLAIM_SAMPLES", 8)
        mp.setattr(sections, "REPORT_CLAIM_SAMPLES_PER_POINT", 2)
        # Where a claim's verdict flips: along two parameters, on two points and one bisection each.
        mp.setattr(hypotheses, "flip_values", lambda verdict, compiled, names, lows, highs, **k:
                   real(verdict, compiled, names[:2], lows[:2], highs[:2], scan=2, bisections=1))
        yield


@pytest.fixture(scope="module")
def reports(tmp_path_factory, cheap_claims):
    """name -> (source, Report, {format: path}) for every shipped scenario and one small sweep."""
    tmp = tmp_path_factory.mktemp("formats")
    sweep, _ = write_toy_sweep(tmp)
    sources = {p.stem: load_source(p) for p in SHIPPED}
    sources["toy-sweep"] = load_source(sweep)
    out = {}
    for name, src in sources.items():
        report = build_report([src], title=f"Report of {name}", command=f"bargain report {name}")
        paths = {fmt: write_report(report, tmp / f"{name}.{fmt}") for fmt in ("html", "md", "pdf")}
        out[name] = (src, report, paths)
    return out


def test_the_shipped_scenarios_are_all_here(reports):
    assert len(SHIPPED) >= 6 and set(reports) == {p.stem for p in SHIPPED} | {"toy-sweep"}


def test_every_source_is_reported_in_every_format(reports):
    for name, (src, report, paths) in reports.items():
        page = parse(paths["html"].read_text())
        assert page.title == f"Report of {name}"
        assert page.top_svgs == page.figures_with_svg == len(report.charts) >= 1, name
        md = paths["md"].read_text()
        links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
        assert len(links) == len(report.charts) and all((paths["md"].parent / x).is_file() for x in links), name
        assert paths["pdf"].read_bytes()[:5] == b"%PDF-"
        # Key findings are sentences with figures, never a bare count of equilibria.
        start = [b.text for b in report.blocks].index("Key findings")
        first = report.blocks[start + 1].text
        assert re.search(r"\d", first) and not re.fullmatch(r"[\w-]+: \d+ \w+ equilibri(um|a)\.", first), first
        if name != "toy-sweep":
            assert " plays " in first or "play runs " in first, first


def test_the_pdf_holds_every_goal_quote_and_every_table_row_whole(reports):
    for name, (src, report, paths) in reports.items():
        text = flat(pdf_text(paths["pdf"]))
        assert flat(f"Report of {name}") in text
        if name != "toy-sweep":
            for goal in src.scenario.goals:
                if goal.quote:
                    assert flat(goal.quote) in text, (name, goal.name)
        rows = [row for b in report.blocks if b.kind == "table" for row in b.rows]
        assert rows
        missing = [row for row in rows if flat("".join(map(str, row))) not in text]
        assert not missing, (name, missing[:3])
        for b in report.charts:  # every figure's caption, with its number, in the flow of the text
            assert flat(b.text) in text, (name, b.name)
        assert re.search(r"Page1of\d+", text), name
        # Every chart is in the PDF as a picture of its own (in the flow: its caption is in the text).
        from pypdf import PdfReader

        images = {im.name for page in PdfReader(paths["pdf"]).pages for im in page.images}
        assert len(images) == len(report.charts), name


def test_a_long_table_is_capped_with_a_note_in_every_format(tmp_path):
    report = Report("Long")
    report.add("h1", "Long")
    report.add_table(["#", "outcome"], [[k, f"outcome {k}"] for k in range(1, 41)],
                     see_all="bargain solve long.toml lists them all")
    note = "15 more rows not shown (25 of 40 shown); bargain solve long.toml lists them all."
    html = write_report(report, tmp_path / "long.html").read_text()
    page = parse(html)
    assert len(page.tables[0]) == 26 and note in html
    md = write_report(report, tmp_path / "long.md").read_text()
    assert len([line for line in md.splitlines() if line.startswith("| ")]) == 26 and note in md
    text = flat(pdf_text(write_report(report, tmp_path / "long.pdf")))
    assert flat(note) in text and flat("outcome 25") in text and flat("outcome 26") not in text


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="no Chromium on this machine (CI installs it: apt-get install -y chromium)")
def test_every_report_fits_a_1280_px_window(reports, tmp_path):
    # One page holding every report's blocks, and a table made to be wide: 14 columns of
    # unbreakable 64-character tokens.
    combined = Report("All reports")
    for _, report, _ in reports.values():
        combined.blocks += report.blocks
    combined.add_table([f"column {k}" for k in range(14)], [["x" * 64] * 14] * 3)
    from analysis.report import render_html

    _, scroll_width, inked = chromium_layout(render_html(combined), tmp_path)
    assert scroll_width <= 1280
    assert inked > 0.01


# ---- Markdown escaping --------------------------------------------------------------------------

HOSTILE = st.lists(st.sampled_from(["\n", "\r\n", "\r", "\u2028", "|", "#", "# ", "<script>", "</script>",
                                    "<img src=x onerror=alert(1)>", "&", "-", "1. ", ">", "`", "*", "_", "[",
                                    "]", "~~~", "    ", "title", "a b", "\\", "\t"]),
                   max_size=12).map("".join)


@settings(max_examples=80, deadline=None)
@given(title=HOSTILE, quote=HOSTILE, cell=HOSTILE)
def test_hostile_text_cannot_inject_headings_rows_or_html_into_markdown(title, quote, cell):
    report = Report(title)
    report.add("h1", title)
    report.add("h2", quote)
    report.add("p", quote)
    report.add_table(["goal", "quote"], [[cell, quote], [title, cell]])
    text, _ = render_markdown(report, "r_files")
    lines = text.splitlines()
    # Exactly the two headings start a line with '#', exactly the table's 4 lines start with '|'.
    assert [line.split(" ")[0] for line in lines if line.lstrip().startswith("#")] == ["#", "##"]
    assert len([line for line in lines if line.lstrip().startswith("|")]) == 4
    # Each row has exactly its columns' unescaped pipes.
    for line in lines:
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) == 3, line
    # No raw HTML, no fence, no list or quote line made by the text.
    assert "<" not in text and ">" not in text
    assert not [line for line in lines if re.match(r"\s*(~~~|```|[-+*>] |\d+[.)] )", line)]


def test_a_hostile_scenario_reaches_no_format_unescaped(tmp_path):
    evil = "<script>alert(1)</script> | x |\\n# Injected\\n| a | b |"
    text = (DIAGONAL_SCENARIO.replace('title = "x is worth b, y is worth a"', f'title = "{evil}"\ndescription = "{evil}"')
            .replace('quote = "x is worth b"', f'quote = "{evil}"'))
    path = tmp_path / "evil.toml"
    path.write_text(text)
    report = build_report([load_source(path)], logit=False)
    md = write_report(report, tmp_path / "evil.md").read_text()
    assert "<script" not in md.lower() and not [ln for ln in md.splitlines() if ln.startswith("# Injected")]
    assert "&lt;script&gt;" in md
    html = write_report(report, tmp_path / "evil.html").read_text()
    assert "<script" not in html.lower() and "&lt;script&gt;" in html


# ---- no deal, errors, re-run, no WeasyPrint -----------------------------------------------------


def no_deal_scenario(folder: Path, powers: str | None = None) -> Path:
    """The 2002 precedent's bargaining reduced to the shield alone with the status quo as
    disagreement: dropping the shield is Russia's gain and NATO's loss, so no agreement helps both."""
    text = (V1 / "precedent-2002.toml").read_text().replace('disagreement = "equilibrium"', 'disagreement = "status_quo"')
    head, _, issues = text.partition("[[bargaining.issues]]")
    shield = "[[bargaining.issues]]" + issues.split("[[bargaining.issues]]")[0]
    if powers:
        head = head.replace('powers = { NATO = "nato_power", Russia = "russia_power" }', powers)
    path = folder / "no-deal.toml"
    path.write_text(head + shield)
    return path


def test_no_zone_of_agreement_is_a_finding_not_an_error(tmp_path, capsys):
    from analysis.cli import main

    path = no_deal_scenario(tmp_path)
    out = tmp_path / "r.html"
    assert main(["report", str(path), "--out", str(out), "--no-logit"]) == 0
    report = build_report([load_source(path)], logit=False)
    texts = [b.text for b in report.blocks]
    start = texts.index("Key findings")
    finding = next(t for t in texts[start:] if "no zone of agreement" in t)
    assert finding == ("precedent-2002: no zone of agreement: no agreement gives both NATO and Russia more than "
                       "disagreement (NATO 0, Russia 0), so bargaining cannot improve on it and the bargaining "
                       "solutions are not defined.")
    assert "No zone of agreement" in out.read_text()
    assert not any(b.name.startswith("frontier-") for b in report.charts)


def test_a_failing_bargaining_table_is_named_with_its_file(tmp_path, capsys):
    from analysis.cli import main

    path = no_deal_scenario(tmp_path, powers='powers = { NATO = 0, Russia = 0 }')
    out = tmp_path / "r.html"
    assert main(["report", str(path), "--out", str(out), "--no-logit"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and "bargaining" in err, err
    assert not out.exists()


def test_a_tolerance_that_is_not_a_positive_number_is_refused(tmp_path, capsys):
    from analysis.cli import main

    scen = tmp_path / "diag.toml"
    scen.write_text(DIAGONAL_SCENARIO)
    for bad in ("nan", "-1", "0", "inf"):
        with pytest.raises(SystemExit) as exit_:  # refused by the option's type, as argparse does
            main(["report", str(scen), "--out", str(tmp_path / "r.html"), "--tol", bad])
        assert exit_.value.code == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "--tol" in err and bad in err, err
    assert not (tmp_path / "r.html").exists()


def test_the_rerun_command_holds_every_option_given(tmp_path):
    from analysis.cli import main

    scen = tmp_path / "diag.toml"
    scen.write_text(DIAGONAL_SCENARIO)
    out = tmp_path / "r.md"
    argv = ["report", str(scen), "--out", str(out), "--title", "Diagonal, again", "--no-logit", "--method",
            "enumpure", "--method", "enummixed", "--tol", "1e-05"]
    assert main(argv) == 0
    line = next(ln for ln in out.read_text().splitlines() if ln.startswith("Re-run with: "))
    assert line == (f"Re-run with: bargain report {scen} --out {out} --title 'Diagonal, again' --method enumpure "
                    "--method enummixed --tol 1e-05 --no-logit")


def test_without_weasyprint_pdf_fails_in_one_line_saying_what_to_install(tmp_path, capsys, monkeypatch):
    import sys

    from analysis.cli import main

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
    scen = tmp_path / "diag.toml"
    scen.write_text(DIAGONAL_SCENARIO)
    out = tmp_path / "r.pdf"
    assert main(["report", str(scen), "--out", str(out), "--no-logit"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "pip install 'weasyprint>=62'" in err, err
    assert not out.exists()
