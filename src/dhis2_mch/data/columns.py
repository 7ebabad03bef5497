"""Columns as codes: the distinct combinations of a few categorical columns, found without sorting.

The preflight and the payload ask every question once per distinct value (or pair of values) and
spread the answer back to the rows by index. These helpers do the finding and the spreading with
numpy, so a million rows cost a few linear passes and no Python object per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def column_codes(frame: pd.DataFrame, name: str) -> tuple[list[str], np.ndarray]:
    """The distinct texts of a column and, per row, the index of its text."""
    col = frame[name]
    if not isinstance(col.dtype, pd.CategoricalDtype) or col.hasnans:  # a missing cell as its text, as astype(str)
        col = col.astype(str).astype("category")
    return [str(c) for c in col.cat.categories], col.cat.codes.to_numpy()  # int8/16/32: no copy of a million


def distinct(*codes: np.ndarray) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """The distinct combinations of several code columns, and per row the index of its combination."""
    uniq, inverse, sizes = combine(codes)
    parts = []
    rest = uniq
    for size in reversed(sizes[1:]):
        rest, part = np.divmod(rest, size)
        parts.append(part)
    parts.append(rest)
    return list(zip(*(p.tolist() for p in reversed(parts)), strict=True)), inverse


def groups(*codes: np.ndarray) -> np.ndarray:
    """Per row, the index of its combination of the code columns (the combinations themselves not needed)."""
    return combine(codes)[1]


def all_distinct(codes: list[np.ndarray]) -> bool:
    """Whether no two rows share a combination: a bitmap of every possible combination when it fits in
    128 MB (one scatter, one count), else hashing."""
    sizes = [int(c.max()) + 1 for c in codes]
    if float(np.prod(np.asarray(sizes, dtype=np.float64))) > 128_000_000:
        return bool(len(np.unique(groups(*codes))) == len(codes[0]))
    combined = codes[0].astype(np.int64)
    for c, size in zip(codes[1:], sizes[1:], strict=True):
        combined *= size
        combined += c
    seen = np.zeros(int(np.prod(sizes)), dtype=bool)
    seen[combined] = True
    return int(np.count_nonzero(seen)) == len(combined)


def combine(codes: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """One integer per row for the combination, then its distinct values: by a lookup table when the
    combinations fit in a few million slots (two linear passes), else by hashing (``pd.factorize``)."""
    if not len(codes[0]):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [1] * len(codes)
    sizes = [int(c.max()) + 1 for c in codes]
    combined = codes[0].astype(np.int64)
    for c, size in zip(codes[1:], sizes[1:], strict=True):
        combined *= size
        combined += c
    slots = int(np.prod(np.asarray(sizes, dtype=np.float64)))
    if slots <= 8_000_000:
        seen = np.zeros(slots, dtype=bool)
        seen[combined] = True
        uniq = np.flatnonzero(seen)
        lookup = np.cumsum(seen, dtype=np.int64) - 1
        return uniq, lookup[combined], sizes
    inverse, uniq = pd.factorize(combined)
    return np.asarray(uniq, dtype=np.int64), inverse.astype(np.int64), sizes


def categorical(answers: list[Any], inverse: np.ndarray, rows: np.ndarray | None) -> pd.Categorical:
    """Per-distinct answers as a categorical column of the selected rows (None: all), without hashing a
    string per row."""
    codes, categories = pd.factorize(np.asarray([*answers, None], dtype=object))  # None -> -1
    small = codes.astype(np.int32 if len(categories) > 30_000 else np.int16)
    return pd.Categorical.from_codes(small[inverse if rows is None else inverse[rows]],
                                     categories=pd.Index(categories, dtype=object))  # fmt: skip


def spread(answers: list[Any], inverse: np.ndarray) -> np.ndarray:
    """One answer per distinct combination, as one per row (object array of references, no new objects)."""
    table = np.empty(len(answers) + 1, dtype=object)
    table[: len(answers)] = answers
    return table[inverse]


def present(answers: list[Any], inverse: np.ndarray) -> np.ndarray:
    flags = np.array([a is not None for a in answers] + [False], dtype=bool)
    return flags[inverse]
