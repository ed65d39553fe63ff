"""Pure parsing of one article page's text into an article, its reader comments and the boilerplate it dropped.

Nothing here touches the disk, so tests feed it strings. ``parse_page`` never raises: whatever the text,
every line ends up in exactly one place (a field of the article or a comment, or the dropped boilerplate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

from newssearch.dates import printed_date

# Unicode spaces a page may carry (NBSP, narrow NBSP, thin space, ...); all become a plain space.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NBSP_END = re.compile(r"[\u00a0\u202f]\s*$")

PROMO_START = "Überzeugen Sie sich von unserem Online-Abo:"
BUILTIN_BOILERPLATE = frozenset(
    {
        "Pflichtfelder",
        "* Pflichtfelder",
        "Pflichtfeld",
        "Kommentar schreiben",
        "Kommentare",
        "Ihr Kommentar",
        "Name",
        "E-Mail",
        "Absenden",
    }
)

_COMMENT_HEADER = re.compile(
    r"^(?P<author>\S(?:.{0,78}?\S)?)\s+"
    r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?$"
)
_CREDIT = re.compile(r"^(?P<text>.*?)\s*\(?\b(?:Foto|Fotos|Bild|Archivfoto|Symbolfoto|Grafik):\s*(?P<credit>[^()]{2,80}?)\)?$")
_DATELINE = re.compile(
    r"^(?P<places>[A-ZÄÖÜ][A-ZÄÖÜß\-.]*(?: [A-ZÄÖÜ][A-ZÄÖÜß\-.]*)*"
    r"(?:\s*/\s*[A-ZÄÖÜ][A-ZÄÖÜß\-.]*(?: [A-ZÄÖÜ][A-ZÄÖÜß\-.]*)*)*)"
    r"(?:\s*\((?P<agency>[^)]{1,30})\))?\s*:\s+(?P<rest>\S.*)$",
    re.DOTALL,
)
_KICKER_MAX_CHARS = 60
_KICKER_MAX_WORDS = 6
_COMMENT_TITLE_MAX_CHARS = 100


@dataclass(frozen=True)
class Comment:
    """A reader comment below an article, in the order the page prints it (``position`` 1 = first printed)."""

    position: int
    author: str
    posted: datetime | None
    title: str | None
    text: str
    line: int
    header: str = ""

    def lines(self) -> list[str]:
        """The comment's lines as printed: header, title, text."""
        return [self.header] + ([self.title] if self.title else []) + [line for line in self.text.split("\n") if line]


@dataclass(frozen=True)
class Article:
    """The article part of a page. ``captions`` are the caption lines as printed (a caption printed twice is
    there twice); ``dateline`` is the lead's place prefix (``WASHINGTON/BRÜSSEL:``), kept apart from ``lead``."""

    title: str
    kicker: str | None = None
    date_line: str | None = None
    captions: tuple[str, ...] = ()
    dateline: str | None = None
    lead: str | None = None
    body: str = ""
    printed_date: date | None = None

    @property
    def caption(self) -> str | None:
        """The photo caption(s) without credits, each printed once."""
        texts = list(dict.fromkeys(_split_credit(line)[0] for line in self.captions))
        return "\n".join(texts) if texts else None

    @property
    def credit(self) -> str | None:
        """The photo credit(s) (``Friso Gentsch/dpa``)."""
        credits = list(dict.fromkeys(c for c in (_split_credit(line)[1] for line in self.captions) if c))
        return "; ".join(credits) if credits else None

    @property
    def places(self) -> tuple[str, ...]:
        """The dateline's places: ``WASHINGTON/BRÜSSEL:`` → (``WASHINGTON``, ``BRÜSSEL``)."""
        if not self.dateline:
            return ()
        match = _DATELINE.match(self.dateline + " x")
        names = match["places"] if match else self.dateline.rstrip(":")
        return tuple(place.strip() for place in names.split("/") if place.strip())

    def full_text(self) -> str:
        """Every searchable text of the article, for weekday detection and quick checks."""
        return "\n\n".join(part for part in (self.title, self.kicker, self.lead, self.body) if part)

    def lines(self) -> list[str]:
        """The article's lines as printed, in page order (the dateline back in front of the lead)."""
        out = [self.title] if self.title else []
        out += [line for line in (self.kicker, self.date_line) if line]
        out += list(self.captions)
        if self.lead:
            lead_lines = self.lead.split("\n")
            if self.dateline:
                lead_lines[0] = f"{self.dateline} {lead_lines[0]}"
            out += lead_lines
        out += [line for line in self.body.split("\n") if line]
        return out


@dataclass(frozen=True)
class Page:
    """One parsed page file."""

    article: Article
    comments: tuple[Comment, ...] = ()
    boilerplate: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """True when nothing searchable was found (blank page, or boilerplate only)."""
        return not (self.article.title or self.article.body or self.article.lead or self.comments)

    def lines(self) -> list[str]:
        """Every line the page kept, in order; with ``boilerplate`` that is every non-blank input line."""
        return self.article.lines() + [line for comment in self.comments for line in comment.lines()]


def clean_line(line: str) -> str:
    """A line with every kind of Unicode space folded to one space, control characters removed, ends trimmed."""
    if line.isprintable() and "  " not in line:
        # Most lines: no control character and no space but single ASCII ones (every other space and
        # control character is unprintable), so the two substitutions would change nothing.
        return line.strip()
    return _SPACES.sub(" ", _CONTROL.sub("", line)).strip()


def parse_comment_header(line: str) -> tuple[str, datetime | None] | None:
    """``Author Name DD.MM.YY HH:MM[:SS]`` → (author, time); the time is None when it is impossible (31.02., 25:61)."""
    match = _COMMENT_HEADER.match(line)
    if not match:
        return None
    year = int(match["year"])
    if len(match["year"]) == 2:
        year += 2000 if year < 70 else 1900
    try:
        posted: datetime | None = datetime(
            year, int(match["month"]), int(match["day"]), int(match["hour"]), int(match["minute"]),
            int(match["second"] or 0),
        )
    except ValueError:
        posted = None
    return match["author"], posted


class _Lines:
    """The page's cleaned lines, with the raw form kept for the kicker's trailing non-breaking spaces."""

    def __init__(self, text: str) -> None:
        self.raw = text.split("\n")
        self.clean = [clean_line(line) for line in self.raw]


def _is_boilerplate(line: str, boilerplate: frozenset[str]) -> bool:
    return line in BUILTIN_BOILERPLATE or line in boilerplate


def _comment_start(lines: list[str]) -> int:
    """Index of the first comment header: after the page's form block when there is one, else after the title."""
    after = 0
    for index, line in enumerate(lines):
        if line == PROMO_START or line in BUILTIN_BOILERPLATE:
            after = index
    first_text = next((i for i, line in enumerate(lines) if line), len(lines))
    start = max(after, first_text + 1)
    for index in range(start, len(lines)):
        if lines[index] and parse_comment_header(lines[index]):
            return index
    return len(lines)


def _paragraphs(lines: Iterable[str]) -> list[list[str]]:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _split_credit(text: str) -> tuple[str, str | None]:
    match = _CREDIT.match(text)
    if match and match["text"]:
        return match["text"], match["credit"].strip()
    return text, None


def _looks_like_kicker(paragraph: list[str], had_nbsp: bool) -> bool:
    if len(paragraph) != 1:
        return False
    line = paragraph[0]
    if had_nbsp:
        return len(line) <= 2 * _KICKER_MAX_CHARS
    return (
        len(line) <= _KICKER_MAX_CHARS
        and len(line.split()) <= _KICKER_MAX_WORDS
        and not line.endswith((".", "!", "?", ":", ";", ","))
        and printed_date(line) is None
    )


def _is_caption(paragraph: list[str], head: bool) -> bool:
    """A photo caption: a line printed twice in a row; near the top also a single line ending in a credit."""
    if len(paragraph) == 2 and paragraph[0] == paragraph[1]:
        return True
    return head and len(paragraph) == 1 and len(paragraph[0]) <= 400 and bool(_CREDIT.match(paragraph[0]))


def _parse_article(lines: _Lines, end: int, boilerplate: frozenset[str], dropped: list[str]) -> Article:
    kept: list[str] = []
    nbsp_lines: set[int] = set()
    skip_next = False
    for index in range(end):
        line = lines.clean[index]
        if skip_next and line:
            dropped.append(line)
            skip_next = False
            continue
        if line == PROMO_START:
            dropped.append(line)
            skip_next = True
            continue
        if line and _is_boilerplate(line, boilerplate):
            dropped.append(line)
            continue
        if line and _NBSP_END.search(lines.raw[index]):
            nbsp_lines.add(len(kept))
        kept.append(line)
    # Paragraph bookkeeping: remember whether a paragraph's first line ended in a non-breaking space.
    paragraphs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    current_nbsp = False
    for position, line in enumerate(kept + [""]):
        if line:
            if not current:
                current_nbsp = position in nbsp_lines
            current.append(line)
        elif current:
            paragraphs.append((current, current_nbsp))
            current = []
    if not paragraphs:
        return Article(title="")

    title_lines, _ = paragraphs.pop(0)
    title = title_lines[0]
    rest_of_title = title_lines[1:]
    if rest_of_title:
        paragraphs.insert(0, (rest_of_title, False))

    kicker = date_line = None
    page_date: date | None = None
    captions: list[str] = []
    # The head of the page: kicker, date line and caption come before the first text paragraph, in any order.
    while paragraphs:
        paragraph, had_nbsp = paragraphs[0]
        if kicker is None and not captions and page_date is None and _looks_like_kicker(paragraph, had_nbsp):
            kicker = paragraph[0]
        elif page_date is None and len(paragraph) == 1 and printed_date(paragraph[0]):
            date_line = paragraph[0]
            page_date = printed_date(date_line)
        elif _is_caption(paragraph, head=True):
            captions.extend(paragraph)
        else:
            break
        paragraphs.pop(0)

    body_paragraphs: list[str] = []
    for paragraph, _ in paragraphs:
        if _is_caption(paragraph, head=False):
            captions.extend(paragraph)
        else:
            body_paragraphs.append("\n".join(paragraph))

    dateline = lead = None
    if body_paragraphs:
        first = body_paragraphs.pop(0)
        match = _DATELINE.match(first)
        if match and any(len(place) > 1 for place in match["places"].split("/")):
            dateline = first[: match.start("rest")].rstrip()
            lead = match["rest"]
        else:
            lead = first
    return Article(
        title=title,
        kicker=kicker,
        date_line=date_line,
        captions=tuple(captions),
        dateline=dateline,
        lead=lead,
        body="\n\n".join(body_paragraphs),
        printed_date=page_date,
    )


def _parse_comments(lines: _Lines, start: int, boilerplate: frozenset[str], dropped: list[str]) -> list[Comment]:
    comments: list[Comment] = []
    header: tuple[str, datetime | None, int] | None = None
    body: list[str] = []

    def close() -> None:
        if header is None:
            return
        while body and not body[-1]:
            body.pop()
        while body and not body[0]:
            body.pop(0)
        title = None
        if len(body) >= 2 and body[1] and len(body[0]) <= _COMMENT_TITLE_MAX_CHARS:
            title = body.pop(0)
        author, posted, line_number = header
        comments.append(
            Comment(
                position=len(comments) + 1, author=author, posted=posted, title=title,
                text="\n".join(body), line=line_number, header=lines.clean[line_number - 1],
            )
        )

    for index in range(start, len(lines.clean)):
        line = lines.clean[index]
        parsed = parse_comment_header(line) if line else None
        if parsed:
            close()
            header = (parsed[0], parsed[1], index + 1)
            body = []
        elif line and _is_boilerplate(line, boilerplate):
            dropped.append(line)
        else:
            body.append(line)
    close()
    return comments


def parse_page(text: str, boilerplate: frozenset[str] = frozenset()) -> Page:
    """Split a page into its article, its reader comments and the boilerplate lines it drops.

    ``boilerplate`` holds lines learnt from the whole archive (see ``boilerplate.py``); a small built-in list
    and the subscription promo are always dropped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = _Lines(text)
    dropped: list[str] = []
    start = _comment_start(lines.clean)
    article = _parse_article(lines, start, boilerplate, dropped)
    comments = _parse_comments(lines, start, boilerplate, dropped)
    return Page(article=article, comments=tuple(comments), boilerplate=tuple(dropped))
