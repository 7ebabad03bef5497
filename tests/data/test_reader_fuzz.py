"""Random CSV text of the pieces province files are made of (codes, quotes, separators, every kind of line
end, BOMs, Vietnamese letters) in the four encodings: reading it either gives a table or a one-paragraph
``InputError``, never anything else (the push turns anything else into an "internal error")."""

import random

import pytest

from dhis2_mch.data.readers import read_table
from dhis2_mch.errors import InputError

HEADER = ["orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "comment"]
PIECES = ["02809", "2809", "202511", "F1000_MEAL_DEMO_SESSIONS", "default", "3", "1,541", '"', '""', "\n", "\r",
          "\r\n", ",", ";", "\t", "", " ", "\ufeff", "é", "Hòa Thắng", "=1+2", "\\", "'"]  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_random_province_text_reads_or_is_refused_in_words(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "fuzz.csv"
    for _ in range(60):
        sep = rng.choice([",", ";", "\t"])
        lines = [sep.join(HEADER)]
        for _ in range(rng.randint(0, 8)):
            lines.append(sep.join("".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3)))
                                  for _ in range(rng.randint(1, 8))))  # fmt: skip
        text = rng.choice(["\n", "\r\n", "\r"]).join(lines)
        try:
            path.write_bytes(text.encode(rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1258"])))
        except UnicodeEncodeError:
            continue
        try:
            table = read_table(path)
        except InputError:
            continue
        assert len(table.frame) == len(table.frame["_row"])
