"""Reading dates as German pages and users write them, and deciding an article's date.

An article's date comes from the first rule that applies: a date printed near the top of the page,
a date in its path, the day of its earliest comment (moved back to a weekday the text names), or none.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from typing import Iterable

from dateutil.parser import isoparse

from newssearch.errors import QueryError

MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feber": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}
WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6,
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

_NUMERIC = r"(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})"
_WORDED = rf"(?P<wd>\d{{1,2}})\.\s*(?P<wm>{_MONTH_NAMES})\.?\s+(?P<wy>\d{{4}})"
_ISO = r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
_ANY_DATE = rf"(?:{_NUMERIC}|{_WORDED}|{_ISO})"

# A line that only says when the page appeared: "27.01.2022", "Veröffentlicht am 27. Januar 2022, 14:30 Uhr",
# "Mittwoch, 26.01.2022", "Stand: 2022-01-27 08:00".
_DATE_LINE = re.compile(
    r"^(?:(?:veröffentlicht|veroeffentlicht|aktualisiert|erschienen|erstellt|stand|datum)"
    r"(?:\s+am)?\s*:?\s*)?"
    rf"(?:(?:{'|'.join(WEEKDAYS)}),?\s+(?:den\s+)?)?"
    rf"{_ANY_DATE}"
    r"(?:\s*(?:,|um|-|–)?\s*\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*uhr)?)?\s*$",
    re.IGNORECASE,
)
# A machine timestamp as some exports print it: 2022-01-27T08:15:00+01:00 (dateutil reads every ISO 8601 form).
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\S+$")
_PATH_DATES = (
    re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})/(\d{2})/(\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
)
_NAMED_WEEKDAY = re.compile(
    r"\b(?:am|vom|seit|ab|bis|zum|diesen|vergangenen|letzten)\s+"
    rf"({'|'.join(WEEKDAYS)})(?:abend|morgen|vormittag|nachmittag|mittag|nacht)?\b",
    re.IGNORECASE,
)
WEEKDAY_LOOKBACK_DAYS = 6


def _year(text: str) -> int:
    value = int(text)
    if len(text) == 2:
        value += 2000 if value < 70 else 1900
    return value


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _match_to_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    if groups.get("d"):
        return _safe_date(_year(groups["y"]), int(groups["m"]), int(groups["d"]))
    if groups.get("wd"):
        return _safe_date(int(groups["wy"]), MONTHS[groups["wm"].lower()], int(groups["wd"]))
    return _safe_date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))


def printed_date(line: str) -> date | None:
    """The date of a line that says nothing but when the page appeared, else None."""
    if len(line) > 80:
        return None
    text = line.strip()
    if _ISO_TIMESTAMP.match(text):
        try:
            return isoparse(text).date()
        except (ValueError, OverflowError):
            return None
    match = _DATE_LINE.match(text)
    return _match_to_date(match) if match else None


def path_date(relpath: str) -> date | None:
    """A date in a file or folder name: ``2022-01-27``, ``2022/01/27`` or ``20220127``."""
    text = relpath.replace("\\", "/")
    for pattern in _PATH_DATES:
        for match in pattern.finditer(text):
            found = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if found and 1800 < found.year < 2200:
                return found
    return None


def named_weekdays(text: str) -> set[int]:
    """Weekdays the text refers to as a day of the reported events (``am Mittwoch``, ``am Mittwochabend``)."""
    return {WEEKDAYS[m.group(1).lower()] for m in _NAMED_WEEKDAY.finditer(text)}


def date_from_comments(first_comment_day: date, weekdays: Iterable[int]) -> date:
    """The day of the earliest comment, or the latest weekday the text names on or before it (≤ 6 days back)."""
    candidates = []
    for weekday in weekdays:
        back = (first_comment_day.weekday() - weekday) % 7
        if back <= WEEKDAY_LOOKBACK_DAYS:
            candidates.append(first_comment_day - timedelta(days=back))
    return max(candidates) if candidates else first_comment_day


def resolve_article_date(
    printed: date | None, relpath: str, comment_times: Iterable[datetime | None], text: str
) -> tuple[date | None, str]:
    """Apply the date rules in order; returns the date and its source (page, path, comments, none)."""
    if printed:
        return printed, "page"
    from_path = path_date(relpath)
    if from_path:
        return from_path, "path"
    days = [moment.date() for moment in comment_times if moment is not None]
    if days:
        return date_from_comments(min(days), named_weekdays(text)), "comments"
    return None, "none"


_BOUND_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{1,2})\.(\d{4})$"), ("m", "y")),
    (re.compile(r"^(\d{4})$"), ("y",)),
    (re.compile(rf"^(\d{{1,2}})\.?\s*({_MONTH_NAMES})\.?\s+(\d{{4}})$", re.IGNORECASE), ("d", "name", "y")),
    (re.compile(rf"^({_MONTH_NAMES})\.?\s+(\d{{4}})$", re.IGNORECASE), ("name", "y")),
)


def parse_bound(value: str, *, end: bool, option: str = "date") -> datetime:
    """A user's date (``2022-01-27``, ``27.01.2022``, ``27.01.22``, ``27. Januar 2022``, ``2022-01``,
    ``Januar 2022``, ``2022``) as a range bound.

    With ``end=True`` the bound is the last moment of that day, month or year, so ``--to`` includes all of it.
    """
    text = value.strip()
    for pattern, names in _BOUND_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        parts = dict(zip(names, match.groups()))
        year = _year(parts["y"])
        month = MONTHS[parts["name"].lower()] if "name" in parts else int(parts.get("m", 1 if not end else 12))
        if not 1 <= month <= 12:
            break
        if "d" in parts:
            day = int(parts["d"])
        else:
            day = calendar.monthrange(year, month)[1] if end else 1
        found = _safe_date(year, month, day)
        if found is None:
            break
        return datetime.combine(found, time.max if end else time.min)
    raise QueryError(
        f"{option}: „{value}“ ist kein lesbares Datum (erwartet z. B. 2022-01-27, 27.01.2022, 27. Januar 2022, "
        "2022-01, Januar 2022 oder 2022)"
    )


def german_date(moment: date | datetime | None, with_time: bool = False) -> str:
    """``26.01.2022`` (and ``27.01.2022 22:29`` for comments); ``ohne Datum`` when unknown."""
    if moment is None:
        return "ohne Datum"
    if with_time and isinstance(moment, datetime):
        return moment.strftime("%d.%m.%Y %H:%M")
    return moment.strftime("%d.%m.%Y")
