"""How much text cleaning removed in one ingest run, so a cleaner that eats news is noticed."""

from __future__ import annotations

from dataclasses import dataclass, field

HEAVY_SHARE = 0.5  # a document losing more than this share of its characters gets a warning
KEPT_WORDS_SHARE = 0.95


@dataclass
class CleaningReport:
    """Characters in/out over the run, the worst document, and every document losing > half.

    "In" is the text cleaning starts from (trafilatura's extract for HTML, the record text
    otherwise); both sides are counted with whitespace runs collapsed, so re-wrapping is free.
    """

    documents: int = 0
    chars_in: int = 0
    chars_out: int = 0
    max_removed_share: float = 0.0
    max_removed_origin: str | None = None
    kept_most_words: int = 0  # documents keeping >= 95 % of their words
    heavy: list[tuple[str, float]] = field(default_factory=list)  # (origin, share removed)

    def add(self, origin: str, before: str, after: str) -> None:
        chars_in, chars_out = len(" ".join(before.split())), len(" ".join(after.split()))
        self.documents += 1
        self.chars_in += chars_in
        self.chars_out += chars_out
        removed = 1.0 - chars_out / chars_in if chars_in else 0.0
        if removed > self.max_removed_share:
            self.max_removed_share, self.max_removed_origin = removed, origin
        if removed > HEAVY_SHARE:
            self.heavy.append((origin, removed))
        words_in = len(before.split())
        if not words_in or len(after.split()) >= KEPT_WORDS_SHARE * words_in:
            self.kept_most_words += 1

    def merge(self, other: CleaningReport) -> None:
        """Add ``other``'s documents as if ``add`` had been called for them here, after ours."""
        self.documents += other.documents
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        if other.max_removed_share > self.max_removed_share:
            self.max_removed_share = other.max_removed_share
            self.max_removed_origin = other.max_removed_origin
        self.kept_most_words += other.kept_most_words
        self.heavy.extend(other.heavy)

    @property
    def removed_share(self) -> float:
        return 1.0 - self.chars_out / self.chars_in if self.chars_in else 0.0
