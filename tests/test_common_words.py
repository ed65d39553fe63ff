"""The common words' analyses, worked out once per machine, are exactly what the chain makes of them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from newssearch import analysis, common_words, lemma_forms, lexicon
from newssearch.cli import cli
from newssearch.index import update_index
from newssearch.table_cache import CACHE_ENV, python_tag

# Small tables keep the tests fast; the words are still wordfreq's most frequent German ones.
LIMIT = 4_000


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of this test holding the word tables of the run's cache, and no common-word table."""
    shared = os.environ.get(CACHE_ENV, "").strip()
    folder = tmp_path / "cache"
    folder.mkdir()
    for table in Path(shared).glob("*.marshal") if shared else ():
        if not table.name.startswith(("analyses-", "lemma-forms-")):
            (folder / table.name).symlink_to(table)
    monkeypatch.setenv(CACHE_ENV, str(folder))
    monkeypatch.setattr(common_words, "COMMON_WORDS", LIMIT)
    common_words.forget()
    lemma_forms.forget()
    yield folder
    common_words.forget()
    lemma_forms.forget()


def test_a_prepared_word_has_the_analysis_the_chain_gives_it(cache: Path) -> None:
    assert not common_words.is_prepared()
    assert common_words.analysis("regierung") is None
    stale = cache / f"analyses-de-{LIMIT}-00000000deadbeef-{python_tag()}.marshal"  # written by earlier code
    other_python = cache / f"analyses-de-{LIMIT}-00000000deadbeef-py27-m2.marshal"
    for table in (stale, other_python):
        table.write_bytes(b"alt")
    stored = common_words.prepare(jobs=0)
    assert stored > LIMIT * 0.9 and common_words.is_prepared()
    assert not stale.exists(), "a table nothing reads any more is removed"
    assert other_python.exists(), "another Python's table may still be in use"
    common_words.forget()
    table = {word: common_words.analysis(word) for word in ("regierung", "bundesregierung", "über", "schulen")}
    assert all(found is not None for found in table.values())
    # Their lemmas too, for the other forms an indexing run stores (``lemma_forms``).
    lemmas = {word: common_words.lemma(word) for word in ("ging", "menschen", "wurde", "regierung")}
    assert lemmas == {"ging": "gehen", "menschen": "mensch", "wurde": "werden", "regierung": "regierung"}
    assert lemmas == {word: lexicon.lemma(word) for word in lemmas}
    assert common_words.lemma("bundesregierungssprecherin") is None, "not a common word"
    # The chain itself, without the table: a table of another name (size) is never read.
    common_words.COMMON_WORDS = LIMIT + 1  # type: ignore[misc]
    common_words.forget()
    assert common_words.analysis("regierung") is None
    assert table == {word: analysis.analyse_word(word) for word in table}
    assert table["bundesregierung"][1], "a compound keeps its parts"


def test_an_index_built_with_the_table_is_the_one_built_without(cache: Path, tmp_path: Path) -> None:
    update_index(tmp_path / "ohne", [EXAMPLES], jobs=0)
    common_words.prepare(jobs=0)
    common_words.forget()
    update_index(tmp_path / "mit", [EXAMPLES], jobs=0)
    assert common_words._table, "the second run read the table"
    for suffix in (".trm", ".pst"):
        (without,) = [path.read_bytes() for path in (tmp_path / "ohne").iterdir() if path.suffix == suffix]
        (with_table,) = [path.read_bytes() for path in (tmp_path / "mit").iterdir() if path.suffix == suffix]
        assert with_table == without


def test_a_broken_table_only_means_every_word_is_analysed(cache: Path, tmp_path: Path) -> None:
    (cache / common_words.file_name()).write_bytes(b"\x00kaputt")
    assert common_words.analysis("regierung") is None
    report = update_index(tmp_path / "index", [EXAMPLES], jobs=0)
    assert report.articles > 0


def test_the_cli_prepares_the_tables_once_after_a_large_run(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common_words, "PREPARE_FROM_PAGES", 3)
    runner = CliRunner()

    def index(name: str) -> str:
        result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / name), "-j", "0"])
        assert result.exit_code == 0, result.output
        return result.stderr

    # Stopped after the common words: those are kept, the forms come with the next large run.
    with monkeypatch.context() as stopped:
        stopped.setattr(lemma_forms, "prepare", _pressed_ctrl_c)
        first = index("erster")
    assert "Einmalig: Analysen häufiger Wörter und Wortformen für künftige Läufe vorbereiten" in first
    assert "\nWortformen nicht vorbereitet (abgebrochen); der Index ist vollständig." in first
    assert common_words.is_prepared() and not lemma_forms.is_prepared()
    second = index("zweiter")
    assert "Einmalig: Wortformen für künftige Läufe vorbereiten" in second
    assert " Wortformen in " in second and " Wörter " not in second
    assert lemma_forms.is_prepared()
    assert "Einmalig" not in index("dritter")


def _pressed_ctrl_c(**options: object) -> int:
    raise KeyboardInterrupt


def test_a_small_run_or_a_switched_off_cache_prepares_nothing(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = CliRunner().invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "index"), "-j", "0"])
    assert small.exit_code == 0 and not common_words.is_prepared()
    monkeypatch.setenv(CACHE_ENV, "")
    assert common_words.prepare(jobs=0) == 0 and not common_words.should_prepare(10**6)
    # A cache that cannot be written: no work that would be lost and repeated after every large run.
    blocker = tmp_path / "eine-datei"
    blocker.write_text("kein Ordner", "utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert not common_words.should_prepare(10**6) and common_words.prepare(jobs=0) == 0


def test_stopping_the_preparation_keeps_the_finished_index_and_its_report(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common_words, "PREPARE_FROM_PAGES", 3)
    monkeypatch.setattr(common_words, "prepare", _pressed_ctrl_c)
    result = CliRunner().invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "index"), "-j", "0"])
    assert result.exit_code == 0
    assert " neu, " in result.stdout and "Kommentare" in result.stdout
    assert "nicht vorbereitet (abgebrochen); der Index ist vollständig" in result.stderr
    assert not common_words.is_prepared()
