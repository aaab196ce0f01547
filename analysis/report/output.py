"""Writing a report: render it in the format asked for and write every file atomically.

Every file goes through :func:`analysis.io.write_atomic`, so a reader never sees half a report;
a renderer that fails leaves no file at all.
"""

from __future__ import annotations

from pathlib import Path

from analysis.io import write_atomic
from analysis.report.document import Report
from analysis.report.html import render_html
from analysis.report.markdown import render_markdown
from analysis.report.pdf import render_pdf
from sim.errors import ScenarioError

#: Report formats, the first the default.
FORMATS = ("html", "md", "pdf")
#: Format by file suffix (anything else is HTML).
SUFFIXES = {".md": "md", ".pdf": "pdf"}


def write_report(report: Report, out, fmt: str | None = None) -> Path:
    """Render ``report`` in ``fmt`` (default: from the suffix of ``out``) and write it atomically.

    Markdown writes its charts as SVG files in ``<stem>_files/`` beside ``out``, before the text.

    Examples
    --------
    >>> import tempfile
    >>> r = Report("Demo")
    >>> r.add("h1", "Demo")
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_report(r, folder / "demo.md").read_text()
    '# Demo\\n'
    >>> write_report(r, folder / "demo.txt", "txt")
    Traceback (most recent call last):
    sim.errors.ScenarioError: write_report(): format must be one of html, md, pdf (got 'txt')
    """
    out = Path(out)
    fmt = fmt or SUFFIXES.get(out.suffix.lower(), "html")
    if fmt not in FORMATS:
        raise ScenarioError(f"write_report(): format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    if fmt == "html":
        write_atomic(out, render_html(report))
    elif fmt == "md":
        text, files = render_markdown(report, f"{out.stem}_files")
        for name, data in files.items():
            write_atomic(out.parent / name, data)
        write_atomic(out, text)
    else:
        write_atomic(out, render_pdf(report))
    return out
