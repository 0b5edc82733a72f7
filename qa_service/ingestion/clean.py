"""Boilerplate removal: turn a web-page dump (plain text, markdown or HTML) into the article body.

The page analysis here (``analyse_page``) is shared with ``metadata`` so that a title or a
date is only ever read from the article's own header, never from teasers in the footer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import trafilatura

from qa_service.ingestion.light_clean import light_clean_lines


class Kind(Enum):
    """What a single line of a page is; only TEXT lines can become article paragraphs."""

    BLANK = "blank"
    TEXT = "text"
    NAV = "nav"  # menus, language switchers, "No Result": page chrome
    DATE = "date"  # a line that is only a date/time
    BYLINE = "byline"  # "By Jane Doe"
    BOILER = "boiler"  # inline junk ("See also ...", "Advertisement"): dropped, not structural
    TAIL = "tail"  # a footer marker: everything after it is not the article


# Lines that start the footer: related posts, comment forms, newsletter boxes, copyright.
_TAIL_RE = re.compile(
    r"(?i)related|related (?:posts?|articles?|stories|news|content|coverage)"
    r"|most (?:popular|read|viewed|shared)|popular (?:posts|stories|now|news)|trending(?: now)?"
    r"|recommended(?: for you| stories| articles)?|you (?:may|might) (?:also )?(?:like|enjoy)"
    r"|more (?:stories|news|articles|from .{1,60})|latest (?:news|posts|stories|articles)"
    r"|recent (?:posts|articles)|(?:previous|next|older|newer) (?:post|article|story)"
    r"|discover more from .{1,80}|leave a (?:reply|comment)|(?:\d+ )?comments?|post a comment"
    r"|subscribe(?: to .{1,80})?|sign up(?: for .{1,80})?|join our newsletter.*"
    r"|share this(?: article| story| post)?|like this|tags?(?::.*)?|topics|filed under(?::.*)?"
    r"|your email address will not be published.*|(?:©|\(c\)|copyright\b).*|.*all rights reserved"
)
_NAV_PHRASES = frozenset(
    (
        "no result",
        "no results",
        "view all result",
        "view all results",
        "skip to content",
        "skip to main content",
        "menu",
        "main menu",
        "search",
        "home",
        "close",
        "toggle navigation",
        "sign in",
        "log in",
        "login",
        "register",
        "about us",
        "contact us",
        "contact",
        "privacy policy",
        "terms of use",
        "terms of service",
        "terms and conditions",
        "cookie policy",
        "back to top",
        "newsletter",
    )
)
_FOLLOW_RE = re.compile(r"follow(?: us)?(?: on)?(?: [\w .&|'-]{1,40})?", re.IGNORECASE)
_BULLET_RE = re.compile(r"^[•·▪●◦‣∙*+\-–—]\s*(?P<item>.*)$")
_BOILER_RE = re.compile(
    r"(?i)being updated|developing story|updating|advertisement|advertising|sponsored(?: content)?"
    r"|ad|share|share on \w+|print|e-?mail|tweet|facebook|twitter|x|telegram|whatsapp|linkedin"
    r"|copy link|loading\W*|read more|click here.*|[-*_=~•·\s]{3,}"
    r"|(?:url|link|canonical|source)?\s*:?\s*https?://\S+"
    r"|(?:photo|image|picture|credit|photo credit|source)\s*:.{0,80}"
)
# Link texts that extraction glued together ("PolicySpecial Military"): a menu or tag list.
_GLUED_LINKS_RE = re.compile(r"[a-z’']{4}[A-Z][a-z]{3}")
_SEE_ALSO_RE = re.compile(r"(?:see also|read also|also read|read more)\s*:?\s+\S.*", re.IGNORECASE)
BYLINE_RE = re.compile(
    r"(?:By|BY|Written by|Words by|Author:)\s+"
    r"(?P<name>[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|al|bin|and))*)"
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY, _YEAR = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?", r"(?P<year>\d{4})\b"
# Shared with qa_service.ingestion.metadata, which turns the named groups into ISO 8601.
DATE_RES = (
    re.compile(rf"(?i)\b(?P<mon>{_MONTH})\.?\s+{_DAY},?\s+{_YEAR}"),
    re.compile(rf"(?i)\b{_DAY}\s+(?:of\s+)?(?P<mon>{_MONTH})\.?,?\s+{_YEAR}"),
    re.compile(
        r"\b(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})"
        r"(?:[T ](?P<hh>\d{2}):(?P<mm>\d{2})(?::(?P<ss>\d{2}))?(?:\.\d+)?"
        r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
    ),
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})\b"),
    re.compile(r"\b(?P<mon>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})\b"),
)
TIME_RE = re.compile(
    r"(?i)\b(?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2}))?(?:\s*(?P<ampm>[ap])\.?m\b\.?)?"
    r"(?:\s*(?P<tz>GMT|UTC|Z)\b)?"
)
_DATE_FILLER_RE = re.compile(
    r"(?i)\b(?:updated|published|posted|last|modified|on|at|date|gmt|utc|msk|cet|cest|est|edt"
    r"|pst|pdt|bst|am|pm|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?)\b"
)

_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_HEADING_RE = re.compile(r"^#{1,6}\s+(?P<text>.*?)(?:\s+#+)?$")
_EMPHASIS_RE = re.compile(r"^([*_]{1,3})(?P<text>[^*_\s].*?)\1$")  # a whole line in *italics*
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)\s]+(?:\s+\"[^\"]*\")?\)")
_TERMINAL_RE = re.compile(r"[.!?…]['\"”’»)\]]*$")
_HTML_RE = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body)", re.IGNORECASE)
ANCHOR_KINDS = frozenset({Kind.NAV, Kind.DATE, Kind.TAIL, Kind.BYLINE})
CHROME_KINDS = frozenset({Kind.NAV, Kind.DATE, Kind.TAIL, Kind.BYLINE, Kind.BOILER})
LABEL_MAX_WORDS = 5
HEADLINE_MAX_WORDS = 30  # as qa_service.ingestion.metadata reads a title


def is_sentence(text: str) -> bool:
    """Paragraphs end with sentence punctuation; titles, menus, tags and captions do not."""
    return bool(_TERMINAL_RE.search(text))


def is_date_line(line: str) -> bool:
    """True for a line that carries nothing but a date (plus time, zone, 'Updated:' words)."""
    if len(line) > 100 or not re.search(r"\d{4}", line):  # cheap test first: most lines
        return False
    if not any(r.search(line) for r in DATE_RES):
        return False
    rest = line
    for pattern in (*DATE_RES, TIME_RE, _DATE_FILLER_RE):
        rest = pattern.sub(" ", rest)
    return not re.search(r"\w", rest)


def heading_text(line: str) -> str | None:
    """The text of a markdown heading line, else None."""
    return match.group("text") if (match := _HEADING_RE.match(line)) else None


def plain_line(line: str) -> str:
    """A normalised line without markdown syntax (heading marks, links, images)."""
    text = (heading_text(line) or line) if line.startswith("#") else line
    if "](" in text:
        text = _SPACES_RE.sub(" ", _LINK_RE.sub(r"\1", _IMAGE_RE.sub("", text))).strip()
    return _EMPHASIS_RE.sub(r"\g<text>", text) if text[:1] in ("*", "_") else text


def classify_line(text: str) -> Kind:
    """Decides from one line alone whether it can be article text."""
    if not text:
        return Kind.BLANK
    n_words = len(text.split())
    bare = text.rstrip(" .:!")
    if n_words <= 12 and _TAIL_RE.fullmatch(bare):
        return Kind.TAIL
    if is_date_line(text):
        return Kind.DATE
    bullet = _BULLET_RE.match(text)
    if bullet and len(bullet["item"].split()) <= 5 and not is_sentence(bullet["item"]):
        return Kind.NAV
    parts = re.split(r"\s[/|]\s", text)
    if len(parts) >= 3 and all(len(p.split()) <= 3 for p in parts):
        return Kind.NAV  # language switcher or breadcrumb
    if bare.casefold() in _NAV_PHRASES or (n_words <= 6 and _FOLLOW_RE.fullmatch(bare)):
        return Kind.NAV
    if len(_GLUED_LINKS_RE.findall(text)) >= 2 and not is_sentence(text):
        return Kind.NAV  # two or more link texts run together: a category or tag list
    if n_words <= 8 and not is_sentence(text) and BYLINE_RE.fullmatch(text):
        return Kind.BYLINE
    if _BOILER_RE.fullmatch(bare) or (_SEE_ALSO_RE.fullmatch(text) and not is_sentence(text)):
        return Kind.BOILER
    return Kind.TEXT


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
    text = _INVISIBLE_RE.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return [_SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]


def _joins(prev: str, cur: str, wrapped: bool) -> bool:
    """Whether ``cur`` continues the paragraph of ``prev`` (a hard-wrapped line)."""
    if is_sentence(prev) or _BULLET_RE.match(cur):
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


def is_label(text: str) -> bool:
    """A short unpunctuated line (tag, category, caption, share prompt): not a news sentence.

    Only this is cut from the end of an article: a last paragraph without a full stop ("The
    mayor said work would begin in spring", cut off by an inline script) is still news.
    """
    return not is_sentence(text) and len(text.split()) <= LABEL_MAX_WORDS


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
    return fmt == "html" or bool(_HTML_RE.match(raw[:1000]))


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
