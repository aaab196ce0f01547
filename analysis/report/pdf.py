"""A report as PDF: text pages with the headings, paragraphs and tables, then one page per chart
(matplotlib's ``PdfPages``, no further dependency)."""

from __future__ import annotations

from analysis.report.document import Report

#: Text lines per A4 page.
LINES_PER_PAGE = 60


def render_pdf(report: Report) -> bytes:
    """A PDF: text pages with the headings, paragraphs and tables, then one page per chart.

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h1", "Demo")
    >>> render_pdf(r)[:5]
    b'%PDF-'
    """
    import io
    import textwrap

    from matplotlib.backends.backend_pdf import PdfPages

    from analysis.charts import new_figure

    lines: list[tuple[str, str]] = []
    for b in report.blocks:
        if b.kind in ("h1", "h2", "h3"):
            lines += [("", ""), (b.kind, b.text)]
        elif b.kind == "p":
            lines += [("p", t) for t in textwrap.wrap(b.text, 100)]
        elif b.kind == "table":
            lines.append(("t", " | ".join(map(str, b.headers))[:120]))
            lines += [("t", " | ".join(map(str, row))[:120]) for row in b.rows]
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": report.title, "CreationDate": None}) as pdf:
        for start in range(0, len(lines), LINES_PER_PAGE):
            fig = new_figure((8.27, 11.69))
            for k, (kind, text) in enumerate(lines[start:start + LINES_PER_PAGE]):
                size = {"h1": 14, "h2": 11, "h3": 9}.get(kind, 6.5)
                fig.text(0.06, 0.96 - k * 0.0155, text, fontsize=size, family="monospace" if kind == "t" else "serif",
                         weight="bold" if kind.startswith("h") else "normal", va="top")
            pdf.savefig(fig)
        for b in report.charts:
            pdf.savefig(b.figure)
    return buf.getvalue()
