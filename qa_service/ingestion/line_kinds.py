"""What one line of a web-page dump is (navigation, date, byline, footer marker, boilerplate or
text), by general, site-agnostic patterns; ``clean`` builds the page layout from these kinds and
``metadata`` reads bylines and dates with the same patterns.
"""

from __future__ import annotations

import re
from enum import Enum


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
BULLET_RE = re.compile(r"^[•·▪●◦‣∙*+\-–—]\s*(?P<item>.*)$")
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

SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_HEADING_RE = re.compile(r"^#{1,6}\s+(?P<text>.*?)(?:\s+#+)?$")
_EMPHASIS_RE = re.compile(r"^([*_]{1,3})(?P<text>[^*_\s].*?)\1$")  # a whole line in *italics*
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)\s]+(?:\s+\"[^\"]*\")?\)")
_TERMINAL_RE = re.compile(r"[.!?…]['\"”’»)\]]*$")
HTML_RE = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body)", re.IGNORECASE)
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
        text = SPACES_RE.sub(" ", _LINK_RE.sub(r"\1", _IMAGE_RE.sub("", text))).strip()
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
    bullet = BULLET_RE.match(text)
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


def is_label(text: str) -> bool:
    """A short unpunctuated line (tag, category, caption, share prompt): not a news sentence.

    Only this is cut from the end of an article: a last paragraph without a full stop ("The
    mayor said work would begin in spring", cut off by an inline script) is still news.
    """
    return not is_sentence(text) and len(text.split()) <= LABEL_MAX_WORDS
