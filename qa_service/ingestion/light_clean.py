"""Light cleaning for text that is already extracted article text (a JSONL ``text``/``body``).

Such text is never judged by the page-layout rules (headline, menus, unpunctuated lines): a feed
of one-sentence items without full stops is news, not chrome. Only lines that match a known footer
pattern exactly are removed, and never all of them: a record whose every line looks like a footer
is kept as it came.
"""

from __future__ import annotations

import re

# Whole lines that are never news: copyright and rights notices, ad slots, newsletter and share
# prompts. Each alternative is anchored by its fixed words, so a sentence that merely mentions
# copyright ("Copyright lawsuits against AI firms grew") does not match.
FOOTER_LINE_RE = re.compile(
    r"(?i)(?:©|\(c\)|copyright\s*(?:©|\(c\))?\s*\d{4})[^.!?]{0,120}\.?"
    r"|(?:.{0,80}\s)?all rights reserved\.?"
    r"|advertisement|advertising|sponsored content|\[?ad\]?"
    r"|(?:subscribe|sign up)(?: now)? (?:to|for) (?:our|the|a) (?:free |daily |weekly )?"
    r"(?:\w+ )?newsletters?\W{0,3}"
    r"|share this(?: article| story| post)?\W{0,3}|(?:read more|see also|related)\s*:?"
    r"|follow us on [\w .&|'-]{1,40}|click here to [\w ,'-]{1,60}\W{0,3}"
)


def is_footer_line(line: str) -> bool:
    """True for a line that is only a known footer/teaser phrase."""
    return len(line) <= 200 and FOOTER_LINE_RE.fullmatch(line.strip()) is not None


def light_clean_lines(lines: list[str]) -> str:
    """Normalised lines without known footer lines, blank runs collapsed; never empty when any
    line has text (then the lines are kept as they are)."""
    kept = [line for line in lines if not is_footer_line(line)]
    if not any(kept):
        kept = lines
    text = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", text)
