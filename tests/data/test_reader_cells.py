"""The CSV reader finds a column's distinct texts by object identity: the texts it gives must not depend on it."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from dhis2_mch.data.csvfile import _clean_parsed
from dhis2_mch.data.table import clean as _clean


def _texts(categorical: pd.Categorical) -> list[str]:
    return [str(x) for x in np.asarray(categorical, dtype=object)]


def _unshared(*texts: str) -> np.ndarray:
    """Equal texts as different objects (what a parser that does not share strings would give)."""
    out = np.empty(len(texts), dtype=object)
    out[:] = ["".join(list(t)) for t in texts]
    return out


@pytest.mark.parametrize(
    "cells",
    [
        _unshared("02809", "02809", " 02809 ", "02809\u00a0", "2809"),
        np.array(["a", None, float("nan"), "", "a"], dtype=object),
        _unshared(unicodedata.normalize("NFD", "Xã Si Ma Cai"), "Xã Si Ma Cai", "xã si ma cai"),
        np.array([], dtype=object),
        np.array(["1,541", "1541", "1.541", "1541 "], dtype=object),
    ],
)
def test_identity_and_value_factorizing_give_the_same_texts(cells):
    by_identity, by_value = _clean_parsed(cells), _clean(cells)
    assert _texts(by_identity) == _texts(by_value)
    assert len(by_identity.categories) == len(set(by_identity.categories))  # equal texts merged


def test_a_column_read_from_a_file_keeps_every_cell(tmp_path):
    path = tmp_path / "v.csv"
    rows = [f"{i % 7:05d},2025-{1 + i % 12:02d}, x{i % 3} , Xã " for i in range(3000)]  # d: one text all along
    path.write_text("a,b,c,d\n" + "\n".join(rows) + "\n", encoding="utf-8")
    frame = pd.read_csv(path, dtype=object, na_filter=False, keep_default_na=False)
    for column in frame.columns:
        assert _texts(_clean_parsed(frame[column].to_numpy())) == [v.strip() for v in frame[column]]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (b"a,b,c\n1,2,3\n4,5,6\n", 3),
        (b"a,b,c\r\n1,2,3\r\n", 2),
        (b"a,b,c\n1,2,3,4\n5,6\n", None),  # one line too long and one too short: the separators still add up
        (b"a,b,c\n1,2\n3,4,5,6\n", None),
        (b"a,b,c\n\n1,2,3\n", None),  # a blank line has no separator
        (b"a,b,c\r\n1,2,3", 2),  # the last line without its line end
        (b"a,b,c\r\n1,2", None),  # ... and short
        (b"a,b,c\r\n1,2,3\rxy\r\n", None),  # a bare CR and a CR LF on one line
        (b"a,b,c\n1,2,3\r\n", None),  # LF and CR LF mixed: counted line by line
        (b'a,b,c\n1,"2,5",3\n', None),  # a quote: counted line by line
        (b"a;b;c\n1,5;2;3\n", None),  # not this separator
    ],
)
def test_full_lines_only_when_each_line_has_the_headers_fields(text, lines):
    from dhis2_mch.data.csvfile import _full_lines

    assert _full_lines(bytearray(text), 0, len(text), b",", 3) == lines


def test_the_quick_count_agrees_with_the_line_by_line_one(tmp_path):
    """Every way a block can fail the quick count falls back, and both give the same lines and long lines."""
    from dhis2_mch.data.csvfile import _scan, _scan_slow

    rng = np.random.default_rng(7)
    pieces = [b"1", b"22", b"", b",", b"x y", b"\xc3\xa1"]
    for trial in range(300):
        lines = [b"Title", b"a,b,c"] if trial % 2 else [b"a,b,c"]
        for _ in range(int(rng.integers(1, 12))):
            fields = int(rng.choice([3, 3, 3, 2, 4]))
            lines.append(b",".join(pieces[int(rng.integers(0, 6))].replace(b",", b"") for _ in range(fields)))
        end = [b"\n", b"\r\n"][trial % 3 == 0]
        data = end.join(lines) + (end if trial % 5 else b"")
        path = tmp_path / f"t{trial}.csv"
        path.write_bytes(data)
        header = 1 if trial % 2 else 0
        quick, slow = _scan(path, "utf-8", ",", header, 3), _scan_slow(path, "utf-8", ",", header, 3)
        assert (quick.max_fields, quick.long) == (slow.max_fields, slow.long), data


@pytest.mark.parametrize("after_cr", ["junk", "02809,202601,F1000_MEAL_DEMO_SESSIONS,,1,541"])
def test_a_bare_cr_inside_a_line_is_a_line_end_whichever_count_sees_it(tmp_path, after_cr, monkeypatch):
    """`5\rjunk\n` in a CR LF file looks like one full line to the quick count, but pandas (and Excel) end
    a record at the CR: the rows and their line numbers are those of the line-by-line count, and an
    unquoted `1,541` after the CR is a row error as anywhere else."""
    from dhis2_mch.data import csvfile

    rows = [f"02809,2025{m:02d},F1000_MEAL_DEMO_SESSIONS,,{m}" for m in range(7, 13)]
    rows[2] += "\r" + after_cr
    path = tmp_path / "cr.csv"
    path.write_bytes(("orgUnit,period,dataElement,categoryOptionCombo,value\r\n" + "\r\n".join(rows[:2]) + "\r\n"
                      + rows[2] + "\n" + "\r\n".join(rows[3:]) + "\r\n").encode())  # fmt: skip
    read = csvfile.read_csv(path, None)
    with monkeypatch.context() as m:
        m.setattr(csvfile, "_full_lines", lambda *args: None)  # every block counted line by line
        slow = csvfile.read_csv(path, None)
    assert read.frame.astype(str).to_dict("records") == slow.frame.astype(str).to_dict("records")
    assert [(p.position, p.value) for p in read.problems] == [(p.position, p.value) for p in slow.problems]
    assert read.frame["_row"].tolist()[-3:] == [6, 7, 8]  # the CR ended line 4: the header is line 1
    if "," in after_cr:
        assert [(p.position, p.value) for p in read.problems] == [(3, after_cr)]


def test_bytes_not_in_the_encoding_deep_in_a_file_are_named_by_their_line(tmp_path):
    """pandas counts the bad byte from the start of its buffer; the message names the file's own line."""
    from dhis2_mch.data.readers import read_table
    from dhis2_mch.errors import InputError

    path = tmp_path / "so_lieu.csv"
    rows = "".join(f"02809,202511,F1000_MEAL_DEMO_SESSIONS,,{i},Xã Si Ma Cai\n" for i in range(30000))
    path.write_bytes(("orgUnit,period,dataElement,categoryOptionCombo,value,comment\n" + rows).encode()
                     + b"02809,202511,F1000_MEAL_DEMO_SESSIONS,,1,\xff\xfe\n")  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert "not readable as utf-8" in str(caught.value) and "on line 30,002 (byte " in str(caught.value)
