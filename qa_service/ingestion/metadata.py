"""Article metadata (title, source, url, author, published_at) read from the page itself.

Rules: explicit values (JSONL fields) win; a date is only taken from the article's own header,
never from teasers in the footer, and never invented (no file mtime, no "today").
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
import trafilatura

from qa_service.ingestion.clean import PageLayout, analyse_page, html_to_text, looks_like_html
from qa_service.ingestion.line_kinds import (
    BYLINE_RE,
    DATE_RES,
    TIME_RE,
    Kind,
    heading_text,
    plain_line,
)

FIELDS = ("title", "source", "url", "author", "published_at")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "parsely-pub-date",
    "sailthru.date",
)
_JSONLD_DATE_RE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
_DISCOVER_RE = re.compile(r"discover more from (?P<name>.+)", re.IGNORECASE)
# "MOSCOW (Realist English). ..." / "LONDON, Dec 1 (Reuters) - ...": the agency in brackets.
_DATELINE_RE = re.compile(
    r"^[A-Z][A-Z .'’-]{1,40}(?:,[^()]{1,30})?\s\((?P<name>[^()]{2,40})\)\s*[.:—–-]"
)
_REPORTS_RE = re.compile(
    r"\b(?P<name>[A-Z][\w&-]*(?:\.[A-Za-z]{2,})+|[A-Z][\w&-]*(?:\s[A-Z][\w&-]*){0,2})"
    r" reports? via\b"
)
_EDITION_RE = re.compile(r"\s+(?:English|Russian|Arabic|French|German|Spanish|Turkish|Edition)$")
_URL_LINE_RE = re.compile(r"(?i)(?:url|link|canonical|source)\s*:\s*(?P<url>https?://\S+)")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses str input that declares one
_UPDATED_RE = re.compile(r"(?i)\b(?:updated|modified)\b")
# A tag, or a tag opened and never closed (it would swallow the markup after it in a page).
_TAG_RE = re.compile(r"</?[A-Za-z!?/][^<>]*(?:>|$)")
DISPLAY_FIELDS = ("title", "source", "author")  # shown to readers: plain text only


def _valid_iso(
    year: int, month: int, day: int, clock: tuple[int, int, int] | None, tz: str | None
) -> str | None:
    """ISO 8601 text for a date (and time) that exists, else None."""
    if not 1900 <= year <= 2100:
        return None
    try:
        moment = datetime(year, month, day, *(clock or (0, 0, 0)))
    except ValueError:
        return None
    if clock is None:
        return moment.date().isoformat()
    text = moment.isoformat(timespec="seconds")
    if tz:
        tz = tz.upper()
        if tz in ("Z", "GMT", "UTC"):
            return text + "+00:00"
        digits = tz.replace(":", "")
        return f"{text}{digits[:3]}:{digits[3:]}"
    return text


def _month_number(value: str) -> int:
    return int(value) if value.isdigit() else _MONTHS.index(value[:3].casefold()) + 1


def parse_date(text: str) -> str | None:
    """The first date in ``text`` (with its time when given) as ISO 8601, or None.

    Anything after "Updated"/"Modified" is ignored: we want when the article was published.
    """
    cut = _UPDATED_RE.search(text)
    if cut and any(r.search(text[: cut.start()]) for r in DATE_RES):
        text = text[: cut.start()]
    matches = [m for r in DATE_RES if (m := r.search(text))]
    if not matches:
        return None
    found = min(matches, key=lambda m: m.start())
    groups = found.groupdict()
    month, day = _month_number(groups["mon"]), int(groups["day"])
    if month > 12 and "/" in found.group(0):
        month, day = day, month  # 25/12/2025 is day-first
    clock_match = (
        None
        if groups.get("hh")
        else next(
            (
                t
                for t in TIME_RE.finditer(text)
                if t.end() <= found.start() or t.start() >= found.end()
            ),
            None,
        )
    )
    clock_groups = groups if groups.get("hh") else (clock_match.groupdict() if clock_match else {})
    clock = None
    if clock_groups.get("hh"):
        hour = int(clock_groups["hh"])
        ampm = (clock_groups.get("ampm") or "").casefold()
        hour = hour % 12 + (12 if ampm == "p" else 0) if ampm else hour
        clock = (hour, int(clock_groups["mm"]), int(clock_groups.get("ss") or 0))
    return _valid_iso(int(groups["year"]), month, day, clock, clock_groups.get("tz"))


def _header_indices(layout: PageLayout) -> range:
    return range(0, layout.body_start)


def _title_from_text(layout: PageLayout) -> str | None:
    """A markdown H1 in the header, else the headline-like header line nearest the body."""
    for i in _header_indices(layout):
        line = layout.lines[i]
        if line.startswith("# ") and (text := heading_text(line)):
            return plain_line(text)
    candidates = [
        unit.text
        for unit in layout.units
        if unit.end < layout.body_start
        and 3 <= len(unit.text.split()) <= 30
        and not unit.text.endswith(".")
    ]
    return candidates[-1] if candidates else None


def _date_from_text(layout: PageLayout) -> str | None:
    for i in _header_indices(layout):
        if layout.kinds[i] is Kind.DATE and (iso := parse_date(layout.lines[i])):
            return iso
    return None


def _author_from_text(layout: PageLayout) -> str | None:
    """A byline in the header, or just after the body (before any footer)."""
    where = [*_header_indices(layout), *range(layout.body_end, layout.tail_start)]
    for i in where:
        line = plain_line(layout.lines[i])
        if layout.kinds[i] is Kind.BYLINE and (match := BYLINE_RE.fullmatch(line)):
            return match.group("name")
    return None


def _source_from_text(layout: PageLayout) -> str | None:
    """The site's own name: a newsletter box, the dateline agency, or "X reports via"."""
    for line in layout.lines:
        if match := _DISCOVER_RE.fullmatch(line):
            return match.group("name").split(" | ")[0].strip() or None
    if layout.body:
        if match := _DATELINE_RE.match(layout.body[0].text):
            return _EDITION_RE.sub("", match.group("name").strip())
        for unit in layout.body[:3]:
            if match := _REPORTS_RE.search(unit.text):
                return match.group("name")
    return None


def _url_from_text(layout: PageLayout) -> str | None:
    where = [*_header_indices(layout), *range(layout.body_end, layout.tail_start)]
    for i in where:
        if match := _URL_LINE_RE.fullmatch(plain_line(layout.lines[i])):
            return match.group("url")
    return None


def metadata_from_text(text: str) -> dict[str, str | None]:
    """Metadata of a plain-text or markdown page dump."""
    layout = analyse_page(text)
    return {
        "title": _title_from_text(layout),
        "source": _source_from_text(layout),
        "url": _url_from_text(layout),
        "author": _author_from_text(layout),
        "published_at": _date_from_text(layout),
    }


def _html_dates(raw: str) -> Iterable[str]:
    """Publication dates declared in the markup (meta tags, JSON-LD), most explicit first."""
    try:
        root = lxml.html.fromstring(_XML_DECL_RE.sub("", raw, count=1))
    except Exception:  # noqa: BLE001 - lxml raises several types on hostile markup
        return []
    declared: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").casefold()
        if key in _DATE_META_KEYS and meta.get("content"):
            declared.setdefault(key, meta.get("content") or "")
    found = [declared[k] for k in _DATE_META_KEYS if k in declared]
    return [*found, *_JSONLD_DATE_RE.findall(raw)]


def metadata_from_html(raw: str) -> dict[str, str | None]:
    """Metadata of an HTML page; trafilatura never fetches here, it only parses ``raw``."""
    result: dict[str, str | None] = dict.fromkeys(FIELDS)
    try:
        doc = trafilatura.extract_metadata(raw, extensive=False)
    except Exception:  # noqa: BLE001 - a parser crash on one hostile page must not stop ingest
        doc = None
    if doc is not None:
        result.update(title=doc.title, source=doc.sitename, url=doc.url, author=doc.author)
    dates = [*_html_dates(raw), *([doc.date] if doc is not None and doc.date else [])]
    result["published_at"] = next((iso for d in dates if (iso := parse_date(d))), None)
    text_meta = metadata_from_text(html_to_text(raw))
    return {k: _clean_value(result[k]) or text_meta[k] for k in FIELDS}


def _clean_value(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def http_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) URL, else None: API consumers may link to it as is
    (a ``javascript:`` or ``data:`` URL in a citation is a script in some reader's page)."""
    if not value or any(c.isspace() or ord(c) < 32 or c == "\x7f" for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def plain_text(value: str | None) -> str | None:
    """Markup removed, entities decoded: titles are text, whatever the page's ``<title>`` held.

    Tags are removed until none is left (``<<b>img ...>`` hides one tag inside another)."""
    if value is None:
        return None
    text = html.unescape(value)
    while (stripped := _TAG_RE.sub(" ", text)) != text:
        text = stripped
    return " ".join(text.split()) or None


def extract_metadata(
    raw: str,
    fmt: str,
    given: Mapping[str, str | None],
    warnings: list[str] | None = None,
) -> dict[str, str | None]:
    """Keys title, source, url, author, published_at; explicit ``given`` values win.

    A given date is normalised to ISO 8601; one we cannot read is dropped rather than stored
    in a form the date filters would misread. Only http(s) URLs are kept (a dropped one is
    reported in ``warnings``) and display fields are plain text.
    """
    found = metadata_from_html(raw) if looks_like_html(raw, fmt) else metadata_from_text(raw)
    result: dict[str, str | None] = {}
    for key in FIELDS:
        value = _clean_value(given.get(key))
        if key == "published_at" and value is not None:
            value = parse_date(value)
        result[key] = value or found[key]
    url = result["url"]
    result["url"] = http_url(url)
    if url and result["url"] is None and warnings is not None:
        scheme = urlsplit(url).scheme if ":" in url else ""
        warnings.append(f"url dropped: scheme {scheme or '(none)'!r} is not http(s)")
    for key in DISPLAY_FIELDS:
        result[key] = plain_text(result[key])
    return result
