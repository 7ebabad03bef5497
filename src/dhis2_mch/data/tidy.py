"""What a cell or a header holds besides what its writer meant, settled once per distinct text before any check.

- Invisible characters at a cell's ends: zero-width space (U+200B), zero-width (non-)joiner (U+200C/D), word
  joiner (U+2060) and a byte-order mark (U+FEFF) come with codes copied from a web page, a chat message or a
  file pasted into another. ``str.strip`` removes spaces and NBSP but not these, and a code that carries one
  looks right and is "not found".
- Full-width forms of ASCII (U+FF01–FF5E) and the ideographic space, which East Asian input methods type:
  ``０２８０９`` is ``02809``. Only in the code, period and value columns: a comment keeps what was written.
- A header with a slip in the name of a column the file lacks (``coment``, ``categoryOptionCombos``) names
  that column: left out, its cells would be dropped from every value while the values are stored.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import numpy as np
import pandas as pd

_EDGES = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")
_WIDE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
#: how close a header must be to a missing column's name to be taken for it (``commune`` is not ``comment``: 0.71)
SLIP = 0.8


def tidy_cells(frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """In place, on categorical columns: each distinct text tidied once, equal results merged."""
    for c in columns:
        col = frame[c]
        texts = list(col.cat.categories)
        tidied = [t if t.isascii() else _EDGES.sub("", t.translate(_WIDE)) for t in texts]
        if tidied == texts:
            continue
        codes, uniques = pd.factorize(np.asarray(tidied, dtype=object))
        categories = pd.Index(uniques, dtype=object)
        frame[c] = pd.Categorical.from_codes(codes[col.cat.codes.to_numpy()], categories=categories)


def slipped_columns(names: list[str], missing: list[str], known: set[str]) -> dict[str, str]:
    """For each of ``missing`` (canonical names), the one header of ``names`` that is a slip for it, if any.
    ``known``: lower-case names that are something else (the format's own columns, the markers)."""
    out: dict[str, str] = {}
    for wanted in missing:
        key = _key(wanted)
        close = [n for n in names if _key(n) and n.strip().lower() not in known and n not in out.values()
                 and SequenceMatcher(None, _key(n), key).ratio() >= SLIP]  # fmt: skip
        if len(close) == 1:
            out[wanted] = close[0]
    return out


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()
