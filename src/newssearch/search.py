"""Searching: a query model in, typed hits out. Used alike by the CLI and the web page.

All words of a query are required by default; ``"phrases"`` (also „German“ and «French» quotes), OR / ODER,
NOT / NICHT, AND / UND and field prefixes (``titel:``, ``autor:`` …) go through Whoosh's query parser.
Date filters are ``DateRange`` queries built from dates we parse ourselves.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from whoosh import index as whoosh_index
from whoosh import qparser, query, sorting
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.qparser.common import QueryParserError
from whoosh.query.qcore import QueryError as WhooshQueryError

from newssearch.analysis import STOP_WORDS, TOKEN_PATTERN, archive_vocabulary, carriers_function, normalise
from newssearch.columns import NO_DATE, date_keys, document_fields, has_column
from newssearch.config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from newssearch.docsets import matching_docs
from newssearch.errors import QueryError
from newssearch.filters import ColumnFilter, ColumnTopCollector, kind_and_dates
from newssearch.index import FIELD_BOOSTS, TEXT_FIELDS, open_index
from newssearch.pruning import SegmentPruned
from newssearch.ranking import relevance
from newssearch.snippets import Matcher, Segment, best_snippet
from newssearch.spelling import document_frequency, fuzzy_text, suggest
from newssearch.term_infos import remember_terms
from newssearch.vocabulary import Vocabulary

KINDS = ("all", "article", "comment")
SORTS = ("relevance", "newest", "oldest")
MAX_QUERY_CHARS = 500
FIELD_ALIASES = {
    "title": ["titel"],
    "kicker": ["dachzeile"],
    "lead": ["vorspann"],
    "body": ["text"],
    "caption": ["bildtext", "bildunterschrift"],
    "places": ["ort", "orte"],
    "author": ["autor", "autorin"],
}
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "«": '"', "»": '"', "‟": '"'})
_ARTICLE_SNIPPET_FIELDS = ("lead", "body", "caption", "kicker", "title")
_COMMENT_SNIPPET_FIELDS = ("body", "title")


@dataclass(frozen=True)
class SearchRequest:
    """What a user asks for; validated on construction so every caller gets the same rules."""

    query: str
    date_from: datetime | None = None
    date_to: datetime | None = None
    kind: str = "all"
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    fuzzy: bool = False
    # Date-ordered hits are scored separately, which costs about as much as the date order itself; a caller
    # that shows no scores (the page) asks without them. Hits by relevance always carry theirs.
    scores: bool = True

    def __post_init__(self) -> None:
        # Umlauts pasted as letter + combining mark (macOS) are the same words as the pages' composed ones.
        object.__setattr__(self, "query", unicodedata.normalize("NFC", self.query))
        if not self.query.strip():
            raise QueryError("Suchanfrage ist leer")
        if len(self.query) > MAX_QUERY_CHARS:
            raise QueryError(f"Suchanfrage ist zu lang (höchstens {MAX_QUERY_CHARS} Zeichen)")
        if self.kind not in KINDS:
            raise QueryError(f"kind: '{self.kind}' ist keine Art (article, comment oder all)")
        if self.sort not in SORTS:
            raise QueryError(f"sort: '{self.sort}' ist keine Sortierung (relevance, newest oder oldest)")
        if self.page < 1:
            raise QueryError(f"page: {self.page} ist keine Seitenzahl (ab 1)")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise QueryError(f"limit: {self.page_size} liegt nicht zwischen 1 und {MAX_PAGE_SIZE}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError("das Startdatum (from) liegt nach dem Enddatum (to): der Zeitraum ist leer")


# An article's day or a comment's moment (named here: inside ``Hit`` the name ``date`` is its field).
Day = date | datetime | None


@dataclass(frozen=True)
class Hit:
    """One search result; a comment carries its author and the title of its article."""

    id: str
    kind: str
    path: str
    root: str
    article_id: str
    title: str | None
    author: str | None
    article_title: str | None
    date: datetime | None
    date_source: str
    score: float | None  # None: date-ordered, asked for without scores
    snippet: tuple[Segment, ...]

    @property
    def day(self) -> Day:
        """The article's day, or the comment's moment."""
        if self.date is None:
            return None
        return self.date if self.kind == "comment" else self.date.date()


@dataclass(frozen=True)
class SearchPage:
    """One page of results with honest totals."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...] = field(default=())
    suggestion: str | None = None
    ignored: tuple[str, ...] = ()

    @property
    def only_ignored(self) -> bool:
        """Whether every word of the query is one that is not searched, so nothing can be found."""
        words = {word for word in TOKEN_PATTERN.findall(self.request.query) if word not in _OPERATOR_WORDS}
        return bool(words) and words <= set(self.ignored)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.request.page_size))


def _parser(schema: Any) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.replace_plugin(
        qparser.OperatorsPlugin(
            And=r"(?<=\s)(AND|UND)(?=\s)",
            Or=r"(?<=\s)(OR|ODER)(?=\s)",
            AndNot=r"(?<=\s)ANDNOT(?=\s)",
            AndMaybe=r"(?<=\s)ANDMAYBE(?=\s)",
            Not=r"(^|(?<=(\s|[()])))(NOT|NICHT)(?=\s)",
        )
    )
    return parser


_BINARY_OPERATORS = ("AND", "UND", "OR", "ODER", "ANDNOT", "ANDMAYBE")
_OPERATOR_WORDS = frozenset((*_BINARY_OPERATORS, "NOT", "NICHT"))
_BINARY = "|".join(_BINARY_OPERATORS)
_ANY_OPERATOR = "|".join(sorted(_OPERATOR_WORDS))
_FIELD_PREFIX = "|".join(sorted({name for names in FIELD_ALIASES.values() for name in names} | set(FIELD_ALIASES)))
# What a hurried user types around operators and field prefixes, and what it should mean: an operator with
# nothing on one side (``Drohnen AND``) or doubled (``ODER ODER``, ``NICHT NICHT``) counts once or not at all
# (Whoosh searched "and" as a word or failed); a field prefix is read in any case and across a space
# (``Titel: Hafen``), and dropped when nothing follows it.
_QUERY_REPAIRS = (
    (re.compile(rf"^\s*(?:{_BINARY})(?:\s+|$)|(?:^|\s+)(?:{_ANY_OPERATOR})\s*$"), ""),
    (re.compile(rf"(?<!\S)({_BINARY})\s+(?:{_BINARY})(?!\S)"), r"\1"),
    (re.compile(r"(?<!\S)(NOT|NICHT)\s+(?:" + _ANY_OPERATOR + r")(?!\S)"), r"\1"),
    (re.compile(rf"(?<![\w:])({_FIELD_PREFIX}):\s*(?=[^\s:])", re.IGNORECASE), lambda match: match[1].lower() + ":"),
    (re.compile(rf"(?<![\w:])(?:{_FIELD_PREFIX}):(?:\s+|$)(?=\s*(?:$|{_ANY_OPERATOR}(?!\S)))", re.IGNORECASE), ""),
)


def _repaired(text: str) -> str:
    while True:
        before = text
        for pattern, replacement in _QUERY_REPAIRS:
            text = pattern.sub(replacement, text)
        if text == before:
            return text


def parse_query(text: str, schema: Any) -> query.Query:
    """Turn a user's query string into a Whoosh query; German quotes count as quotes, and stray operators and
    field prefixes are repaired (``_QUERY_REPAIRS``)."""
    try:
        parsed = _parser(schema).parse(_repaired(text.translate(_QUOTES)))
    except QueryParserError as error:
        raise QueryError(f"Suchanfrage nicht verständlich: {error}") from None
    except Exception:  # noqa: BLE001 - Whoosh's parser fails in odd ways on odd input; never a traceback
        raise QueryError("Suchanfrage nicht verständlich: bitte Operatoren (UND, ODER, NICHT) und Klammern prüfen") from None
    return parsed


def pruned_query(request: SearchRequest, ix: whoosh_index.Index, schema: Any) -> query.Query:
    """The request's query as a search runs it: trimmed, segment by segment, to the terms each holds."""
    return SegmentPruned(build_query(request, ix, schema))


def build_filter(request: SearchRequest, reader: Any = None) -> Any:
    """The request's kind and date range as a filter (None when it asks for everything)."""
    return kind_and_dates(request.kind, request.date_from, request.date_to, reader)


def _sort_facet(request: SearchRequest) -> sorting.FacetType | None:
    """Date order with undated documents last either way (Whoosh gives a missing date the largest value)."""
    if request.sort == "relevance":
        return None
    sign = -1 if request.sort == "newest" else 1

    def key(value: int) -> tuple[bool, int]:
        missing = value >= NO_DATE
        return missing, 0 if missing else sign * value

    return sorting.TranslateFacet(key, sorting.FieldFacet("date"))


def _snippet(
    stored: dict[str, Any], matchers: list[Matcher], searched: frozenset[str] = frozenset(TEXT_FIELDS)
) -> tuple[Segment, ...]:
    """The passage with the query's words, from the fields the query searched (``dachzeile:Märkte`` shows the
    kicker, not a Marktplatz in the lead): lead, body, caption, kicker in that order for articles, body for
    comments (``snippets.best_snippet`` says which wins), the title only when nothing else matched."""
    kinds_fields = _COMMENT_SNIPPET_FIELDS if stored.get("kind") == "comment" else _ARTICLE_SNIPPET_FIELDS
    names = [name for name in kinds_fields if name in searched or (name == "lead" and "places" in searched)] or list(
        kinds_fields
    )
    # The hit shows its title anyway: the title is the snippet only when no other text matched.
    last = [names.pop()] if len(names) > 1 and names[-1] == "title" else []
    texts = [_snippet_text(stored, name) for name in names]
    return tuple(best_snippet(texts, matchers, last_resort=[_snippet_text(stored, name) for name in last]))


def _snippet_text(stored: dict[str, Any], name: str) -> str:
    """A field's text for snippets; the lead opens with its dateline (``KIEL: …``) as on the printed page, so a
    hit found through its place shows that place marked."""
    text = stored.get(name) or ""
    places = stored.get("places") if name == "lead" else None
    return f"{places}: {text}" if places and text else text


def searched_fields(parsed: query.Query) -> frozenset[str]:
    """The fields a query's words are looked for in, as written (every text field unless a field prefix
    narrows a word)."""
    return frozenset(field for field in (leaf.field() for leaf in parsed.leaves()) if field)


def _positive_terms(node: query.Query, reader: Any) -> set[tuple[str, str]]:
    """Index terms a query looks for, expanded (prefixes, fuzzy words), leaving out the words it excludes."""
    if isinstance(node, query.Not):
        return set()
    if isinstance(node, query.AndNot):
        return _positive_terms(node.a, reader)
    if node.is_leaf():
        return {
            (fieldname, text.decode("utf-8") if isinstance(text, bytes) else text)
            for fieldname, text in node.existing_terms(reader, expand=True)
        }
    found: set[tuple[str, str]] = set()
    for child in node.children():
        found |= _positive_terms(child, reader)
    return found


def query_matchers(reader: Any, schema: Any, parsed: query.Query, index_dir: Path | None = None) -> list[Matcher]:
    """What to mark for a query: the index terms it looks for in the text fields (fuzzy alternatives too), and,
    given the index folder, which words of its archive may carry them (asked of its vocabulary once)."""
    analyzer = schema["body"].analyzer
    terms = {text for fieldname, text in _positive_terms(parsed, reader) if fieldname in FIELD_BOOSTS}
    return [(analyzer, terms, carriers_function(analyzer, terms, index_dir) if index_dir is not None else None)]


def build_query(request: SearchRequest, ix: whoosh_index.Index, schema: Any = None) -> query.Query:
    """The Whoosh query for a request (with the archive's similar words when ``fuzzy`` is asked for).

    Pass an open searcher's ``schema`` where there is one: ``ix.schema`` reads the index's table of contents
    from disk on every access."""
    schema = schema if schema is not None else ix.schema
    parsed = parse_query(request.query, schema)
    if not _has_positive_words(parsed) and ignored_words(request.query):
        # "würde NICHT Hafen": the word to look for is too common to search, and what is left ("everything
        # but Hafen") is not what was asked; nothing is found, and the page names the ignored word.
        return query.NullQuery
    if request.fuzzy:
        near = fuzzy_text(request.query.translate(_QUOTES), archive_words(ix))
        parsed = query.Or([parsed, parse_query(near, schema)])
    return parsed


def _has_positive_words(node: query.Query) -> bool:
    """Whether a query looks for some word (and is not only a list of words to exclude)."""
    if node is query.NullQuery or isinstance(node, query.Not):
        return False
    if isinstance(node, query.AndNot):
        return _has_positive_words(node.a)
    if node.is_leaf():
        return True
    return any(_has_positive_words(child) for child in node.children())


def index_folder(ix: whoosh_index.Index) -> Path | None:
    """The folder an index lives in (None for an index held in memory)."""
    folder = getattr(ix.storage, "folder", None)
    return Path(folder) if folder else None


def archive_words(ix: whoosh_index.Index) -> Vocabulary:
    """The word list of the archive behind ``ix``, kept beside the index by the indexer."""
    return archive_vocabulary(Path(ix.storage.folder))


@contextmanager
def _executable() -> Iterator[None]:
    """Whoosh's errors while running a query, as the one-line message a user gets."""
    try:
        yield
    except WhooshQueryError as error:
        raise QueryError(f"Suchanfrage nicht ausführbar: {error}") from None


def _run(searcher: Any, parsed: query.Query, **options: Any) -> Any:
    with _executable():
        return searcher.search(parsed, **options)


def by_column(searcher: Any, search_filter: Any) -> bool:
    """Whether date order (and the facets' dates) can be read from the date column (every index since schema 2
    has one) and the filter checked on the columns."""
    return has_column(searcher.reader(), "date") and (search_filter is None or isinstance(search_filter, ColumnFilter))


Matches = list[tuple[Any, int, set[int]]]  # per segment: leaf searcher, its first document number, documents


def segment_matches(searcher: Any, parsed: query.Query, search_filter: ColumnFilter | None) -> Matches:
    """Per segment (leaf searcher, first document number), the documents the query matches that pass the
    filter: read from posting blocks, which costs far less than walking the scoring matchers."""
    found = []
    for leaf, offset in searcher.leaf_searchers():
        docs = matching_docs(parsed, leaf)
        if docs and search_filter is not None:
            docs = search_filter.restrict(leaf.reader(), docs)
        found.append((leaf, offset, docs))
    return found


def _date_order(matches: Matches, newest: bool, limit: int) -> list[int]:
    """The first ``limit`` matches by date, undated last either way; ties keep index order, as Whoosh's
    sort does. Each segment's dates are read once per open searcher, as one array."""
    first: list[tuple[int, int]] = []
    for leaf, offset, docs in matches:
        keys = date_keys(leaf.reader(), newest)
        earliest = heapq.nsmallest(limit, sorted(docs), key=keys.__getitem__)
        first += [(keys[docnum], docnum + offset) for docnum in earliest]
    return [number for _, number in sorted(first)[:limit]]


def _relevance(searcher: Any, parsed: query.Query, docnums: list[int]) -> dict[int, float]:
    """Relevance scores of a few documents (date-sorted hits), from matchers built only in the segments that
    hold them and skipped straight to them: scoring every match, or building matchers in every segment,
    cost more than the sorting."""
    scores: dict[int, float] = {}
    context = searcher.context()
    wanted = sorted(docnums)
    for leaf, offset in searcher.leaf_searchers():
        end = offset + leaf.doc_count_all()
        inside = [docnum - offset for docnum in wanted if offset <= docnum < end]
        if not inside:
            continue
        matcher = parsed.matcher(leaf, context)
        for docnum in inside:
            if matcher.is_active() and matcher.id() < docnum:
                matcher.skip_to(docnum)
            if not matcher.is_active():
                break
            if matcher.id() == docnum:
                scores[docnum + offset] = matcher.score()
    return scores


def _by_relevance(searcher: Any, parsed: query.Query, search_filter: Any, limit: int) -> Any:
    """Whoosh's ranked search with every match scored and counted.

    Whoosh's top-k search stops looking at a field that can no longer lift a document onto a full page (it
    "replaces" matchers every few matches), and then counted fewer documents than match: 882 of 1,802 for
    a common word at 5,000 pages, even with block skipping off. Without the replacing, the count is exact
    and the hits are the same."""
    collector: Any
    if isinstance(search_filter, ColumnFilter):
        collector = ColumnTopCollector(search_filter, limit=limit, usequality=False, replace=0)
    else:
        collector = TopCollector(limit=limit, usequality=False, replace=0)
        if search_filter is not None:
            collector = FilterCollector(collector, allow=search_filter)
    with _executable():
        searcher.search_with_collector(parsed, collector)
    return collector.results()


def run_search(ix: whoosh_index.Index, request: SearchRequest, searcher: Any = None) -> SearchPage:
    """Search an open index; the core of both the CLI and the page.

    A long-running caller (the web page) may pass a searcher it keeps open; opening one reads the segments'
    term indexes, which is a good part of a warm query's time.
    """
    with nullcontext(searcher) if searcher is not None else ix.searcher(weighting=relevance()) as searcher:
        schema, reader = searcher.schema, searcher.reader()
        parsed = pruned_query(request, ix, schema)
        remember_terms(reader)
        limit = request.page * request.page_size
        first = (request.page - 1) * request.page_size
        search_filter = build_filter(request, reader)
        if request.sort != "relevance" and by_column(searcher, search_filter):
            matches = segment_matches(searcher, parsed, search_filter)
            total = sum(len(docs) for _, _, docs in matches)
            shown = _date_order(matches, request.sort == "newest", limit)[first:limit]
            scores = _relevance(searcher, parsed, shown) if request.scores else None
        else:
            if request.sort == "relevance":
                results = _by_relevance(searcher, parsed, search_filter, limit)
            else:  # an index without the date column (written before schema 2): Whoosh's own sort
                results = _run(searcher, parsed, limit=limit, filter=search_filter, sortedby=_sort_facet(request))
            total = len(results)
            shown = [hit.docnum for hit in results[first:limit]]
            scores = {hit.docnum: hit.score for hit in results[first:limit]}
            if request.sort != "relevance":
                scores = _relevance(searcher, parsed, shown) if request.scores else None
        matchers = query_matchers(reader, schema, parsed, index_folder(ix)) if shown else []
        searched = searched_fields(parsed)
        hits = []
        for docnum in shown:
            stored = document_fields(reader, docnum)
            hits.append(
                Hit(
                    id=stored["id"],
                    kind=stored["kind"],
                    path=stored["path"],
                    root=stored.get("root", ""),
                    article_id=stored["article_id"],
                    title=stored.get("title"),
                    author=stored.get("author"),
                    article_title=stored.get("article_title"),
                    date=stored.get("date"),
                    date_source=stored.get("date_source", "none"),
                    score=None if scores is None else float(scores.get(docnum) or 0.0),
                    snippet=_snippet(stored, matchers, searched),
                )
            )
        suggestion = None
        if not total:

            def finds(text: str) -> bool:
                return bool(_run(searcher, parse_query(text, schema), limit=1, filter=search_filter))

            words = archive_words(ix)
            frequency = document_frequency(words, reader, schema["body"].analyzer, TEXT_FIELDS)
            suggestion = suggest(request.query.translate(_QUOTES), words, frequency, finds)
    return SearchPage(
        request=request, total=total, hits=tuple(hits), suggestion=suggestion, ignored=ignored_words(request.query)
    )


def ignored_words(text: str) -> tuple[str, ...]:
    """The words of a query that are not searched because German text is full of them (stop words such as
    ``die`` or ``würde``): a query of only such words finds nothing, and the reader should be told why."""
    found: list[str] = []
    for word in TOKEN_PATTERN.findall(text):
        if word not in _OPERATOR_WORDS and normalise(word) in STOP_WORDS and word not in found:
            found.append(word)
    return tuple(found)


def search(index_dir: Path, request: SearchRequest) -> SearchPage:
    """Open the index at ``index_dir`` and run one search."""
    return run_search(open_index(index_dir), request)


def hit_to_json(hit: Hit, segments_to_text: Any) -> dict[str, Any]:
    """A hit in the documented JSON contract."""
    when = hit.day
    return {
        "id": hit.id,
        "kind": hit.kind,
        "path": hit.path,
        "root": hit.root,
        "article_id": hit.article_id,
        "title": hit.title,
        "author": hit.author,
        "date": when.isoformat() if when is not None else None,
        "date_source": hit.date_source,
        "score": None if hit.score is None else round(hit.score, 4),
        "snippet": segments_to_text(hit.snippet),
    }


def page_to_json(page: SearchPage, segments_to_text: Any) -> dict[str, Any]:
    """A results page in the documented JSON contract (the same for the CLI and ``/api/search``)."""
    return {
        "query": page.request.query,
        "total": page.total,
        "page": page.request.page,
        "hits": [hit_to_json(hit, segments_to_text) for hit in page.hits],
        "suggestion": page.suggestion,
        "ignored": list(page.ignored),
    }
