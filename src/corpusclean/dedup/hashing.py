"""The hash functions the dedup index is built on, vectorised over a page and in plain Python.

MinHash follows datasketch's "affine32" scheme (its default since datasketch 2.0): a shingle's
32-bit hash is pre-mixed with the MurmurHash3 32-bit finalizer, then permuted by
`a * h + b mod 2**32` with odd `a`, the (a, b) pairs drawn from `numpy.random.RandomState(seed)`
exactly as datasketch draws them. So for the same seed, permutations and shingle hash,
`datasketch.MinHash(num_perm, seed, scheme="affine32", hashfunc=...)` gives the same signature
as `minhash_signatures` here (tests check both shingle hashes):

* "poly64" (the default): a polynomial hash of the shingle's UTF-8 bytes mod 2**64, finished
  with the MurmurHash3 64-bit finalizer, low 32 bits. It is computable for every span of a
  page at once from one prefix sum, so a page costs a handful of numpy calls, not one call
  per shingle. `poly64_hash32` is the same function for datasketch's `hashfunc=`.
* "sha1": datasketch's default `sha1_hash32` (first 4 bytes of SHA-1, little-endian), one
  hashlib call per shingle: slower, for signatures that match datasketch's defaults.
"""
from __future__ import annotations

import hashlib

import numpy as np

_MASK64 = (1 << 64) - 1
#: odd 64-bit multiplier of the polynomial hash, and its inverse mod 2**64
_P = 0x9E3779B97F4A7C15 | 1
_P_INV = pow(_P, -1, 1 << 64)

_U64 = np.uint64
_U32 = np.uint32


# -- finalizers (MurmurHash3 fmix32 / fmix64) ---------------------------------------------------

def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer on a uint32 array (datasketch's affine32 pre-mix)."""
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    mixed: np.ndarray = h ^ (h >> _U32(16))
    return mixed


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer on a uint64 array."""
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xC4CEB9FE1A85EC53)
    mixed: np.ndarray = h ^ (h >> _U64(33))
    return mixed


def _fmix64_int(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _MASK64
    return h ^ (h >> 33)


# -- the polynomial hash, one byte string at a time (reference) ---------------------------------

def poly64(data: bytes) -> int:
    """sum(byte_t * P**(len-1-t)) mod 2**64, finished with fmix64."""
    h = 0
    for byte in data:
        h = (h * _P + byte) & _MASK64
    return _fmix64_int(h)


def poly64_hash32(data: bytes) -> int:
    """The "poly64" shingle hash, for `datasketch.MinHash(hashfunc=poly64_hash32)`."""
    return poly64(data) & 0xFFFFFFFF


# -- the polynomial hash of many spans of one byte array (vectorised) ---------------------------

class PowerTable:
    """P**i and P**-i mod 2**64 for i < n, grown on demand and reused across pages.

    Only tables up to `keep` entries are kept: a worker that once meets a 50 MB page would
    otherwise hold 800 MB of powers for the rest of the run. A batch of pages
    (`fingerprint.BATCH_CHARS` characters) needs an entry a byte of its normalised text; a page
    longer than a batch grows the table up to `keep`, 4M entries (64 MB), and longer tables
    are made for the page that needs them and dropped with it."""

    def __init__(self, keep: int = 1 << 22) -> None:
        self.keep = keep
        self.up = np.ones(1, dtype=_U64)
        self.down = np.ones(1, dtype=_U64)

    def at_least(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n <= len(self.up):
            return self.up, self.down
        if n > self.keep:
            return _powers(_P, n), _powers(_P_INV, n)
        size = min(max(n, 2 * len(self.up), 1 << 16), self.keep)
        self.up, self.down = _powers(_P, size), _powers(_P_INV, size)
        return self.up, self.down


class SpanHasher:
    """`poly64` of any spans [start, end) of one byte array, from a single prefix sum:
    sum_{t<e} b_t * P**-t  minus the same up to s, times P**(e-1), is the span's polynomial."""

    def __init__(self, data: np.ndarray, powers: PowerTable | None = None):
        n = len(data)
        self._pow, down = (powers or PowerTable()).at_least(n)
        self._prefix = np.empty(n + 1, dtype=_U64)
        self._prefix[0] = 0
        # the terms, then their running sum, written in place: a temporary of 8 bytes a byte
        # of text, and zeroing what is written over, were a sixth of the cost
        terms = self._prefix[1:]
        np.multiply(data, down[:n], out=terms)
        np.cumsum(terms, out=terms)

    def hash64(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """poly64 of data[s:e] for every (s, e); spans must be non-empty."""
        raw = (self._prefix[ends] - self._prefix[starts]) * self._pow[ends - 1]
        return fmix64(raw)


def _powers(base: int, n: int) -> np.ndarray:
    """[1, base, base**2, ...] mod 2**64 (numpy's uint64 products wrap, which is the modulo).

    Made by doubling: the first k powers times base**k are the next k, one vectorised
    multiply for each doubling. A cumprod multiplies one product after the other: 2.9 ms
    against 0.6 for a table of 1.3M entries (written over memory already mapped), and a worker
    of a run on the bench corpus makes four tables of 0.6M and 1.3M entries."""
    powers = np.empty(n, dtype=_U64)
    if n:
        powers[0] = 1
    done = 1
    while done < n:
        step = min(done, n - done)
        np.multiply(powers[:step], _U64(pow(base, done, 1 << 64)), out=powers[done:done + step])
        done += step
    return powers


def sha1_hash32_spans(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """datasketch's `sha1_hash32` of data[s:e] for every (s, e)."""
    sha1 = hashlib.sha1
    digests = b"".join([sha1(data[s:e]).digest()[:4] for s, e in zip(starts.tolist(), ends.tolist())])
    return np.frombuffer(digests, dtype="<u4").astype(_U32)


# -- MinHash -----------------------------------------------------------------------------------

def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) parameters datasketch's MinHash draws for scheme "affine32"."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=_U32)
    return a, b


#: shingles per block of the (permutations x shingles) product: keeps the block in cache (2 MB
#: at 128 permutations, the L2 of the machine measured; 4096 took half the time of 2048 there,
#: which paid numpy's per-call cost twice as often)
_BLOCK = 4096


def minhash_signatures(hashes: np.ndarray, sizes: np.ndarray, perms: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """One MinHash signature (uint32 row) per group of consecutive shingle hashes.

    `hashes` are the shingles' 32-bit hashes, group after group; `sizes` how many each group
    has (every size >= 1). The product is laid out permutations x shingles, so each minimum
    runs over contiguous memory (an order of magnitude faster than the transpose), and is
    computed in blocks so memory stays small whatever the page size."""
    a, b = perms[0][:, None], perms[1][:, None]
    mixed = fmix32(hashes.astype(_U32, copy=False))
    groups = len(sizes)
    out = np.empty((groups, len(a)), dtype=_U32)
    bounds = np.zeros(groups + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    buffer = np.empty((len(a), min(_BLOCK, len(mixed))), dtype=_U32)
    first = 0
    while first < groups:
        # as many whole groups as fit in a block, and at least one
        last = max(first + 1, int(np.searchsorted(bounds, bounds[first] + _BLOCK, side="right")) - 1)
        lo, hi = int(bounds[first]), int(bounds[last])
        if hi - lo > _BLOCK:  # one group larger than a block: fold it block by block
            acc = np.full(len(a), 0xFFFFFFFF, dtype=_U32)
            for s in range(lo, hi, _BLOCK):
                block = _permute(mixed[s:min(s + _BLOCK, hi)], a, b, buffer)
                np.minimum(acc, block.min(axis=1), out=acc)
            out[first] = acc
        else:
            block = _permute(mixed[lo:hi], a, b, buffer)
            out[first:last] = np.minimum.reduceat(block, bounds[first:last] - lo, axis=1).T
        first = last
    return out


def _permute(mixed: np.ndarray, a: np.ndarray, b: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """a * h + b mod 2**32 for every (permutation, shingle), into a reused buffer."""
    block = buffer[:, : len(mixed)]
    np.multiply(a, mixed, out=block)
    np.add(block, b, out=block)
    return block


def row_weights(rows: int) -> np.ndarray:
    """Odd 64-bit multipliers that combine a band's rows into one number (fixed seed: band
    keys must be the same in every process and every run)."""
    return np.random.RandomState(0x5EED).randint(0, 1 << 62, rows, dtype=_U64) * _U64(2) + _U64(1)


def band_keys(signatures: np.ndarray, bands: int, weights: np.ndarray) -> np.ndarray:
    """A 32-bit key per band: the hash of the band's rows (uint32, shape groups x bands).
    `weights` (from `row_weights(rows)`) has one entry per row.

    Two keys collide by chance with probability 2**-32; the index verifies every candidate,
    so a chance collision only costs one comparison."""
    groups, rows = signatures.shape[0], len(weights)
    values = signatures[:, : bands * rows].reshape(groups, bands, rows).astype(_U64)
    mixed = (values * weights).sum(axis=2, dtype=_U64)   # wraps mod 2**64
    return (fmix64(mixed) >> _U64(32)).astype(_U32)


def bbit_estimates(left: np.ndarray, right: np.ndarray, bits: int) -> np.ndarray:
    """Jaccard estimates from b-bit signatures, row by row: datasketch's `bBitMinHash.jaccard`
    (r = 0): the share of equal values, corrected for the 2**-bits chance that unequal values
    agree in their low bits."""
    equal = np.count_nonzero(left == right, axis=1) / left.shape[1]
    chance = 1.0 / (1 << bits)
    estimates: np.ndarray = (equal - chance) / (1.0 - chance)
    return estimates
