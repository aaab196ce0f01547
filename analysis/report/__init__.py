"""Reports: scenario files and sweep folders in, one self-contained document out.

A report is built in two steps. :func:`build_report` (:mod:`analysis.report.sections`) turns the
sources (:mod:`analysis.sources`) into a :class:`Report` of blocks (:mod:`analysis.report.document`:
headings, paragraphs, tables, charts as Figures) and touches no file; :func:`write_report`
(:mod:`analysis.report.output`) renders it and writes it:

* ``html`` - one styled, print-ready file, charts inlined as ``<svg>``, styles inline, no script
  and no external URL, so it opens in any browser without a server and can be mailed as is
  (:mod:`analysis.report.html`);
* ``md`` - GitHub-flavoured Markdown with every scenario text escaped, each chart written as an
  SVG file in ``<name>_files/`` beside it (:mod:`analysis.report.markdown`);
* ``pdf`` - the same HTML document laid out for print by WeasyPrint: real tables, whole quotes,
  figures in the flow, page numbers (:mod:`analysis.report.pdf`).

The key findings at the top are sentences with figures (:mod:`analysis.report.findings`).

Every file is written to a temporary name in its folder and renamed into place
(:func:`analysis.io.write_atomic`), so a reader never sees half a report.
"""

from analysis.report.document import Block, Report
from analysis.report.html import render_html
from analysis.report.markdown import render_markdown
from analysis.report.output import FORMATS, write_report
from analysis.report.pdf import render_pdf
from analysis.report.document import MAX_TABLE_ROWS
from analysis.report.sections import SECTIONS, Section, build_report

__all__ = ["Block", "Report", "FORMATS", "MAX_TABLE_ROWS", "SECTIONS", "Section", "build_report", "render_html",
           "render_markdown", "render_pdf", "write_report"]
