"""A report as one self-contained, print-ready HTML file: charts inlined as ``<svg>``, styles
inline, no script and no external URL, so it opens in any browser without a server and can be
mailed as is. The same document is the PDF (:mod:`analysis.report.pdf` hands it to WeasyPrint).

Layout (the embedded style sheet, :data:`CSS`): a title block; numbered sections, subsections and
figures with captions (numbers from :func:`analysis.report.document.numbering`); tables wrap
their cells so they fit the text column, and scroll inside their own box on screen if they still
do not, so the page itself never scrolls sideways; a capped table ends with a note. In print
(``@media print`` and ``@page``): A4 with margins and "Page n of N" at the foot, table rows and
figures never cut across pages, a table's header repeated on each page, headings kept with what
follows them.
"""

from __future__ import annotations

import html
import weakref

from analysis.report.document import Report, numbering, slug

#: Resolution of the PNG figures of the PDF (print quality at the 6.5-inch width of a chart).
PDF_DPI = 150
#: Each figure's SVG text once drawn: a report written in several formats draws each chart once.
_SVG_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

#: The embedded style sheet (screen and print).
CSS = """
:root { --ink: #1b1b1b; --muted: #5a5a5a; --rule: #c8c8c8; --head: #f0f0ee; --accent: #0b4f6c; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: Georgia, 'Times New Roman', serif; font-size: 16px; line-height: 1.5; color: var(--ink);
       max-width: 58rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; overflow-wrap: break-word; }
h1, h2, h3, figcaption, table, .note, .title-block p { font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; }
.title-block { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; padding-bottom: 0.75rem; }
.title-block h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 0.3rem; color: var(--accent); }
.title-block p { margin: 0; color: var(--muted); font-size: 0.95rem; }
h2 { font-size: 1.4rem; line-height: 1.25; margin: 2.2rem 0 0.6rem; padding-bottom: 0.2rem;
     border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1rem; line-height: 1.3; margin: 1.6rem 0 0.4rem; }
.num { color: var(--accent); margin-right: 0.5em; }
p { margin: 0.5rem 0; }
.findings p { margin: 0.4rem 0; padding-left: 0.8rem; border-left: 3px solid var(--accent); }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 0.6rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.82rem; line-height: 1.35; table-layout: fixed; max-width: 100%; }
th, td { border: 1px solid var(--rule); padding: 0.25rem 0.45rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; min-width: 2.5em; }
td.quote { font-family: Georgia, 'Times New Roman', serif; font-style: italic; min-width: 14em; }
th { background: var(--head); font-weight: 600; }
tbody tr:nth-child(even) td { background: #fafaf8; }
.note { font-size: 0.85rem; color: var(--muted); margin: -0.6rem 0 1rem; }
figure { margin: 1.2rem 0; }
figure svg, figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 0.88rem; color: var(--muted); margin-top: 0.4rem; }
figcaption .fig-num { font-weight: 600; color: var(--ink); }
code, .command { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.85em; overflow-wrap: anywhere; }
@page { size: A4; margin: 18mm 16mm 20mm;
        @bottom-center { content: "Page " counter(page) " of " counter(pages);
                         font: 8pt 'Helvetica Neue', Helvetica, Arial, sans-serif; color: #5a5a5a; } }
@media print {
  body { font-size: 10pt; max-width: none; margin: 0; padding: 0; }
  .title-block h1 { font-size: 20pt; }
  h2 { font-size: 14pt; } h3 { font-size: 11.5pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  tr, td.quote, figure, .findings p { break-inside: avoid; page-break-inside: avoid; }
  figure svg, figure img { max-height: 200mm; width: auto; }
}
"""


#: Characters of table text across the narrowest text column a report is laid out in (A4 print
#: at 8 pt); screen columns are wider, so what fits here fits there.
LINE_CHARS = 100


def column_widths(headers, rows) -> tuple[list[float], float]:
    """Each column's share of the table's width (per cent) and the table's width (per cent of the
    text column), from what the column holds.

    Tables are laid out with fixed column widths (``table-layout: fixed``): browsers and WeasyPrint
    then need not measure every word of every cell, which made a PDF of a few tables take tens of
    seconds. Each column first gets what it needs not to break a word (its longest word, up to 20
    characters; a bold header word a little more); the rest of a :data:`LINE_CHARS` line goes to
    the columns whose entries are longer, in proportion to how much longer (up to 40 characters,
    a quote column up to 60). A table of short entries takes only the width it needs.

    Examples
    --------
    >>> column_widths(["player", "payoff"], [["Russia", "2"]])
    ([50.0, 50.0], 30.0)
    >>> widths, total = column_widths(["player", "quote", "n"], [["Russia", "x " * 100, "1"]])
    >>> [round(w) for w in widths], total
    ([12, 81, 7], 76.2)
    """
    need, natural = [], []
    for j, h in enumerate(headers):
        cells = [str(r[j]) for r in rows if j < len(r)]
        quote = "quote" in str(h).lower()
        head_word = max((len(w) for w in str(h).split()), default=1) * 1.2
        cell_word = max((len(w) for c in cells for w in c.split()), default=1)
        n = max(head_word, min(cell_word, 20), 3) + 2
        longest = max([len(str(h)) * 0.6, *(len(c) for c in cells)], default=1)
        need.append(n)
        natural.append(max(n, min(longest, 60 if quote else 40) + 2))
    total = sum(natural)
    if total <= LINE_CHARS:
        widths, share = natural, total
    elif sum(need) >= LINE_CHARS:
        widths, share = need, LINE_CHARS
    else:
        spare = LINE_CHARS - sum(need)
        extra = [a - n for a, n in zip(natural, need)]
        widths = [n + spare * e / sum(extra) for n, e in zip(need, extra)]
        share = LINE_CHARS
    return ([round(100 * w / sum(widths), 2) for w in widths],
            round(max(30.0, min(100.0, 100 * float(share) / LINE_CHARS)), 1))


def _cell(value, quote: bool) -> str:
    return f"<td class=\"quote\">{html.escape(str(value))}</td>" if quote else f"<td>{html.escape(str(value))}</td>"


def chart_svg(fig) -> str:
    """The figure as inline ``<svg>`` (:func:`analysis.charts.figure_svg`), drawn once per figure."""
    from analysis.charts import figure_svg

    try:
        return _SVG_CACHE[fig]
    except (KeyError, TypeError):
        text = figure_svg(fig)
    try:
        _SVG_CACHE[fig] = text
    except TypeError:  # not weakly referable: not cached
        pass
    return text


def _png_img(fig, dpi: int | None = None) -> str:
    """The figure as an ``<img>`` holding its PNG as a ``data:`` URI (the PDF's figures)."""
    import base64
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or PDF_DPI, metadata={"Software": None})
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def render_html(report: Report, *, charts: str = "svg") -> str:
    """The report as one self-contained HTML document (inline SVG and CSS, no script, no URL).

    ``charts="png"`` embeds each chart as a PNG (:data:`PDF_DPI`) ``data:`` image instead: that is the
    document the PDF is made from, since WeasyPrint lays out a PNG in a fraction of the time it
    takes to draw matplotlib's SVG.

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h1", "Demo <1>")
    >>> r.add("h2", "Payoffs")
    >>> r.add_table(["player", "payoff"], [["Russia", "2"]])
    >>> text = render_html(r)
    >>> "<h1>Demo &lt;1&gt;</h1>" in text, "<td>Russia</td>" in text, "http" in text
    (True, True, False)
    >>> '<h2 id="s1"><span class="num">1</span>Payoffs</h2>' in text
    True
    """
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(report.title)}</title>", f"<style>{CSS}</style></head><body>"]
    numbers = numbering(report)
    in_title = in_findings = False
    for k, (b, number) in enumerate(zip(report.blocks, numbers)):
        if b.kind in ("h1", "h2") and (in_title or in_findings):
            out.append("</header>" if in_title else "</div>")
            in_title = in_findings = False
        if b.kind == "h1":
            out.append(f'<header class="title-block"><h1>{e(b.text)}</h1>')
            in_title = k == 0
            if not in_title:
                out.append("</header>")
        elif b.kind in ("h2", "h3"):
            anchor = "s" + number.replace(".", "-")
            out.append(f'<{b.kind} id="{anchor}"><span class="num">{number}</span>{e(b.text)}</{b.kind}>')
            if b.kind == "h2" and b.text == "Key findings":
                out.append('<div class="findings">')
                in_findings = True
        elif b.kind == "p":
            out.append(f"<p>{e(b.text)}</p>")
        elif b.kind == "table":
            quotes = ["quote" in str(h).lower() for h in b.headers]
            widths, total = column_widths(b.headers, b.rows)
            out.append(f'<div class="table-wrap"><table style="width: {total}%"><colgroup>'
                       + "".join(f'<col style="width: {w}%">' for w in widths) + "</colgroup><thead><tr>"
                       + "".join(f"<th>{e(str(h))}</th>" for h in b.headers) + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(_cell(c, q) for c, q in zip(row, quotes)) + "</tr>" for row in b.rows]
            out.append("</tbody></table></div>")
            if b.note:
                out.append(f'<p class="note">{e(b.note)}</p>')
        elif b.kind == "chart":
            drawing = _png_img(b.figure) if charts == "png" else chart_svg(b.figure)
            out.append(f'<figure id="{e(slug(b.name))}">{drawing}<figcaption><span class="fig-num">'
                       f"{number}.</span> {e(b.text)}</figcaption></figure>")
    if in_title:
        out.append("</header>")
    elif in_findings:
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)
