"""The push's promise held to a corpus of messy province files (``tests/support/province_corpus.py``): for every
file, pushed through the CLI to a sandbox with the default flow and with ``--partial``, every row is stored
exactly as it means, or in the rows-to-push-again file with a reason, or listed there as not sent; no value
stored that no row means, none changed, none sent twice; no traceback; exit codes as documented. Then the
advice on screen is followed (the file pushed as is, and corrected) and the server must end with exactly
the corrected rows. ``scripts/province_corpus.py --seeds 50`` runs many more files."""

import shutil

import pytest

from support.province_corpus import FILES, Uids, run_case, run_dry, run_restricted, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus"), seed=2026)


@pytest.fixture(scope="module")
def uids():
    return Uids()




@pytest.mark.parametrize("partial", [False, True], ids=["default", "partial"])
@pytest.mark.parametrize("name", FILES)
def test_every_row_is_stored_as_meant_or_kept_with_its_reason(corpus, uids, name, partial, sandbox_factory,
                                                              deployed_db, tmp_path, monkeypatch):  # fmt: skip
    case = next(c for c in corpus if c.name == name)
    monkeypatch.chdir(tmp_path)

    def start():
        db = tmp_path / "server.sqlite"
        shutil.copy(deployed_db, db)
        return sandbox_factory("2.40", db=db)

    outcome = run_case(case, start, uids, tmp_path, partial=partial)
    assert outcome.failures == [], f"{case.name} [{outcome.flow}]:\n" + "\n".join(outcome.failures)


@pytest.mark.parametrize("name", ["bao_cao_thang.csv", "mistakes.csv", "bao_cao_1000_ngay.xlsx", "rong.csv"])
def test_a_dry_run_then_the_advice_stores_every_corrected_row(corpus, uids, name, sandbox_factory, deployed_db,
                                                              tmp_path, monkeypatch):  # fmt: skip
    case = next(c for c in corpus if c.name == name)
    monkeypatch.chdir(tmp_path)

    def start():
        db = tmp_path / "server.sqlite"
        shutil.copy(deployed_db, db)
        return sandbox_factory("2.40", db=db)

    outcome = run_dry(case, start, uids, tmp_path)
    assert outcome.failures == [], f"{case.name} [dry run]:\n" + "\n".join(outcome.failures)


def test_two_inputs_with_one_name_in_different_folders_keep_separate_files(corpus, sandbox_factory, deployed_db,
                                                                           tmp_path):  # fmt: skip
    from support.province_corpus import run_cli

    db = tmp_path / "server.sqlite"
    shutil.copy(deployed_db, db)
    sb = sandbox_factory("2.40", db=db)
    a, b = (next(c for c in corpus if c.name == n) for n in ("huyen_a/thang.csv", "huyen_b/thang.csv"))
    kept_a, kept_b = (run_cli(sb, c.path, tmp_path / "rejected") for c in (a, b))
    assert kept_a.report["rejected_file"] != kept_b.report["rejected_file"]
    assert {r["line"] for r in kept_a.kept} == {r["line"] for r in kept_b.kept} == {"2", "3", "4"}
    assert [r["value"] for r in kept_a.kept] == [_text(row.cells[4]) for row in a.rows]


def _text(cell):
    return str(cell)


@pytest.mark.parametrize("name", ["periods_and_twins.csv", "bao_cao_1000_ngay.xlsx"])
def test_conflicts_from_dhis2_land_on_the_rows_they_name(corpus, uids, name, sandbox_factory, deployed_db, tmp_path,
                                                         monkeypatch):  # fmt: skip
    """As the Hòa Thắng data-entry user, DHIS2 refuses every value of another commune (E7617): each refusal must
    land on the row it names, among twins, several sheets and rows the preflight refused."""
    case = next(c for c in corpus if c.name == name)
    monkeypatch.chdir(tmp_path)

    def start():
        db = tmp_path / "server.sqlite"
        shutil.copy(deployed_db, db)
        return sandbox_factory("2.40", db=db)

    outcome = run_restricted(case, start, uids, tmp_path)
    assert outcome.failures == [], f"{case.name} [restricted]:\n" + "\n".join(outcome.failures)
