"""Boilerplate removal: turn a web-page dump (plain text, markdown or HTML) into the article body.

The page analysis here (``analyse_page``) is shared with ``metadata`` so that a title or a
date is only ever read from the article's own header, never from teasers in the footer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import trafilatura

from qa_service.ingestion.light_clean import light_clean_lines
from qa_service.ingestion.line_kinds import (
    ANCHOR_KINDS,
    BULLET_RE,
    CHROME_KINDS,
    HEADLINE_MAX_WORDS,
    HTML_RE,
    INVISIBLE_RE,
    SPACES_RE,
    Kind,
    classify_line,
    heading_text,
    is_label,
    is_sentence,
    plain_line,
)


@dataclass(frozen=True, slots=True)
class Unit:
    """A paragraph: one TEXT line, or wrapped TEXT lines merged; lines start..end inclusive."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PageLayout:
    """Where a page's header, article body and footer are (line indices into ``lines``)."""

    lines: tuple[str, ...]  # normalised lines, markdown kept (metadata reads "# Title")
    kinds: tuple[Kind, ...]
    units: tuple[Unit, ...]
    body: tuple[Unit, ...]
    body_start: int  # first body line; everything before is header
    body_end: int  # line after the last body paragraph
    tail_start: int  # first footer line (len(lines) when there is no footer marker)


def normalise_lines(raw: str) -> list[str]:
    """Unifies newlines, odd spaces and invisible characters so equal text compares equal."""
    text = INVISIBLE_RE.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return [SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]


def _joins(prev: str, cur: str, wrapped: bool) -> bool:
    """Whether ``cur`` continues the paragraph of ``prev`` (a hard-wrapped line)."""
    if is_sentence(prev) or BULLET_RE.match(cur):
        return False
    return re.match(r"^[\"“‘'(]?[a-z0-9]", cur) is not None or (wrapped and len(prev) >= 50)


def _build_units(lines: list[str], plain: list[str], kinds: list[Kind]) -> list[Unit]:
    # Paragraphs separated by blank lines: a long unfinished line then wraps onto the next.
    wrapped = kinds.count(Kind.BLANK) >= max(2, kinds.count(Kind.TEXT) // 3)
    units: list[Unit] = []
    for i, kind in enumerate(kinds):
        if kind is not Kind.TEXT:
            continue
        last = units[-1] if units else None
        heading = heading_text(lines[i]) is not None or heading_text(lines[i - 1]) is not None
        if last and last.end == i - 1 and not heading and _joins(last.text, plain[i], wrapped):
            units[-1] = Unit(f"{last.text} {plain[i]}", last.start, i)
        else:
            units.append(Unit(plain[i], i, i))
    return units


def _is_prose(unit: Unit) -> bool:
    """A real paragraph: a finished sentence of six words or more."""
    return is_sentence(unit.text) and len(unit.text.split()) >= 6


def _body_anchor(units: list[Unit], kinds: list[Kind], repeated: set[str]) -> int | None:
    """Index of the unit where the article proper starts: two prose paragraphs in a row."""

    def gap_is_clean(a: Unit, b: Unit) -> bool:
        return all(k not in ANCHOR_KINDS for k in kinds[a.end + 1 : b.start])

    fresh = [u.text.casefold() not in repeated for u in units]
    for k in range(len(units) - 1):
        if (
            fresh[k]
            and fresh[k + 1]
            and _is_prose(units[k])
            and _is_prose(units[k + 1])
            and gap_is_clean(units[k], units[k + 1])
        ):
            return k
    sentences = [k for k, unit in enumerate(units) if fresh[k] and is_sentence(unit.text)]
    prose = [k for k in sentences if _is_prose(units[k])]
    return next(iter(prose or sentences), None)


def _header_end(units: list[Unit], kinds: list[Kind], anchor: int, repeated: set[str]) -> int:
    """Line after the last piece of page chrome (menu, date, echoed title) before the body."""
    chrome = [i for i in range(units[anchor].start) if kinds[i] in ANCHOR_KINDS]
    chrome += [u.end for u in units[:anchor] if u.text.casefold() in repeated]
    return max(chrome) + 1 if chrome else 0


def _select_body(
    units: list[Unit], lo: int, hi: int, repeated: set[str], chrome_rules: bool = True
) -> list[Unit]:
    """Paragraphs within lines [lo, hi), without echoes and without headline-like edges."""
    body: list[Unit] = []
    seen: set[str] = set()
    for unit in units:
        key = unit.text.casefold()
        if unit.start < lo or unit.end >= hi or key in seen:
            continue
        if chrome_rules and key in repeated and not is_sentence(unit.text):
            continue  # a repeated short line is chrome (site name, category, title echo)
        seen.add(key)
        body.append(unit)
    if chrome_rules:
        body = _without_header(body)
    while chrome_rules and body and is_label(body[-1].text):
        body.pop()  # tag line, byline, share prompt after the last paragraph
    return body


def _without_header(body: list[Unit]) -> list[Unit]:
    """Drops what precedes the first sentence when it is a header: short labels (caption,
    category) and one headline just before the sentence (metadata keeps it as the title).
    Two unpunctuated lines of news length in a row are not a header: they stay."""
    first = next((k for k, unit in enumerate(body) if is_sentence(unit.text)), len(body))
    news = [unit for unit in body[:first] if not is_label(unit.text)]
    headline = len(news) == 1 and news[0] is body[first - 1]
    if headline and len(news[0].text.split()) <= HEADLINE_MAX_WORDS:
        news = []
    return news + body[first:]


@lru_cache(maxsize=4)  # cleaning and metadata analyse the same page; the layout is immutable
def analyse_page(raw: str, site_lines: frozenset[str] = frozenset()) -> PageLayout:
    """Splits a page dump into header / body / footer using general, site-agnostic rules.

    ``site_lines`` (casefolded) are lines that recur across many pages of the same site in this
    run (``site_boilerplate``): proven boilerplate, marked BOILER before the analysis.
    """
    lines = normalise_lines(raw)
    plain = [plain_line(line) for line in lines]
    kinds = [
        Kind.BOILER if site_lines and text.casefold() in site_lines else classify_line(text)
        for text in plain
    ]
    units = _build_units(lines, plain, kinds)
    counts = Counter(u.text.casefold() for u in units)
    repeated = {text for text, n in counts.items() if n >= 2}
    anchor = _body_anchor(units, kinds, repeated)
    body: list[Unit] = []
    tail_start = len(lines)
    if anchor is not None:
        footer = (i for i in range(units[anchor].start, len(lines)) if kinds[i] is Kind.TAIL)
        tail_start = next(footer, len(lines))
        body = _select_body(
            units, _header_end(units, kinds, anchor, repeated), tail_start, repeated
        )
    elif not any(kind in CHROME_KINDS for kind in kinds):
        # No sentence punctuation anywhere and no page chrome either: a short-item feed or a
        # note of unpunctuated news lines, not a page. Nothing here is proven boilerplate.
        body = _select_body(units, 0, len(lines), repeated, chrome_rules=False)
    body_start = body[0].start if body else tail_start
    body_end = body[-1].end + 1 if body else tail_start
    return PageLayout(
        tuple(lines), tuple(kinds), tuple(units), tuple(body), body_start, body_end, tail_start
    )


def clean_text(raw: str, site_lines: frozenset[str] = frozenset()) -> str:
    """The article body of a text/markdown page dump, paragraphs separated by blank lines.

    Idempotent (the output is chrome-free and cleans to itself); "" when only boilerplate.
    """
    return "\n\n".join(unit.text for unit in analyse_page(raw, site_lines).body)


def light_clean(text: str) -> str:
    """Already-extracted article text (JSONL): known footer lines removed, nothing else."""
    return light_clean_lines(normalise_lines(text))


def looks_like_html(raw: str, fmt: str) -> bool:
    """HTML by extension, or by content (a .txt or JSON record that holds a saved page)."""
    return fmt == "html" or bool(HTML_RE.match(raw[:1000]))


@lru_cache(maxsize=4)
def html_to_text(raw: str) -> str:
    """Main-content text of an HTML page (cached: cleaning and metadata both need it)."""
    try:
        text = trafilatura.extract(raw, include_comments=False, include_tables=True)
    except Exception:  # noqa: BLE001 - a parser crash on one hostile page must not stop ingest
        return ""
    return text or ""


def page_text(raw: str, fmt: str) -> str:
    """The text cleaning starts from: trafilatura's extract for HTML, else the input itself."""
    return html_to_text(raw) if looks_like_html(raw, fmt) else raw


def clean_document(raw: str, fmt: str, site_lines: frozenset[str] = frozenset()) -> str:
    """Cleans any supported format; HTML goes through trafilatura first.

    A JSONL record's text is already article text: it only gets ``light_clean`` (unless it is a
    saved HTML page). Lines recurring across the site (``site_lines``) are dropped from a page
    only while that leaves at least half of what cleaning would keep without them.
    """
    if fmt == "jsonl" and not looks_like_html(raw, fmt):
        return light_clean(raw)
    text = page_text(raw, fmt)
    cleaned = clean_text(text)
    if site_lines:
        narrower = clean_text(text, site_lines)
        if len(narrower) * 2 >= len(cleaned):
            return narrower
    return cleaned
