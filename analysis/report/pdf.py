"""A report as PDF: the HTML document (:func:`analysis.report.html.render_html`) laid out for
print by WeasyPrint, a real HTML-to-PDF engine (https://weasyprint.org). One document in every
format: real tables whose rows are never cut across pages, whole quotes, the charts in the flow
of the text (as PNG images at :data:`analysis.report.html.PDF_DPI`: WeasyPrint lays them out in a
fraction of the time matplotlib's SVG takes), page numbers, all from the print style sheet of
:data:`analysis.report.html.CSS`.

WeasyPrint needs the Pango library; when it cannot be imported, :func:`render_pdf` refuses with
one line saying what to install, rather than writing a worse PDF.
"""

from __future__ import annotations

from analysis.report.document import Report
from sim.errors import ScenarioError

#: What to install when WeasyPrint cannot be imported.
INSTALL_HINT = ("PDF reports need WeasyPrint: pip install 'weasyprint>=62' (it also needs the Pango library, "
                "e.g. apt-get install libpango-1.0-0 libpangoft2-1.0-0); or write .html and print it")


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the package is there but Pango is not
        raise ScenarioError(f"{INSTALL_HINT} ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                            field="--format pdf") from None
    return weasyprint


def render_pdf(report: Report) -> bytes:
    """The report's HTML document as PDF bytes (WeasyPrint, A4, page numbers at the foot).

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h1", "Demo")
    >>> render_pdf(r)[:5]
    b'%PDF-'
    """
    import logging

    from analysis.report.html import render_html

    weasyprint = _weasyprint()
    # WeasyPrint logs every CSS property it does not support as a warning; the style sheet is ours
    # and tested, so only errors are worth a reader's attention.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=render_html(report, charts="png"), base_url=None)
    return document.write_pdf()
