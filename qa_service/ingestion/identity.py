"""Stable document ids for records that bring none (JSONL lines without ``doc_id``, pushes).

Order of preference (never the record's position in a file, so inserting a line at the top of a
feed changes no other record's id):
1. the url, normalised (scheme and host lower-cased, fragment and trailing slash dropped);
2. the normalised source + title + date, so a corrected text updates the same article;
3. a hash of the text itself.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

_SPACE = re.compile(r"\s+")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def normalise_url(url: str) -> str:
    """The url as an identity: case of scheme/host, fragment and a trailing slash don't count."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def normalise_text(value: str) -> str:
    """Case-, width- and whitespace-insensitive form of a short field (title, source)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", value).casefold()).strip()


def stable_doc_id(meta: Mapping[str, str | None], text: str) -> str:
    """The id of a record that names none: from its url, else source+title+date, else its text."""
    url = (meta.get("url") or "").strip()
    if url:
        return f"url-{_digest(normalise_url(url))}"
    title = normalise_text(meta.get("title") or "")
    if title:
        source = normalise_text(meta.get("source") or "")
        day = (meta.get("published_at") or "").strip()[:10]
        return f"meta-{_digest(source, title, day)}"
    return f"text-{_digest(normalise_text(text))}"
