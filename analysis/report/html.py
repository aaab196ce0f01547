"""A report as one self-contained HTML file: charts inlined as ``<svg>``, styles inline, no script
and no external URL, so it opens in any browser without a server and can be mailed as is."""

from __future__ import annotations

import html

from analysis.report.document import Report, slug

_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #111; line-height: 1.4; }
h1, h2, h3 { font-family: 'Helvetica Neue', Arial, sans-serif; }
h2 { border-bottom: 1px solid #999; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; font-style: italic; }
@media print { h2 { page-break-before: auto; } figure, table { page-break-inside: avoid; } }
"""


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (inline SVG and CSS, no script, no URL).

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h1", "Demo <1>")
    >>> r.add("table", "", headers=["player", "payoff"], rows=[["Russia", "2"]])
    >>> text = render_html(r)
    >>> "<h1>Demo &lt;1&gt;</h1>" in text, "<td>Russia</td>" in text, "http" in text
    (True, True, False)
    """
    from analysis.charts import figure_svg

    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(report.title)}</title>", f"<style>{_CSS}</style></head><body>"]
    for b in report.blocks:
        if b.kind in ("h1", "h2", "h3", "p"):
            out.append(f"<{b.kind}>{e(b.text)}</{b.kind}>")
        elif b.kind == "table":
            out.append("<table><thead><tr>" + "".join(f"<th>{e(str(h))}</th>" for h in b.headers) + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in b.rows]
            out.append("</tbody></table>")
        elif b.kind == "chart":
            out.append(f'<figure id="{e(slug(b.name))}">{figure_svg(b.figure)}<figcaption>{e(b.text)}'
                       "</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out)
