"""The word tables are unpacked once per machine; a broken or switched-off cache only costs time."""

from __future__ import annotations

from pathlib import Path

import pytest

from newssearch import lexicon
from newssearch.table_cache import CACHE_ENV, cached_table

TABLE = {"Köpfe".encode(): "Kopf".encode(), "Straßen".encode(): "Straße".encode()}


class Loader:
    """The slow way to the table (what unpacking simplemma's data is), counting how often it ran."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> dict[bytes, bytes]:
        self.runs += 1
        return dict(TABLE)


def test_a_table_is_unpacked_once_and_then_read_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    load = Loader()
    assert cached_table("lemmas-test", "simplemma", load) == TABLE
    assert cached_table("lemmas-test", "simplemma", load) == TABLE
    assert load.runs == 1
    (written,) = (tmp_path / "cache").iterdir()
    assert written.name.startswith("lemmas-test-simplemma-") and written.suffix == ".marshal"


def test_a_broken_cache_file_is_replaced_by_a_fresh_unpacking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    load = Loader()
    cached_table("lemmas-test", "simplemma", load)
    (written,) = tmp_path.iterdir()
    written.write_bytes(b"\x00kaputt")
    assert cached_table("lemmas-test", "simplemma", load) == TABLE
    assert load.runs == 2
    assert cached_table("lemmas-test", "simplemma", load) == TABLE and load.runs == 2


def test_an_empty_setting_turns_the_cache_off_and_an_unwritable_one_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    load = Loader()
    cached_table("lemmas-test", "simplemma", load)
    cached_table("lemmas-test", "simplemma", load)
    assert load.runs == 2
    blocker = tmp_path / "eine-datei"
    blocker.write_text("kein Ordner", "utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert cached_table("lemmas-test", "simplemma", load) == TABLE and load.runs == 3


def test_the_real_lemma_table_reads_back_from_the_cache_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    unpacked = cached_table("lemmas-de", "simplemma", lexicon._simplemma_bytes)  # unpacks and stores
    read_back = cached_table("lemmas-de", "simplemma", Loader())  # must not need the loader
    assert read_back == unpacked and len(read_back) > 1_000_000
    assert list(read_back)[:1000] == list(unpacked)[:1000]  # same order: forms_of walks the table in order
    assert read_back["Köpfe".encode()] == "Kopf".encode()
