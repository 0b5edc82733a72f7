"""Markers in a streamed answer, found as soon as they close even when split across deltas."""

from __future__ import annotations

from collections.abc import Collection

from qa_service.core.citations import _PARTIAL_RE, MARKER_RE, _expand, rewrite_markers


class MarkerStream:
    """Finds markers in streamed deltas as soon as they close, even when split ("[1" + "2]").

    With ``valid`` set, :meth:`pop_text` also yields client-safe text: unknown markers removed,
    and a possibly-partial marker (plus the whitespace before it) held back until it resolves.
    """

    def __init__(self, valid: Collection[int] | None = None) -> None:
        self._valid = valid
        self._text = ""
        self._scan_from = 0  # complete markers before this offset were already reported
        self._emitted = 0  # raw text before this offset was already returned by pop_text
        self._sent_tail = ""
        self.seen: list[int] = []  # distinct numbers, in order of first completion

    @property
    def emitted(self) -> int:
        """Length of the raw text already returned by :meth:`pop_text`."""
        return self._emitted

    @property
    def text(self) -> str:
        """The raw answer so far (markers untouched): feed it to ``build_citation``."""
        return self._text

    def feed(self, delta: str) -> list[int]:
        """Numbers of the markers completed by ``delta``, in order (repeats included)."""
        self._text += delta
        numbers: list[int] = []
        for match in MARKER_RE.finditer(self._text, self._scan_from):
            numbers.extend(_expand(match.group(0)))
            self._scan_from = match.end()
        partial = _PARTIAL_RE.search(self._text, self._scan_from)
        self._scan_from = partial.start() if partial else len(self._text)
        for n in numbers:
            if n not in self.seen:
                self.seen.append(n)
        return numbers

    def pop_text(self, final: bool = False) -> str:
        """Text that is safe to forward now; ``final=True`` flushes everything held back."""
        end = len(self._text) if final else self._scan_from
        piece = self._text[self._emitted : end]
        if not final:
            piece = piece.rstrip(" \t")
        self._emitted += len(piece)
        if self._valid is not None:
            piece = rewrite_markers(piece, self._valid, self._sent_tail)
        if piece:
            self._sent_tail = piece[-1]
        return piece
