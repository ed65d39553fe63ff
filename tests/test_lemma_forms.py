"""Every lemma's other forms, worked out once per machine, are what an indexing run stores without them."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest

from conftest import EXAMPLES
from newssearch import analysis, common_words, lemma_forms, lexicon
from newssearch.index import update_index
from newssearch.table_cache import CACHE_ENV
from newssearch.vocabulary import FILE_NAME

# The common words' table only speeds the preparation up; a small one keeps these tests fast.
COMMON_LIMIT = 4_000


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache folder holding both tables worked out once per machine (prepared once for these tests)."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        _use_cache(patch, folder)
        assert not lemma_forms.is_prepared()
        assert lemma_forms.forms(["kopf"]) is None, "nothing to read before the preparation"
        assert common_words.prepare(jobs=0) > 0
        assert lemma_forms.prepare(jobs=2) > 100_000
        assert lemma_forms.is_prepared()
    yield folder
    _forget()


@pytest.fixture
def without_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder with the word tables only: every form is worked out as the run stores it."""
    folder = tmp_path / "cache"
    folder.mkdir()
    _use_cache(monkeypatch, folder)
    return folder


def _use_cache(patch: pytest.MonkeyPatch, folder: Path) -> None:
    import os

    shared = os.environ.get(CACHE_ENV, "").strip()
    for table in Path(shared).glob("*.marshal") if shared else ():
        if not table.name.startswith(("analyses-", "lemma-forms-")) and not (folder / table.name).exists():
            (folder / table.name).symlink_to(table)
    patch.setenv(CACHE_ENV, str(folder))
    patch.setattr(common_words, "COMMON_WORDS", COMMON_LIMIT)
    _forget()


def _forget() -> None:
    common_words.forget()
    lemma_forms.forget()


def _worked_out(lemmas: list[str]) -> dict[str, dict[str, str]]:
    """Each lemma's forms and their terms as a run works them out without the table (one pass for all)."""
    found: dict[str, dict[str, str]] = {lemma: {} for lemma in lemmas}
    for form, lemma in analysis.irregular_forms(lemmas):
        found[lemma][form] = analysis.conflate(form)
    return found


def test_a_lemmas_prepared_forms_are_the_ones_the_chain_gives(prepared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_cache(monkeypatch, prepared)
    forms = lemma_forms.forms(["übermitteln", "kopf"])
    assert forms is not None
    assert forms["übermittelt"] == analysis.conflate("übermittelt") == analysis.conflate("übermitteln")
    assert forms["köpfe"] == analysis.conflate("kopf")
    assert "kopfes" not in forms, "a lemma plus a regular ending is stemmed right without the table"
    lemmas = sorted(lexicon.all_lemmas())
    sample = ["gehen", "sein", "haus", "stadt", "wissen", "hoch", "gut", "bundesregierung", *random.Random(6).sample(lemmas, 400)]
    expected = _worked_out(sample)
    for lemma in sample:
        assert lemma_forms.forms([lemma]) == expected[lemma], lemma
    assert sum(map(len, expected.values())) > 200, "the sample holds forms to compare"
    assert lemma_forms.forms(["gibtesnicht"]) == {}


def _vocabulary(index_dir: Path) -> dict[str, list[tuple[str, ...]]]:
    connection = sqlite3.connect(index_dir / FILE_NAME)
    try:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            if table in ("words", "carriers", "spellings")
            else connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("words", "carriers", "spellings", "keys")
        }
    finally:
        connection.close()


def test_an_index_stores_the_same_vocabulary_with_the_tables_as_without(
    prepared: Path, without_tables: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    update_index(tmp_path / "ohne", [EXAMPLES], jobs=0)
    assert lemma_forms.forms(["kopf"]) is None
    _use_cache(monkeypatch, prepared)
    update_index(tmp_path / "mit", [EXAMPLES], jobs=0)
    assert lemma_forms._table, "the run read the prepared forms"
    without, with_tables = _vocabulary(tmp_path / "ohne"), _vocabulary(tmp_path / "mit")
    assert with_tables == without
    stored = {word: term for word, term, _ in with_tables["words"]}
    # "Kopf" is in the example archive and "Köpfe" is not: the query "Köpfe" still finds the pages.
    printed = " ".join(path.read_text("utf-8", errors="replace").lower() for path in EXAMPLES.rglob("*.txt"))
    assert "kopf" in printed and "köpfe" not in printed
    assert stored["köpfe"] == analysis.conflate("kopf")


def test_a_broken_forms_table_means_the_forms_are_worked_out(without_tables: Path) -> None:
    (without_tables / lemma_forms.file_name()).write_bytes(b"\x00kaputt")
    assert lemma_forms.forms(["kopf"]) is None
    assert lemma_forms.is_prepared(), "a broken table is not prepared again after every run"
