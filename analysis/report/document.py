"""The document model of a report: a title and a list of blocks, no file and no format.

:func:`analysis.report.sections.build_report` fills a :class:`Report`; the renderers
(:mod:`analysis.report.html`, :mod:`analysis.report.markdown`, :mod:`analysis.report.pdf`) read it.
Numbering is the model's too (:func:`numbering`), so every format numbers sections and figures
alike, and a long table is capped here (:meth:`Report.add_table`), with the count of rows left out
and how to see them all, so no format can forget the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

#: What a block can be; a renderer handles every kind.
BLOCK_KINDS = ("h1", "h2", "h3", "p", "table", "chart")
#: Longest table in a report (a sequential game's reduced form can have hundreds of equilibria, a
#: repeated game hundreds of targets); the rest is counted in a note that says how to see it.
MAX_TABLE_ROWS = 25


@dataclass
class Block:
    """One piece of a report: ``kind`` is ``"h1"``, ``"h2"``, ``"h3"``, ``"p"``,
    ``"table"`` (``headers``, ``rows``; ``omitted`` rows left out and ``see_all``, how to see
    them) or ``"chart"`` (``figure``, ``name``; ``text`` is the caption)."""

    kind: str
    text: str = ""
    headers: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()
    figure: Any = None
    name: str = ""
    omitted: int = 0
    see_all: str = ""

    @property
    def note(self) -> str:
        """The sentence under a capped table ("" when nothing was left out).

        Examples
        --------
        >>> Block("table", rows=[[1]], omitted=3, see_all="bargain solve x.toml lists all").note
        '3 more rows not shown (1 of 4 shown); bargain solve x.toml lists all.'
        """
        if not self.omitted:
            return ""
        more = f"{self.omitted} more row{'s' if self.omitted != 1 else ''} not shown "
        text = more + f"({len(self.rows)} of {len(self.rows) + self.omitted} shown)"
        return text + (f"; {self.see_all.rstrip('.')}." if self.see_all else ".")


@dataclass
class Report:
    """A title and the blocks in reading order.

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h1", "Demo")
    >>> r.add("chart", "A chart.", figure=None, name="c")
    >>> r.add_table(["n"], [[k] for k in range(30)], see_all="bargain solve demo.toml lists all")
    >>> [b.kind for b in r.blocks], [b.name for b in r.charts], len(r.blocks[-1].rows), r.blocks[-1].omitted
    (['h1', 'chart', 'table'], ['c'], 25, 5)
    """

    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, kind: str, text: str = "", **kw) -> None:
        self.blocks.append(Block(kind, text, **kw))

    def add_table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, see_all: str = "",
                  limit: int = MAX_TABLE_ROWS) -> None:
        """A table of at most ``limit`` rows; the block counts the rest and says how to see them."""
        rows = list(rows)
        self.blocks.append(Block("table", headers=headers, rows=rows[:limit], omitted=max(0, len(rows) - limit),
                                 see_all=see_all))

    @property
    def charts(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "chart"]


def numbering(report: Report) -> list[str]:
    """Each block's number as printed: ``"2"`` for the second section (``h2``), ``"2.1"`` for its
    first subsection, ``"Figure 3"`` for the third chart, ``""`` for anything else.

    Examples
    --------
    >>> r = Report("Demo")
    >>> for kind in ("h1", "h2", "h3", "chart", "h3", "h2", "chart"):
    ...     r.add(kind, "x")
    >>> numbering(r)
    ['', '1', '1.1', 'Figure 1', '1.2', '2', 'Figure 2']
    """
    out, h2, h3, fig = [], 0, 0, 0
    for b in report.blocks:
        if b.kind == "h2":
            h2, h3 = h2 + 1, 0
            out.append(str(h2))
        elif b.kind == "h3":
            h3 += 1
            out.append(f"{h2}.{h3}" if h2 else str(h3))
        elif b.kind == "chart":
            fig += 1
            out.append(f"Figure {fig}")
        else:
            out.append("")
    return out


def slug(text: str) -> str:
    """A file- and anchor-safe name.

    Examples
    --------
    >>> slug("regime map: a/b"), slug("///")
    ('regime-map-a-b', 'chart')
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "chart"
