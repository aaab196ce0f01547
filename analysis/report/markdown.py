"""A report as Markdown, each chart an SVG file in a folder beside it (``<name>_files/``)."""

from __future__ import annotations

from analysis.report.document import Report, slug


def _md_cell(x) -> str:
    return str(x).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, chart_dir: str) -> tuple[str, dict[str, bytes]]:
    """Markdown text and the chart files (relative name -> SVG bytes) it links to.

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h2", "Payoffs")
    >>> r.add("table", "", headers=["player", "a|b"], rows=[["Russia", 2]])
    >>> text, files = render_markdown(r, "demo_files")
    >>> print(text)
    ## Payoffs
    <BLANKLINE>
    | player | a\\|b |
    |---|---|
    | Russia | 2 |
    <BLANKLINE>
    >>> files
    {}
    """
    from analysis.charts import figure_svg

    out, files = [], {}
    for b in report.blocks:
        if b.kind in ("h1", "h2", "h3"):
            out.append("#" * int(b.kind[1]) + " " + b.text + "\n")
        elif b.kind == "p":
            out.append(b.text + "\n")
        elif b.kind == "table":
            out.append("| " + " | ".join(map(_md_cell, b.headers)) + " |")
            out.append("|" + "---|" * len(b.headers))
            out += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in b.rows]
            out.append("")
        elif b.kind == "chart":
            name = f"{chart_dir}/{len(files) + 1:02d}-{slug(b.name)}.svg"
            files[name] = figure_svg(b.figure).encode()
            out.append(f"![{b.text}]({name})\n\n*{b.text}*\n")
    return "\n".join(out), files
