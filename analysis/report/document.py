"""The document model of a report: a title and a list of blocks, no file and no format.

:func:`analysis.report.sections.build_report` fills a :class:`Report`; the renderers
(:mod:`analysis.report.html`, :mod:`analysis.report.markdown`, :mod:`analysis.report.pdf`) read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

#: What a block can be; a renderer handles every kind.
BLOCK_KINDS = ("h1", "h2", "h3", "p", "table", "chart")


@dataclass
class Block:
    """One piece of a report: ``kind`` is ``"h1"``, ``"h2"``, ``"h3"``, ``"p"``,
    ``"table"`` (``headers``, ``rows``) or ``"chart"`` (``figure``, ``name``)."""

    kind: str
    text: str = ""
    headers: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()
    figure: Any = None
    name: str = ""


@dataclass
class Report:
    """A title and the blocks in reading order.

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h1", "Demo")
    >>> r.add("chart", "A chart.", figure=None, name="c")
    >>> [b.kind for b in r.blocks], [b.name for b in r.charts]
    (['h1', 'chart'], ['c'])
    """

    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, kind: str, text: str = "", **kw) -> None:
        self.blocks.append(Block(kind, text, **kw))

    @property
    def charts(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "chart"]


def slug(text: str) -> str:
    """A file- and anchor-safe name.

    Examples
    --------
    >>> slug("regime map: a/b"), slug("///")
    ('regime-map-a-b', 'chart')
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "chart"
