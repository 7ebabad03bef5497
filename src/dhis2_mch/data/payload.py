"""Accepted rows → data value sets of bounded size, their JSON written straight from the columns.

One envelope per data set (``dataSet`` on the envelope: from 2.43 a value set without it aborts when a
data element is in several data sets) and attribute option combo (on the envelope too, once), at most
``chunk_size`` values each, built only when it is about
to be sent, so memory stays bounded whatever the file's size.

The JSON is assembled, not serialised: each distinct (data element, option combo, attribute option
combo, period), org unit and (value, comment) is encoded once into a byte fragment, and a value's
JSON object is its three fragments side by side. A chunk is a gather of fragment references in row order and
one ``bytes.join``: no dict, string or number object per value. Fragments escape their text with
``json.dumps`` (quotes, backslashes, control characters), so the body is valid JSON for any input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dhis2_mch.data.columns import distinct


@dataclass
class Envelope:
    number: int  # 1-based, in sending order
    data_set: str
    positions: np.ndarray  # input position of dataValues[i]
    zero: int  # values DHIS2 may skip without counting (zero, not significant)
    body: bytes = b""

    @property
    def size(self) -> int:
        return len(self.positions)


def _text(value: str) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


class Payloads:
    """The envelopes of one push: how many there will be (for progress) and each one's body on demand."""

    def __init__(self, send: pd.DataFrame, substitutions: dict[str, str] | None = None, chunk_size: int = 10_000):
        table = substitutions or {}
        self.chunk_size = max(1, int(chunk_size))
        if not len(send):
            self.plan: list[tuple[str, str, np.ndarray]] = []
            return
        # one envelope per (data set, attribute option combo): the combo goes on the envelope, once
        # (DHIS2's DataSetContext.outerAttrOptionCombo applies it to every value)
        group = (send["ds"].cat.codes.to_numpy().astype(np.int32) * (len(send["aoc"].cat.categories) + 1)
                 + send["aoc"].cat.codes.to_numpy())  # fmt: skip
        order = np.argsort(group, kind="stable")
        self.send = send
        self.positions = send["_pos"].to_numpy()
        self.zero = send["zero"].to_numpy()
        # three fragments a value: (data element, option combo, period), org unit, (value, comment)
        heads, self.a_idx = distinct(*(send[c].cat.codes.to_numpy() for c in ("de", "coc", "period")))
        de, coc, pe = (list(send[c].cat.categories) for c in ("de", "coc", "period"))
        # a value's JSON starts with the comma that separates it from the one before: the first value of a
        # chunk takes its fragment without it, so a chunk is one join of references, nothing copied after
        self.frag_a = _fragments(
            b',{"dataElement":"%s","categoryOptionCombo":"%s","period":%s,'
            % (de[d].encode(), table.get(coc[c], coc[c]).encode(), _text(pe[p]))
            for d, c, p in heads
        )
        self.frag_o = _fragments(b'"orgUnit":"%s",' % o.encode() for o in send["ou"].cat.categories)
        tails, self.v_idx = distinct(*(send[c].cat.codes.to_numpy() for c in ("value", "comment")))
        va, cm = list(send["value"].cat.categories), list(send["comment"].cat.categories)
        self.frag_v = _fragments(
            b'"value":%s,"comment":%s}' % (_text(va[v]), _text(cm[c])) if cm[c] else b'"value":%s}' % _text(va[v])
            for v, c in tails
        )
        self.ou_codes = send["ou"].cat.codes.to_numpy()
        names, aocs = list(send["ds"].cat.categories), list(send["aoc"].cat.categories)
        ds_codes, aoc_codes = send["ds"].cat.codes.to_numpy(), send["aoc"].cat.codes.to_numpy()
        self.plan = []
        for g in np.unique(group):
            rows = order[group[order] == g]
            first = rows[0]
            aoc = aocs[aoc_codes[first]]
            for start in range(0, len(rows), self.chunk_size):
                self.plan.append(
                    (str(names[ds_codes[first]]), table.get(aoc, aoc), rows[start : start + self.chunk_size])
                )

    def __len__(self) -> int:
        return len(self.plan)

    @property
    def values(self) -> int:
        return sum(len(rows) for _, _, rows in self.plan)

    def __iter__(self) -> Iterator[Envelope]:
        for number, (data_set, aoc, rows) in enumerate(self.plan, 1):
            body = self.body(data_set, aoc, rows)
            yield Envelope(number, data_set, self.positions[rows], int(self.zero[rows].sum()), body)

    def body(self, data_set: str, aoc: str, rows: np.ndarray) -> bytes:
        parts = np.empty(3 * len(rows) + 2, dtype=object)
        parts[0] = b'{"dataSet":"%s","attributeOptionCombo":"%s","dataValues":[' % (data_set.encode(), aoc.encode())
        parts[1:-1:3] = self.frag_a[self.a_idx[rows]]
        parts[2:-1:3] = self.frag_o[self.ou_codes[rows]]
        parts[3:-1:3] = self.frag_v[self.v_idx[rows]]
        if len(rows):
            parts[1] = parts[1][1:]  # the first value: no comma before it
        parts[-1] = b"]}"
        return b"".join(parts)


def _fragments(items) -> np.ndarray:
    frags = list(items)
    out = np.empty(len(frags), dtype=object)
    out[:] = frags
    return out


def envelopes(frame: pd.DataFrame, substitutions: dict[str, str] | None = None, chunk_size: int | None = None):
    """Envelopes (with bodies) from a plain frame with ``ds, de, period, ou, coc, aoc, send, comment`` and
    ``_pos`` (the sync's deletions use it); ``Envelope.positions`` are the ``_pos`` values."""
    send = pd.DataFrame({"_pos": frame["_pos"].to_numpy(), "zero": np.zeros(len(frame), dtype=bool)})
    for column, source in (("ds", "ds"), ("de", "de"), ("coc", "coc"), ("aoc", "aoc"), ("period", "period"),
                           ("ou", "ou"), ("value", "send"), ("comment", "comment")):  # fmt: skip
        send[column] = pd.Categorical(frame[source].fillna("").astype(str).to_numpy(dtype=object))
    return list(Payloads(send, substitutions, chunk_size or max(1, len(frame))))
