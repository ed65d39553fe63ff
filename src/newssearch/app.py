"""The search page: a Flask app factory, its routes and the edge where errors become German pages.

Everything a search needs is in the URL (bookmarkable, shareable); the page works without JavaScript.
The index is opened once and reopened when an indexing run committed a new generation, so an update shows
without a restart.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from newssearch import __version__
from newssearch.articles import paragraphs
from newssearch.backend import Marker, SearchBackend, open_backend
from newssearch.config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, default_index_dir, web_dir
from newssearch.dates import german_date, parse_bound
from newssearch.errors import IndexMissingError, QueryError
from newssearch.facets import Facets
from newssearch.search import MAX_QUERY_CHARS, Hit, SearchPage, SearchRequest, page_to_json
from newssearch.snippets import Segment, to_html

MAX_PAGE = 1000
KIND_LABELS = {"all": "Alle", "article": "Artikel", "comment": "Kommentare"}
SORT_LABELS = {"relevance": "Relevanz", "newest": "Neueste zuerst", "oldest": "Älteste zuerst"}
DATE_SOURCE_NOTES = {
    "page": "Datum laut Datumszeile der Seite",
    "path": "Datum aus dem Dateipfad der Seite",
    "comments": "Datum aus dem frühesten Leserkommentar erschlossen",
    "none": "ohne Datum",
}
_TRUE = {"1", "on", "true", "ja"}
# Control characters (a NUL in the URL) are never part of a search; they would be echoed into the page.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

log = logging.getLogger(__name__)
bp = Blueprint("search", __name__)


def get_backend() -> SearchBackend:
    """The engine behind the page; one per app, shared by the server's threads, current with the last commit."""
    backends: dict[str, SearchBackend] = current_app.extensions["newssearch.backends"]
    folder = str(current_app.config["INDEX_DIR"])
    if folder not in backends:
        backends[folder] = open_backend(Path(folder))
    return backends[folder]


@dataclass(frozen=True)
class SearchForm:
    """The search parameters as submitted, to fill the form and build links; validated by ``to_request``."""

    q: str = ""
    date_from: str = ""
    date_to: str = ""
    kind: str = "all"
    sort: str = "relevance"
    fuzzy: bool = False
    page: str = "1"
    limit: str = ""

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> SearchForm:
        """Read the URL's parameters; long values are clipped so an error page never echoes megabytes."""
        def arg(name: str, default: str = "", size: int = 40) -> str:
            return _CONTROL.sub("", args.get(name) or default).strip()[:size]

        return cls(
            q=_CONTROL.sub("", args.get("q") or "")[: MAX_QUERY_CHARS + 1],
            date_from=arg("from"),
            date_to=arg("to"),
            kind=arg("kind", "all"),
            sort=arg("sort", "relevance"),
            fuzzy=arg("fuzzy").lower() in _TRUE,
            page=arg("page", "1"),
            limit=arg("limit"),
        )

    def to_request(self, page_size: int) -> SearchRequest | None:
        """The validated ``SearchRequest``, or None when no query was typed; ``QueryError`` in German otherwise."""
        if self.kind not in KIND_LABELS:
            raise QueryError(f"„{self.kind}“ ist keine Art: Alle, Artikel oder Kommentare")
        if self.sort not in SORT_LABELS:
            raise QueryError(f"„{self.sort}“ ist keine Sortierung: Relevanz, Neueste zuerst oder Älteste zuerst")
        page = _bounded_int(self.page, "Seite", 1, MAX_PAGE)
        size = _bounded_int(self.limit, "Treffer pro Seite", 1, MAX_PAGE_SIZE) if self.limit else page_size
        date_from = parse_bound(self.date_from, end=False, option="von") if self.date_from else None
        date_to = parse_bound(self.date_to, end=True, option="bis") if self.date_to else None
        if date_from and date_to and date_from > date_to:
            raise QueryError("„von“ liegt nach „bis“: der Zeitraum ist leer")
        if not self.q.strip():
            return None
        return SearchRequest(
            query=self.q, date_from=date_from, date_to=date_to, kind=self.kind, sort=self.sort,
            page=page, page_size=size, fuzzy=self.fuzzy,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """URL parameters of this search with ``changes`` applied; defaults are left out to keep links short."""
        form = replace(self, **changes)
        values = {
            "q": form.q,
            "from": form.date_from,
            "to": form.date_to,
            "kind": "" if form.kind == "all" else form.kind,
            "sort": "" if form.sort == "relevance" else form.sort,
            "fuzzy": "1" if form.fuzzy else "",
            "page": "" if form.page == "1" else form.page,
            "limit": form.limit,
        }
        return {name: value for name, value in values.items() if value}


def _usable_limit(limit: str) -> bool:
    return not limit or (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_PAGE_SIZE)


def _bounded_int(value: str, label: str, low: int, high: int) -> int:
    # Plain digits only: Python's int() would also take "1_0" and full-width digits.
    number = int(value) if value.isascii() and value.isdigit() else low - 1
    if not low <= number <= high:
        raise QueryError(f"{label}: „{value}“ ist keine Zahl von {low} bis {high}")
    return number


def page_numbers(current: int, count: int) -> list[int | None]:
    """Page links to show: the first, the last and two on each side of the current; None marks a gap."""
    shown = sorted({1, count, *range(max(1, current - 2), min(count, current + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def _page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


def _render_search(form: SearchForm, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template("search.html", form=form, **context), status


def _search(search_request: SearchRequest, with_facets: bool = True) -> tuple[SearchPage, Facets | None]:
    """Results and, for the page, facets computed under the same query and filters."""
    backend = get_backend()
    results = backend.search(search_request)
    return results, backend.facets(search_request) if with_facets else None


@bp.get("/")
def index() -> Any:
    """The search page: the form, and for a query its results, facets and date histogram."""
    form = SearchForm.from_args(request.args)
    try:
        search_request = form.to_request(_page_size())
        if search_request is None:
            return _render_search(form, counts=get_backend().counts())
        results, facets = _search(replace(search_request, scores=False))  # the page shows no scores
    except QueryError as error:
        # A limit the page cannot use is not carried on in the form's hidden field: the next search works.
        kept = form if _usable_limit(form.limit) else replace(form, limit="")
        return _render_search(kept, 400, error=str(error))
    return _render_search(
        form,
        results=results,
        facets=facets,
        first=(search_request.page - 1) * search_request.page_size + 1,
        pages=page_numbers(search_request.page, results.page_count),
    )


@bp.get("/api/search")
def api_search() -> Any:
    """The JSON of ``newssearch query --json`` for the same parameters."""
    form = SearchForm.from_args(request.args)
    try:
        search_request = form.to_request(_page_size())
        if search_request is None:
            raise QueryError("Suchanfrage ist leer")
        results, _ = _search(search_request, with_facets=False)
    except QueryError as error:
        return jsonify(error=str(error)), 400
    found = page_to_json(results, to_html)
    for hit in found["hits"]:
        hit["root"] = Path(hit["root"]).name  # the folder's name: the server's own paths stay private
    return jsonify(found)


@bp.get("/artikel/<article_id>")
def article(article_id: str) -> Any:
    """One article with its comments; the words of ``q`` are marked."""
    form = SearchForm.from_args(request.args)
    backend = get_backend()
    found = backend.article(article_id)
    if found is None:
        abort(404, "Diesen Artikel gibt es im Archiv nicht (mehr).")
    try:
        search_request = replace(form, date_from="", date_to="", page="1", limit="").to_request(_page_size())
    except QueryError:
        search_request = None  # a query that cannot be read marks nothing; the article is still worth showing
    return render_template("article.html", form=form, article=found, marker=backend.marker(search_request))


def marked(text: str | None, marker: Marker, field: str, lead_in: str = "") -> Markup:
    """A stored text as escaped HTML paragraphs, the current query's words in ``<mark>``.

    ``lead_in`` (a lead's dateline places) opens the first paragraph in bold, as the printed page has it.
    """
    inner = [
        Markup("<br>\n").join(Markup(to_html(marker(line, field))) for line in lines)
        for lines in paragraphs(text or "")
    ]
    if lead_in and inner:
        inner[0] = Markup('<strong class="places">{}:</strong> ').format(marked_inline(lead_in, marker, "places")) + inner[0]
    return Markup("\n").join(Markup("<p>{}</p>").format(paragraph) for paragraph in inner)


def marked_inline(text: str | None, marker: Marker, field: str) -> Markup:
    """A short stored text (a title) escaped, with the current query's words in ``<mark>``."""
    return Markup(to_html(marker(text or "", field)))


def snippet_html(segments: tuple[Segment, ...]) -> Markup:
    """A hit's snippet as HTML: ``to_html`` escapes the text and wraps matched words in ``<mark>``."""
    return Markup(to_html(segments))


def hit_url(hit: Hit, form: SearchForm) -> str:
    """Where a hit leads: its article view, at the comment's place for a comment. The search's parameters go
    along, so that the article's back link returns to the same list (filters, order, page)."""
    url = _with_query(url_for("search.article", article_id=hit.article_id), form.params())
    if hit.kind == "comment" and hit.id.startswith(hit.article_id + "-"):
        url += "#" + hit.id[len(hit.article_id) + 1 :]
    return url


def search_url(form: SearchForm, **changes: Any) -> str:
    """A link to this search with some parameters changed (any change but the page starts at page 1)."""
    changes.setdefault("page", "1")
    return _with_query(url_for("search.index"), form.params(**changes))


def _with_query(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def when(moment: datetime | None, with_time: bool = False) -> Markup:
    """A ``<time>`` element with the German date, or ``ohne Datum``."""
    if moment is None:
        return Markup("ohne Datum")
    machine = moment.isoformat(timespec="minutes") if with_time else moment.date().isoformat()
    return Markup('<time datetime="{}">{}</time>').format(machine, german_date(moment, with_time=with_time))


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _index_missing(error: IndexMissingError) -> Any:
    log.error("%s", error)
    message = "Der Suchindex ist gerade nicht verfügbar."
    if _wants_json():
        return jsonify(error=message), 503
    return render_template("error.html", status=503, title="Suche nicht verfügbar", message=message, missing=True), 503


ERROR_TITLES = {
    400: "Ungültige Anfrage",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    500: "Interner Fehler",
}
ERROR_MESSAGES = {
    400: "Die Anfrage konnte nicht verstanden werden.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Seite kann nur gelesen werden.",
    500: "Bei der Suche ist ein Fehler aufgetreten.",
}


def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    own = error.description and error.description != type(error).description  # ours are German, Werkzeug's not
    message = error.description if own else ERROR_MESSAGES.get(status, "Die Anfrage ging schief.")
    if _wants_json():
        return jsonify(error=message), status
    title = ERROR_TITLES.get(status, "Fehler")
    return render_template("error.html", status=status, title=title, message=message), status


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``NEWSSEARCH_*`` environment variables, then ``test_config``."""
    folder = web_dir()
    app = Flask(__name__, template_folder=str(folder / "templates"), static_folder=str(folder / "static"))
    app.config.from_mapping(INDEX_DIR=str(default_index_dir()), PAGE_SIZE=DEFAULT_PAGE_SIZE)
    app.config.from_prefixed_env("NEWSSEARCH")
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # the same bytes as ``query --json``
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["newssearch.backends"] = {}
    app.url_map.merge_slashes = False  # "//" is no page: a German 404, not Werkzeug's English redirect page
    app.register_blueprint(bp)
    app.after_request(_security_headers)
    app.register_error_handler(IndexMissingError, _index_missing)
    app.register_error_handler(HTTPException, _http_error)
    app.jinja_env.globals.update(
        version=__version__,
        kind_labels=KIND_LABELS,
        sort_labels=SORT_LABELS,
        date_source_notes=DATE_SOURCE_NOTES,
        hit_url=hit_url,
        search_url=search_url,
        when=when,
    )
    app.jinja_env.filters.update(marked=marked, marked_inline=marked_inline, snippet=snippet_html)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    return app

