"""Questions as people paste them: text copied from a web page brings its markup along.

``<a href="https://…/clarence-thomas…">Supreme Court Justice Clarence Thomas</a>`` is a name to
search for, not ``href``, ``https`` and a URL's slug. Tags are dropped (their text stays),
entities decoded, whitespace collapsed. Only what looks like a tag is touched: "a < b" and
"3 <4" stay as typed.
"""

from __future__ import annotations

import html
import re

from qa_service.core.errors import InvalidQuery

_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_TAG = re.compile(r"<(?:[a-zA-Z][\w:-]*|/[a-zA-Z][\w:-]*|!--)(?:[^<>]*)>")


def plain_query(text: str) -> str:
    """``text`` without markup; :class:`InvalidQuery` when nothing readable is left."""
    if "<" not in text and "&" not in text:
        return text
    stripped = " ".join(html.unescape(_TAG.sub(" ", text)).split())
    stripped = _SPACE_BEFORE_PUNCT.sub(r"\1", stripped)  # "</a>," left "Thomas ,"
    if not stripped:
        raise InvalidQuery("the question has no text outside its markup")
    return stripped
