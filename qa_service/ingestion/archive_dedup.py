"""Cross-run near-duplicates: new articles against the persisted signatures of the archive.

A syndicated copy arriving a day after the original (seed 000 today, 001 tomorrow) used to become
a second document, because MinHash compared articles only within one run. The signatures of every
stored article are kept beside the store (``SignatureStore``); a new article that matches one is
folded into the stored original, which keeps its id and gains the new origin (as within a run).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
from datasketch import MinHash

from qa_service.core.models import Article
from qa_service.core.ports import CorpusWriter, SignatureStore
from qa_service.core.signature_bands import BandIndex, banding_pays, bands_for
from qa_service.core.signature_table import SignatureTable
from qa_service.ingestion.dedup import MINHASH_SEED, merge_group, minhash, shingles

NUM_PERM = 128
SCHEME = "affine32"  # datasketch's default: hash values below 2**32, so 4 bytes each


def pack(signature: MinHash) -> bytes:
    """The signature's hash values as uint32 bytes."""
    assert signature.scheme == SCHEME, signature.scheme
    return signature.hashvalues.astype(np.uint32).tobytes()


def unpack(packed: bytes) -> MinHash:
    values = np.frombuffer(packed, dtype=np.uint32).astype(np.uint64)
    return MinHash(num_perm=len(values), seed=MINHASH_SEED, hashvalues=values, scheme=SCHEME)


def signature_of(article: Article) -> bytes:
    """Packed signature of the article's text; empty when it has no shingle to compare."""
    return pack(minhash(article.text, NUM_PERM)) if shingles(article.text) else b""


class ArchiveIndex:
    """The archive's signatures as one uint32 matrix (a row per article, read in place from the
    ``SignatureTable``); the share of equal hash values is MinHash's Jaccard estimate, as
    ``MinHash.jaccard`` computes it. The rows checked for a new article are either all of them
    (exhaustive, one numpy compare: 23 ms at 150,000 articles, 171 ms at a million) or only the
    candidates of a band index (``core/signature_bands.BandIndex``: the bands' sorted keys,
    searched in O(log archive); a pair at the threshold is missed with probability below 1e-6).
    The same exact check runs on either, so the answers are the same whenever the bands find the
    best match. The index is built per run from the matrix (one sort per band: 0.09 s at
    150,000 articles, 0.75-0.9 s at a million; a lookup and its check then take ~0.14 ms), so
    it is used only when ``queries`` (the new articles to compare) make it cheaper than the
    exhaustive compare (``banding_pays``: from 5); ``banded`` forces the choice. Keeping the
    band entries in the signature file instead would add their 200 MB (a million articles) to
    every run's load and save (np.savez alone: +0.3 s), small runs included. The rows are
    those of the table when the index was built (``fold`` adds none: the run's own articles
    meet each other in ``collapse_near_duplicates`` and are excluded here)."""

    def __init__(
        self,
        signatures: SignatureTable,
        threshold: float,
        queries: int = 1,
        banded: bool | None = None,
    ) -> None:
        self._threshold = threshold
        self._ids, self._matrix, self._signed = signatures.rows()
        bands = bands_for(threshold, NUM_PERM)
        if banded is None:
            banded = bands is not None and banding_pays(len(self._matrix), queries, bands)
        elif banded and bands is None:
            raise ValueError(f"no banding finds pairs at threshold {threshold}: compare all rows")
        self.bands = BandIndex(self._matrix, self._signed, bands) if banded and bands else None

    def original_of(
        self, article: Article, exclude: Collection[str], packed: bytes | None = None
    ) -> str | None:
        """The most similar stored article at or above the threshold (ties: smaller id).
        ``packed``: the article's signature when already computed (``signature_of``)."""
        if not self._signed.any():
            return None
        if packed is None:
            packed = signature_of(article)
        if len(packed) != NUM_PERM * 4:
            return None
        values = np.frombuffer(packed, dtype=np.uint32)
        if self.bands is None:
            rows, matrix, signed = None, self._matrix, self._signed
        else:
            rows = self.bands.candidates(values)
            matrix, signed = self._matrix[rows], self._signed[rows]
        similarity = np.count_nonzero(matrix == values, axis=1) / NUM_PERM
        # deleted rows and articles with nothing to sign never match
        matches = np.flatnonzero((similarity >= self._threshold) & signed)
        scored = [
            (-float(similarity[match]), doc_id)
            for match in matches
            if (doc_id := self._ids[match if rows is None else rows[match]]) is not None
            and doc_id not in exclude
            and doc_id != article.doc_id
        ]
        best = min(scored, default=None)
        return best[1] if best else None


Signatures = SignatureTable  # doc id -> (content hash when signed, packed values)


class ArchiveDedup:
    """Keeps the persisted signatures in step with the stored articles and folds new copies."""

    def __init__(self, signatures: SignatureStore, store: CorpusWriter, threshold: float) -> None:
        self._file = signatures
        self._store = store
        self._threshold = threshold

    def load(self, stored_hashes: Mapping[str, str]) -> tuple[Signatures, bool]:
        """The signatures of exactly the stored articles (``stored_hashes``: the whole store),
        and whether the file needed repair (a run killed before saving, a store older than
        this file): ids gone are dropped, ids missing or signed under another content hash are
        signed again from the stored text. Reads every article record: ``--verify``, repair."""
        return self._reconcile(self._file.load(), stored_hashes, complete=True)

    def load_for(self, batch_hashes: Mapping[str, str]) -> tuple[Signatures, bool]:
        """What an ingest run needs: the file, with the batch's stored articles
        (``batch_hashes``) re-signed where their hash moved. Only when the file and the store
        do not hold as many articles (a lost file, a killed run) is every record read."""
        signatures = self._file.load()
        if len(signatures) != self._store.count_articles():
            return self._reconcile(signatures, self._store.article_hashes(), complete=True)
        return self._reconcile(signatures, batch_hashes, complete=False)

    def _reconcile(
        self, signatures: Signatures, stored_hashes: Mapping[str, str], complete: bool
    ) -> tuple[Signatures, bool]:
        stale = [i for i in signatures if i not in stored_hashes] if complete else []
        for doc_id in stale:
            del signatures[doc_id]
        unsigned = sorted(i for i, h in stored_hashes.items() if signatures.hash_of(i) != h)
        for article in self._store.get_articles(unsigned):
            signatures[article.doc_id] = (stored_hashes[article.doc_id], signature_of(article))
        return signatures, bool(stale or unsigned)

    def fold(
        self,
        articles: list[Article],
        signatures: Signatures,
        known: Mapping[str, bytes] | None = None,
    ) -> tuple[list[Article], list[tuple[str, str]]]:
        """Articles with each new near-copy of a stored article folded into that original (which
        keeps its id, gains the copy's origins and fills metadata gaps), and the
        (dropped, kept) pairs. ``known``: packed signatures already computed, by article text
        (the stages sign every article they clean; signing again is serial driver work)."""
        new = [a for a in articles if a.doc_id not in signatures]
        if not new or not signatures:
            return articles, []
        index = ArchiveIndex(signatures, self._threshold, queries=len(new))
        batch = {a.doc_id for a in articles}
        copies: dict[str, list[Article]] = {}
        for article in new:
            original = index.original_of(
                article, exclude=batch, packed=(known or {}).get(article.text)
            )
            if original is not None:
                copies.setdefault(original, []).append(article)
        originals = self._store.get_articles(sorted(copies))
        folded = [merge_group(o, [o, *copies[o.doc_id]]) for o in originals]
        pairs = [(c.doc_id, o.doc_id) for o in originals for c in copies[o.doc_id]]
        gone = {dropped for dropped, _ in pairs}
        return [a for a in articles if a.doc_id not in gone] + folded, pairs

    def save(
        self,
        signatures: Signatures,
        written: Sequence[tuple[Article, str]],
        removed: Collection[str],
        repaired: bool,
        known: Mapping[str, bytes] | None = None,
    ) -> None:
        """Record the articles just written and forget the removed ones (after the article
        records: a run killed before this is repaired by the next ``load``). ``known`` as for
        :meth:`fold`."""
        for doc_id in removed:
            signatures.pop(doc_id, None)
        for article, digest in written:
            packed = (known or {}).get(article.text)
            signatures[article.doc_id] = (
                digest,
                packed if packed is not None else signature_of(article),
            )
        if written or removed or repaired:
            self._file.save(signatures)
