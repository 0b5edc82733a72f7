"""LSH banding over the archive's MinHash matrix: which stored rows a new signature can match.

Band ``b`` is values ``2b`` and ``2b + 1`` of a signature. Every signed row gets one 64-bit key
per band (the pair of uint32 values read as one uint64, through a bijective mixer), computed with
numpy over a block of matrix rows at a time. The keys sit in one sorted uint64 array, band
after band, with the row number in their low bits, so a lookup is a binary search
(``np.searchsorted``) and a new signature's candidates are the rows sharing at least one band
with it: O(bands · log archive) a lookup, after a build of one ``np.sort`` per band
(O(archive · log archive), no Python object per row). Candidates are only candidates: the
caller checks each one exactly. "Missed" below: a row the exact check accepts that is not a
candidate.

How many bands (``bands_for``): a stored row that the exact check accepts agrees with the new
signature in at least ``k`` of the ``width`` positions (``k / width >= threshold``). Given that
count, which positions agree is uniform (the permutations are independent), so the chance that no
band has both its values among them is the share of ``k``-subsets of positions that contain no
whole band, counted exactly by ``miss_probability``. It can only fall as ``k`` grows (more
agreeing positions keep every whole band), so a pair above the threshold is missed less often
than one at it. ``bands_for`` takes the fewest bands whose miss probability at the threshold is
at most ``MAX_MISS`` = 1e-6 (found with probability at least 0.999999; 0.999 asked): at the
service's threshold 0.6 (``k`` = 77 of 128) that is 25 bands, missing an at-threshold pair with
probability 9.4e-7 (24 bands: 1.9e-6; 14 bands, the fewest for 0.999: 9.6e-4); 12 bands at 0.8
(4.4e-7), 7 at 0.9 (9.3e-7). Using all 64 pairs would miss nothing at all above 0.5 (77 agreeing
positions among 64 pairs always fill one), at 2.6 times the build cost of 25 bands.
"""

from __future__ import annotations

from math import comb

import numpy as np

VALUES_PER_BAND = 2
MAX_MISS = 1e-6  # chance that a pair exactly at the threshold is not a candidate

# fmix64 (MurmurHash3's finaliser): a bijection on 64 bits, so only truncation can collide
_MIX_1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX_2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)
_BLOCK = 16384  # rows transposed at once while building


def miss_probability(agreeing: int, width: int, bands: int) -> float:
    """Exact chance that ``agreeing`` positions, drawn uniformly from ``width``, fill no band."""
    free = width - bands * VALUES_PER_BAND
    partial = [comb(VALUES_PER_BAND, j) for j in range(VALUES_PER_BAND)]  # a band left unfilled
    inside = [1]  # inside[j]: ways to place j positions in the bands, none of them filled
    for _ in range(bands):
        grown = [0] * (len(inside) + VALUES_PER_BAND - 1)
        for j, ways in enumerate(inside):
            for extra, count in enumerate(partial):
                grown[j + extra] += ways * count
        inside = grown
    missed = sum(
        ways * comb(free, agreeing - j)
        for j, ways in enumerate(inside)
        if 0 <= agreeing - j <= free
    )
    return missed / comb(width, agreeing)


def agreeing_at(threshold: float, width: int) -> int:
    """The fewest equal positions the exact check accepts (its own float comparison)."""
    return next((k for k in range(width + 1) if k / width >= threshold), width + 1)


def bands_for(threshold: float, width: int, max_miss: float = MAX_MISS) -> int | None:
    """The fewest bands that miss a pair at ``threshold`` with probability at most
    ``max_miss``; None when even every pair of positions does not (a low threshold)."""
    agreeing = agreeing_at(threshold, width)
    if not 0 < agreeing <= width:
        return None
    return next(
        (
            bands
            for bands in range(1, width // VALUES_PER_BAND + 1)
            if miss_probability(agreeing, width, bands) <= max_miss
        ),
        None,
    )


# Measured here (2 shared cores, 2,000-1,000,000 rows): the exhaustive compare reads a row in
# 140-220 ns, a build puts a row into a band in 20-30 ns, a lookup with its exact check of the
# candidates takes 50-80 µs an article.
COMPARE_NS_PER_ROW = 170
BUILD_NS_PER_ROW_BAND = 30
LOOKUP_NS = 80_000


def banding_pays(rows: int, queries: int, bands: int) -> bool:
    """Whether building the bands and looking ``queries`` signatures up costs less than
    comparing each with all ``rows``: from 5 new articles at any archive size over ~5,000."""
    exhaustive = queries * rows * COMPARE_NS_PER_ROW
    banded = bands * rows * BUILD_NS_PER_ROW_BAND + queries * LOOKUP_NS
    return banded < exhaustive


def _mixed(keys: np.ndarray) -> np.ndarray:
    keys ^= keys >> _SHIFT
    keys *= _MIX_1
    keys ^= keys >> _SHIFT
    keys *= _MIX_2
    keys ^= keys >> _SHIFT
    return keys


def pairs(values: np.ndarray) -> np.ndarray:
    """Each band's two uint32 values as one uint64, without a copy: a signature (width,) gives
    (width / 2,), a matrix (rows, width) gives (rows, width / 2). Band ``b`` is column ``b``."""
    return np.ascontiguousarray(values, dtype=np.uint32).view(np.uint64)


def signature_keys(values: np.ndarray, bands: int) -> np.ndarray:
    """The keys of the first ``bands`` bands of one signature (``values``: width uint32)."""
    return _mixed(pairs(values)[:bands].copy())


class BandIndex:
    """One sorted uint64 array of entries: band number in the high bits, then the key, then the
    row number in the low bits, so the bands lie one after another and all of a signature's
    bands are looked up with two ``np.searchsorted`` calls. The key keeps 64 - log2(bands) -
    log2(rows) bits (44 at 25 bands and a million rows): two pairs may then share a key, a
    false candidate the exact check drops; one pair never gets two keys."""

    def __init__(self, matrix: np.ndarray, signed: np.ndarray, bands: int) -> None:
        self.bands = bands
        row_bits = max(1, (len(matrix) - 1).bit_length())
        band_shift = 64 - (bands - 1).bit_length()
        self._row_mask = np.uint64((1 << row_bits) - 1)
        self._key_mask = np.uint64(((1 << band_shift) - 1) & ~((1 << row_bits) - 1))
        self._band_bits = np.array([band << band_shift for band in range(bands)], np.uint64)
        rows = np.flatnonzero(signed).astype(np.uint64)
        by_band = np.empty((bands, len(rows)), dtype=np.uint64)
        columns, filled = pairs(matrix), 0
        for start in range(0, len(matrix), _BLOCK):  # band-major copy, a cache-sized block at once
            block = columns[start : start + _BLOCK, :bands]
            keep = signed[start : start + _BLOCK]
            if not keep.all():
                block = block[keep]
            by_band[:, filled : filled + len(block)] = block.T
            filled += len(block)
        for band, entries in enumerate(by_band):
            _mixed(entries)
            entries &= self._key_mask
            entries |= rows | self._band_bits[band]
            entries.sort()
        self._entries = by_band.reshape(-1)  # sorted: band after band

    def candidates(self, values: np.ndarray) -> np.ndarray:
        """Rows sharing at least one band key with the signature ``values`` (sorted, unique)."""
        keys = (signature_keys(values, self.bands) & self._key_mask) | self._band_bits
        starts = np.searchsorted(self._entries, keys, side="left")
        stops = np.searchsorted(self._entries, keys | self._row_mask, side="right")
        found = [self._entries[starts[b] : stops[b]] for b in np.flatnonzero(stops > starts)]
        if not found:
            return np.empty(0, dtype=np.intp)
        return np.unique(np.concatenate(found) & self._row_mask).astype(np.intp)
