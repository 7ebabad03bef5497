import random
import string

import pytest

from dhis2_mch.model.uid import derive_uid, is_valid_uid

# Pinned forever: a change here means every deployed object would get a new UID and be duplicated.
PINNED = {
    ("dataElement", "EX_WEIGHED"): "J0KpkmrEQi5",
    ("categoryOptionCombo", "EX_AGE_SEX", "EX_AGE_0_11M", "EX_SEX_FEMALE"): "fBkiL3OOcA8",
    ("option", "EX_TOPIC", "FEEDING"): "xpiYIvpeyNF",
}


@pytest.mark.parametrize(("key", "uid"), PINNED.items())
def test_derived_uids_never_change(key, uid):
    assert derive_uid(*key) == uid


def test_derived_uids_are_always_valid_dhis2_uids():
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "_-/ .ĐđăằơưỹÀ"
    for _ in range(5000):
        code = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        assert is_valid_uid(derive_uid("dataElement", code)), code


def test_type_and_code_both_matter():
    assert derive_uid("dataElement", "X") != derive_uid("indicator", "X")
    assert derive_uid("dataElement", "X") != derive_uid("dataElement", "Y")
    assert derive_uid("option", "SET_A", "YES") != derive_uid("option", "SET_B", "YES")


def test_empty_key_is_refused():
    with pytest.raises(ValueError):
        derive_uid("dataElement", "")


@pytest.mark.parametrize(
    ("value", "valid"),
    [("bjDvmb4bfuf", True), ("1bcdefghijk", False), ("abcdefghij", False), ("abcdefghijkl", False), (None, False)],
)
def test_uid_pattern(value, valid):
    assert is_valid_uid(value) is valid
