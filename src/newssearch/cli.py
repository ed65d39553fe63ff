"""The ``newssearch`` command: validates options, calls the core, formats results, maps errors to exit codes.

Exit codes: 0 success (``query``: with hits), 1 ``query`` without hits, 2 usage error, missing index or
unreadable query/date, 3 ``index`` finished but skipped pages. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from newssearch import __version__
from newssearch.config import DEFAULT_GLOB, DEFAULT_PAGE_SIZE, INDEX_ENV, MAX_PAGE_SIZE, default_index_dir
from newssearch.dates import german_date, parse_bound
from newssearch.errors import NewssearchError

EXIT_NO_HITS = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 3
DATE_SOURCES = {
    "page": "Datum von der Seite",
    "path": "Datum aus dem Dateipfad",
    "comments": "Datum aus den Kommentaren erschlossen",
    "none": "ohne Datum",
}
KIND_NAMES = {"article": "Artikel", "comment": "Kommentar"}


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"newssearch: {message}", err=True)
    sys.exit(code)


class NewssearchGroup(click.Group):
    """A click group whose errors are one line on stderr with our exit codes, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.ClickException as error:
            _fail(error.format_message(), EXIT_USAGE)
        except click.Abort:
            _fail("abgebrochen", 130)
        except NewssearchError as error:
            _fail(str(error), EXIT_USAGE)
        except KeyboardInterrupt:
            _fail("abgebrochen", 130)
        sys.exit(code or 0)


index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Index-Ordner (Vorgabe: ${INDEX_ENV} oder ./index).",
)


@click.group(cls=NewssearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newssearch")
def cli() -> None:
    """Volltextsuche für deutsche Nachrichtenarchive: Artikel und Leserkommentare."""


@cli.command("index")
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@index_option
@click.option("--glob", "pattern", default=DEFAULT_GLOB, show_default=True, help="Welche Dateien Seiten sind.")
@click.option("--quiet", "-q", is_flag=True, help="Nur Fehler und übersprungene Seiten ausgeben.")
def index_command(folders: tuple[Path, ...], index_dir: Path | None, pattern: str, quiet: bool) -> int:
    """Seiten unter FOLDERS lesen und in den Index schreiben (geänderte Seiten werden ersetzt)."""
    from newssearch.index import update_index

    target = index_dir or default_index_dir()
    report = update_index(target, folders, pattern)
    if not quiet:
        click.echo(
            f"{report.added} neu, {report.updated} geändert, {report.removed} entfernt, "
            f"{report.unchanged} unverändert, {len(report.skipped)} übersprungen"
        )
        click.echo(f"Index {target}: {report.articles} Artikel, {report.comments} Kommentare")
    if report.skipped:
        click.echo(f"Übersprungen ({len(report.skipped)}):", err=True)
        for skipped in report.skipped:
            click.echo(f"  {skipped.path}: {skipped.reason}", err=True)
        return EXIT_SKIPPED
    return 0


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _headline(hit: Any) -> str:
    when = german_date(hit.day, with_time=hit.kind == "comment")
    if hit.kind == "comment":
        about = f"Kommentar von {hit.author or 'unbekannt'} zu „{hit.article_title or ''}“"
        if hit.title:
            about += f": {hit.title}"
        return f"{when} · {about}"
    return f"{when} · Artikel · {hit.title or '(ohne Titel)'}"


@cli.command("query")
@click.argument("query_text", metavar="QUERY")
@index_option
@click.option("--from", "date_from", metavar="DATUM", help="Frühestes Datum (2022-01-27, 27.01.2022, 2022-01, 2022).")
@click.option("--to", "date_to", metavar="DATUM", help="Spätestes Datum, einschließlich des ganzen Tags/Monats/Jahrs.")
@click.option("--kind", type=click.Choice(["article", "comment", "all"]), default="all", show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option(
    "--limit", type=click.IntRange(1, MAX_PAGE_SIZE), default=DEFAULT_PAGE_SIZE, show_default=True,
    help="Treffer pro Seite.",
)
@click.option("--page", type=click.IntRange(1, 100_000), default=1, show_default=True)
@click.option("--fuzzy", is_flag=True, help="Auch ähnlich geschriebene Wörter finden (Tippfehler, bis 2 Zeichen).")
@click.option("--json", "as_json", is_flag=True, help="Ein JSON-Objekt ausgeben (siehe README).")
def query_command(
    query_text: str,
    index_dir: Path | None,
    date_from: str | None,
    date_to: str | None,
    kind: str,
    sort: str,
    limit: int,
    page: int,
    fuzzy: bool,
    as_json: bool,
) -> int:
    """Im Index suchen; alle Wörter müssen vorkommen, "Phrasen", OR und NOT gehen auch."""
    from newssearch.search import SearchRequest, page_to_json, search
    from newssearch.snippets import to_ansi, to_html, to_plain

    request = SearchRequest(
        query=query_text,
        date_from=parse_bound(date_from, end=False, option="--from") if date_from else None,
        date_to=parse_bound(date_to, end=True, option="--to") if date_to else None,
        kind=kind,
        sort=sort,
        page=page,
        page_size=limit,
        fuzzy=fuzzy,
    )
    results = search(index_dir or default_index_dir(), request)
    if as_json:
        click.echo(json.dumps(page_to_json(results, to_html), ensure_ascii=False))
        return 0 if results.total else EXIT_NO_HITS
    if not results.total:
        click.echo(f"Keine Treffer für „{query_text}“.")
        if results.suggestion:
            click.echo(f"Meinten Sie „{results.suggestion}“?")
        return EXIT_NO_HITS
    render = to_ansi if _use_color() else to_plain
    click.echo(f"{results.total} Treffer für „{query_text}“ (Seite {page} von {results.page_count})")
    first = (page - 1) * limit
    for rank, hit in enumerate(results.hits, start=first + 1):
        click.echo("")
        click.echo(f"{rank:>3}. {_headline(hit)}")
        click.echo(f"     {hit.path} · {DATE_SOURCES.get(hit.date_source, hit.date_source)}")
        if hit.snippet:
            click.echo(f"     {render(hit.snippet)}")
    return 0


@cli.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse, auf der die Seite lauscht.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def serve_command(index_dir: Path | None, host: str, port: int) -> int:
    """Die Suchseite im Browser anbieten (mit waitress, nicht Flasks Entwicklungsserver)."""
    from waitress import serve

    from newssearch.app import create_app

    app = create_app({"INDEX_DIR": str(index_dir or default_index_dir())})
    click.echo(f"Suchseite: http://{host}:{port}/  (Strg+C beendet)", err=True)
    serve(app, host=host, port=port, threads=4, ident="newssearch")
    return 0


def main() -> None:
    """Entry point of the ``newssearch`` script and ``python -m newssearch``."""
    cli.main(prog_name="newssearch")
