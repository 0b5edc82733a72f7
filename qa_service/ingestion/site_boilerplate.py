"""Lines that recur across many pages of one site within an ingest run: proven boilerplate.

A menu entry, a site tagline or a teaser for another story repeats on page after page of the same
site; a news sentence does not. Counting is per site (the record's explicit ``source``, else the
folder it was read from) and per document (a line repeated within one page counts once). Only
page formats (text, markdown, HTML) take part: a JSONL record's text is already article text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from qa_service.ingestion.clean import normalise_lines, page_text
from qa_service.ingestion.line_kinds import plain_line
from qa_service.ingestion.records import RawRecord

MIN_DOCUMENTS = 3  # a line on three different pages of one site is that site's, not a story's
MIN_CHARS = 3  # shorter lines ("|", "—") are left to the layout rules


def site_of(record: RawRecord) -> str:
    """The site a record belongs to: its explicit source, else the folder holding the file."""
    source = record.meta.get("source")
    return source.casefold() if source else str(Path(record.origin.split("#L")[0]).parent)


def takes_part(record: RawRecord) -> bool:
    return record.fmt != "jsonl"


def page_lines(record: RawRecord) -> set[str]:
    """A page's distinct non-blank lines, normalised and casefolded as the cleaner compares them."""
    text = page_text(record.raw, record.fmt)
    lines = (plain_line(line).casefold() for line in normalise_lines(text))
    return {line for line in lines if len(line) >= MIN_CHARS}


def repeated_site_lines(
    records: Iterable[RawRecord], min_documents: int = MIN_DOCUMENTS
) -> Mapping[str, frozenset[str]]:
    """For each site, the lines found on at least ``min_documents`` of its pages in this run."""
    pages = ((site_of(r), page_lines(r)) for r in records if takes_part(r))
    return site_lines_from(pages, min_documents)


def site_lines_from(
    pages: Iterable[tuple[str, set[str]]], min_documents: int = MIN_DOCUMENTS
) -> Mapping[str, frozenset[str]]:
    """``repeated_site_lines`` from each page's (site, distinct lines), computed wherever the page
    was read: the counting is the one step that has to see every page."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for site, lines in pages:
        counts[site].update(lines)
    return {
        site: frozenset(line for line, n in counter.items() if n >= min_documents)
        for site, counter in counts.items()
    }
