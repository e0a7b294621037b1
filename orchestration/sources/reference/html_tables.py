"""HTML tables as rectangular text grids, with ``colspan``/``rowspan`` expanded.

Standard library only (``html.parser``): the flow pages are simple tables, and pulling in
lxml/bs4 for them would add two dependencies the project does not otherwise need. Cell text is
the concatenation of all text inside the cell (nested ``<span>``/``<font>`` included), with
non-breaking and thin spaces normalised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass(slots=True)
class _Cell:
    text: list[str] = field(default_factory=list)
    header: bool = False
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True, slots=True)
class HtmlTable:
    """One ``<table>``: its CSS classes and the expanded grid (rows of equal length)."""

    classes: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _clean(parts: list[str]) -> str:
    text = "".join(parts).replace("\xa0", " ").replace("\u2009", " ").replace("\u202f", " ")
    return " ".join(text.split())


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[tuple[str, ...], list[list[_Cell]]]] = []
        self._stack: list[tuple[tuple[str, ...], list[list[_Cell]]]] = []
        self._cell: _Cell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            classes = tuple((attributes.get("class") or "").split())
            self._stack.append((classes, []))
        elif not self._stack:
            return
        elif tag == "tr":
            self._close_cell()
            self._stack[-1][1].append([])
        elif tag in ("td", "th"):
            self._close_cell()
            rows = self._stack[-1][1]
            if not rows:
                rows.append([])
            self._cell = _Cell(
                header=tag == "th",
                colspan=_span(attributes.get("colspan")),
                rowspan=_span(attributes.get("rowspan")),
            )
            rows[-1].append(self._cell)
        elif tag == "br" and self._cell is not None:
            self._cell.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        if tag in ("td", "th", "tr"):
            self._close_cell()
        elif tag == "table":
            self._close_cell()
            self.tables.append(self._stack.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.text.append(data)

    def _close_cell(self) -> None:
        self._cell = None


def _expand(rows: list[list[_Cell]]) -> tuple[tuple[str, ...], ...]:
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            text = _clean(cell.text)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    grid.setdefault((r + dr, c + dc), text)
            c += cell.colspan
            width = max(width, c)
    height = len(rows)
    return tuple(tuple(grid.get((r, c), "") for c in range(width)) for r in range(height))


def extract_tables(html: str) -> list[HtmlTable]:
    """All tables of a page, in document order (nested tables come before their parent)."""
    parser = _TableParser()
    parser.feed(html)
    parser.close()
    return [HtmlTable(classes, _expand(rows)) for classes, rows in parser.tables]
