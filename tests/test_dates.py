"""Dates: the rules that give an article its date, and reading the dates users type."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from newssearch.dates import (
    date_from_comments,
    german_date,
    named_weekdays,
    parse_bound,
    path_date,
    printed_date,
    resolve_article_date,
)
from newssearch.errors import QueryError


@pytest.mark.parametrize(
    "line, expected",
    [
        ("27.01.2022", date(2022, 1, 27)),
        ("27. Januar 2022", date(2022, 1, 27)),
        ("2022-01-27", date(2022, 1, 27)),
        ("Veröffentlicht am 21.10.2023, 18:45 Uhr", date(2023, 10, 21)),
        ("Mittwoch, 26. Januar 2022", date(2022, 1, 26)),
        ("Stand: 16. März 2023", date(2023, 3, 16)),
        ("2022-01-27T08:15:00+01:00", date(2022, 1, 27)),
    ],
)
def test_printed_date_reads_german_and_iso_date_lines(line: str, expected: date) -> None:
    assert printed_date(line) == expected


def test_printed_date_ignores_sentences_that_mention_a_date() -> None:
    assert printed_date("Am 27.01.2022 trafen sich die Außenminister in Genf.") is None
    assert printed_date("31.02.2022") is None


@pytest.mark.parametrize(
    "path, expected",
    [
        ("2022/01/2022-01-26_nato.txt", date(2022, 1, 26)),
        ("archiv/2022/01/26/nato.txt", date(2022, 1, 26)),
        ("seite_20220126.txt", date(2022, 1, 26)),
        ("undatiert/kita.txt", None),
        ("2022/13/2022-13-45_falsch.txt", None),
    ],
)
def test_path_date_finds_dates_in_file_and_folder_names(path: str, expected: date | None) -> None:
    assert path_date(path) == expected


def test_date_from_comments_goes_back_to_the_named_weekday() -> None:
    thursday = date(2022, 1, 27)
    assert named_weekdays("sagte US-Außenminister Antony Blinken am Mittwoch in Washington") == {2}
    assert named_weekdays("sagte Stoltenberg am Mittwochabend in Brüssel") == {2}
    assert date_from_comments(thursday, {2}) == date(2022, 1, 26)
    assert date_from_comments(thursday, {3}) == thursday
    assert date_from_comments(thursday, set()) == thursday
    # The latest named weekday wins: "am Montag … am Mittwoch" was written after Wednesday.
    assert date_from_comments(thursday, {0, 2}) == date(2022, 1, 26)


def test_resolve_article_date_applies_rules_in_order() -> None:
    comments = [datetime(2022, 1, 27, 22, 29), datetime(2022, 1, 27, 15, 10)]
    text = "Blinken sagte am Mittwoch in Washington"
    assert resolve_article_date(date(2022, 1, 25), "2022-01-20_a.txt", comments, text) == (date(2022, 1, 25), "page")
    assert resolve_article_date(None, "2022-01-20_a.txt", comments, text) == (date(2022, 1, 20), "path")
    assert resolve_article_date(None, "a.txt", comments, text) == (date(2022, 1, 26), "comments")
    assert resolve_article_date(None, "a.txt", [None], text) == (None, "none")


@pytest.mark.parametrize(
    "value, start, end",
    [
        ("2022-01-27", datetime(2022, 1, 27), datetime(2022, 1, 27, 23, 59, 59, 999999)),
        ("27.01.2022", datetime(2022, 1, 27), datetime(2022, 1, 27, 23, 59, 59, 999999)),
        ("27.01.22", datetime(2022, 1, 27), datetime(2022, 1, 27, 23, 59, 59, 999999)),
        ("2022-02", datetime(2022, 2, 1), datetime(2022, 2, 28, 23, 59, 59, 999999)),
        ("2024-02", datetime(2024, 2, 1), datetime(2024, 2, 29, 23, 59, 59, 999999)),
        ("2022", datetime(2022, 1, 1), datetime(2022, 12, 31, 23, 59, 59, 999999)),
        ("27. Januar 2022", datetime(2022, 1, 27), datetime(2022, 1, 27, 23, 59, 59, 999999)),
        ("3. märz 2021", datetime(2021, 3, 3), datetime(2021, 3, 3, 23, 59, 59, 999999)),
        ("Februar 2024", datetime(2024, 2, 1), datetime(2024, 2, 29, 23, 59, 59, 999999)),
        ("Dez. 2021", datetime(2021, 12, 1), datetime(2021, 12, 31, 23, 59, 59, 999999)),
    ],
)
def test_parse_bound_covers_the_whole_day_month_or_year(value: str, start: datetime, end: datetime) -> None:
    assert parse_bound(value, end=False) == start
    assert parse_bound(value, end=True) == end


@pytest.mark.parametrize("value", ["gestern", "2022-13", "31.02.2022", "2022-01-32", "", "31. Februar 2022", "Frühling 2022"])
def test_parse_bound_rejects_unreadable_dates_naming_the_option(value: str) -> None:
    with pytest.raises(QueryError, match="--from"):
        parse_bound(value, end=False, option="--from")


def test_german_date_formats_days_and_comment_times() -> None:
    assert german_date(date(2022, 1, 26)) == "26.01.2022"
    assert german_date(datetime(2022, 1, 27, 22, 29), with_time=True) == "27.01.2022 22:29"
    assert german_date(None) == "ohne Datum"
