"""A report as GitHub-flavoured Markdown, each chart an SVG file in a folder beside it
(``<name>_files/``).

Every piece of text from a scenario file (titles, quotes, descriptions, names) is escaped by
:func:`md_text` before it is written: ``<``, ``>`` and ``&`` become entities, so no raw HTML
(``<script>``, ``<img onerror=...>``) reaches a forge's renderer; line breaks of every kind become
spaces, so a title cannot start a heading, a list or a table row on a line of its own; the
characters that Markdown reads as markup (``\\ ` * _ [ |`` and a line-leading ``#``, ``-``,
``+``, ``=``, ``~``, ``>`` or ``1.``) are backslash-escaped. Tables are GitHub-flavoured pipe tables.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from analysis.report.document import Report, numbering, slug

_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
_MARKUP = re.compile(r"([\\`*\[|])")  # no link can form without an unescaped [
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # intraword _ is not emphasis in GFM
_LEADING = re.compile(r"^(\s*)([#+=\-~]|\d+[.)](?=\s|$))")


def md_text(text) -> str:
    """``text`` as one line of Markdown that renders as exactly that text.

    Examples
    --------
    >>> md_text("a | b")
    'a \\\\| b'
    >>> md_text("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> md_text("Title\\n# injected\\n| x | y |")
    'Title # injected \\\\| x \\\\| y \\\\|'
    >>> md_text("# not a heading"), md_text("1. not a list"), md_text("us_shield_cost"), md_text("52.4% [0, 1]")
    ('\\\\# not a heading', '1\\\\. not a list', 'us_shield_cost', '52.4% \\\\[0, 1]')
    """
    s = _BREAKS.sub(" ", str(text)).replace("\t", " ").replace("\x00", "")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MARKUP.sub(r"\\\1", s)
    s = _UNDERSCORE.sub(r"\\_", s)
    m = _LEADING.match(s)
    if m:
        lead = m.group(2)
        s = m.group(1) + (lead[:-1] + "\\" + lead[-1] if lead[0].isdigit() else "\\" + lead) + s[m.end():]
    return s.strip() or " "


def render_markdown(report: Report, chart_dir: str) -> tuple[str, dict[str, bytes]]:
    """Markdown text and the chart files (relative name -> SVG bytes) it links to.

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h2", "Payoffs")
    >>> r.add_table(["player", "a|b"], [["Russia", 2]])
    >>> text, files = render_markdown(r, "demo_files")
    >>> print(text)
    ## 1 Payoffs
    <BLANKLINE>
    | player | a\\|b |
    |---|---|
    | Russia | 2 |
    <BLANKLINE>
    >>> files
    {}
    """
    from analysis.report.html import chart_svg

    out, files = [], {}
    for b, number in zip(report.blocks, numbering(report)):
        if b.kind in ("h1", "h2", "h3"):
            out.append("#" * int(b.kind[1]) + " " + (f"{number} " if number else "") + md_text(b.text) + "\n")
        elif b.kind == "p":
            out.append(md_text(b.text) + "\n")
        elif b.kind == "table":
            out.append("| " + " | ".join(map(md_text, b.headers)) + " |")
            out.append("|" + "---|" * len(b.headers))
            out += ["| " + " | ".join(map(md_text, row)) + " |" for row in b.rows]
            out.append("")
            if b.note:
                out.append(f"*{md_text(b.note)}*\n")
        elif b.kind == "chart":
            name = f"{chart_dir}/{len(files) + 1:02d}-{slug(b.name)}.svg"
            files[name] = chart_svg(b.figure).encode()
            caption = md_text(b.text)
            out.append(f"![{number}. {caption}]({quote(name)})\n\n*{number}.* {caption}\n")
    return "\n".join(out), files
