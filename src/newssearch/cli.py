"""The ``newssearch`` command: validates options, calls the core, formats results, maps errors to exit codes.

Exit codes: 0 success (``query``: with hits), 1 ``query`` without hits, 2 usage error, missing index or
unreadable query/date, 3 ``index`` finished but skipped pages. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click

from newssearch import __version__
from newssearch.cli_german import VERSION_OPTION_TEXT, GermanGroup, german_usage_message
from newssearch.config import DEFAULT_GLOB, DEFAULT_PAGE_SIZE, INDEX_ENV, MAX_PAGE_SIZE, default_index_dir
from newssearch.dates import german_date, parse_bound
from newssearch.errors import NewssearchError
from newssearch.index import BATCH_PAGES

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


class NewssearchGroup(GermanGroup):
    """A click group whose errors are one line on stderr with our exit codes, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.ClickException as error:
            _fail(german_usage_message(error.format_message()), EXIT_USAGE)
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
    metavar="ORDNER",
    help=f"Index-Ordner (Vorgabe: ${INDEX_ENV} oder ./index).",
)


@click.group(cls=NewssearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newssearch", help=VERSION_OPTION_TEXT)
def cli() -> None:
    """Volltextsuche für deutsche Nachrichtenarchive: Artikel und Leserkommentare."""


class _Progress:
    """A progress bar on stderr (pages, rate, time left), only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None
        self.shown = 0
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=total, label="Seiten", file=sys.stderr, show_pos=True, show_eta=True,
                item_show_func=lambda _: f"{self.shown / max(time.monotonic() - self.started, 1e-6):.0f} Seiten/s",
            )
            self.bar.__enter__()
        self.bar.update(done - self.shown, done)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@cli.command("index")
@click.argument(
    "folders", nargs=-1, required=True, metavar="ORDNER...",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@index_option
@click.option(
    "--glob", "pattern", default=DEFAULT_GLOB, show_default=True, metavar="MUSTER", help="Welche Dateien Seiten sind."
)
@click.option("--rebuild", is_flag=True, help="Index von Grund auf neu aufbauen (nur mit den angegebenen Ordnern).")
@click.option(
    "--allow-empty", is_flag=True,
    help="Einen Ordner ohne Seiten aus dem Index entfernen (sonst bleiben seine Seiten, z. B. bei nicht eingehängtem Laufwerk).",
)
@click.option(
    "--wait", type=click.FloatRange(0, 86400), default=0, show_default=True, metavar="SEKUNDEN",
    help="So lange warten, wenn ein anderer Vorgang den Index gerade schreibt.",
)
@click.option("--quiet", "-q", is_flag=True, help="Nur Fehler und übersprungene Seiten ausgeben.")
@click.option("--verbose", "-v", is_flag=True, help="Jede neue, geänderte, entfernte Seite nennen.")
@click.option("--json", "as_json", is_flag=True, help="Den Bericht als ein JSON-Objekt ausgeben.")
@click.option(
    "--jobs", "-j", type=click.IntRange(0, 64), default=None, metavar="ANZAHL",
    help="Prozesse, die Seiten lesen, analysieren und schreiben (Vorgabe: einer je Kern; 0 = alles im Hauptprozess).",
)
@click.option("--batch-pages", type=click.IntRange(1), default=BATCH_PAGES, hidden=True)
def index_command(
    folders: tuple[Path, ...],
    index_dir: Path | None,
    pattern: str,
    rebuild: bool,
    allow_empty: bool,
    wait: float,
    quiet: bool,
    verbose: bool,
    as_json: bool,
    jobs: int | None,
    batch_pages: int,
) -> int:
    """Seiten unter ORDNER lesen und in den Index schreiben (nur Geändertes wird neu gelesen).

    Exit-Status: 0 alles indexiert, 3 fertig, aber Seiten übersprungen, 2 Fehler (nichts geändert).
    """
    from newssearch.index import update_index

    target = index_dir or default_index_dir()
    progress = _Progress(enabled=not (quiet or as_json or verbose))

    def event(what: str, path: str) -> None:
        click.echo(f"{what}: {path}", err=True)

    # `kill` ends the run like Ctrl-C: the open batch is cancelled, committed batches stay.
    previous_handler = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        report = update_index(
            target, folders, pattern, progress, rebuild=rebuild, wait=wait, batch_pages=batch_pages,
            events=event if verbose else None, jobs=jobs, allow_empty=allow_empty,
        )
    finally:
        progress.close()
        signal.signal(signal.SIGTERM, previous_handler)
    code = EXIT_SKIPPED if report.skipped else 0
    if as_json:
        summary = {
            "index": str(target), "added": report.added, "updated": report.updated, "removed": report.removed,
            "unchanged": report.unchanged, "articles": report.articles, "comments": report.comments,
            "rebuilt": report.rebuilt,
            "skipped": [{"path": item.path, "reason": item.reason} for item in report.skipped],
        }
        click.echo(json.dumps(summary, ensure_ascii=False))
        _prepare_common_words(report.added + report.updated, jobs, announce=False)
        return code
    if not quiet:
        if report.rebuilt:
            click.echo("Index neu aufgebaut.")
        click.echo(
            f"{report.added} neu, {report.updated} geändert, {report.removed} entfernt, "
            f"{report.unchanged} unverändert, {len(report.skipped)} übersprungen"
        )
        click.echo(f"Index {target}: {report.articles} Artikel, {report.comments} Kommentare")
    if report.skipped:
        click.echo(f"Übersprungen ({len(report.skipped)}):", err=True)
        for skipped in report.skipped:
            click.echo(f"  {skipped.path}: {skipped.reason}", err=True)
    _prepare_common_words(report.added + report.updated, jobs, announce=not quiet)
    return code


def _prepare_common_words(pages: int, jobs: int | None, announce: bool) -> None:
    """After the machine's first large run: work out the common words' analyses and every lemma's other
    forms for the runs to come (``common_words``, ``lemma_forms``); the index is complete already, so a
    failure here only costs later runs time."""
    from newssearch import common_words, lemma_forms
    from newssearch.pipeline import default_jobs

    # Each table: what it holds, and what the count of its entries is a count of.
    names = {common_words: ("Analysen häufiger Wörter", "Wörter"), lemma_forms: ("Wortformen", "Wortformen")}
    steps = [step for step in names if step.should_prepare(pages)]
    if not steps:
        return
    if announce:
        planned = " und ".join(names[step][0] for step in steps)
        click.echo(f"Einmalig: {planned} für künftige Läufe vorbereiten …", err=True)
    workers = default_jobs() if jobs is None else jobs
    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGTERM, _on_sigterm)  # `kill` stops it like Ctrl-C
    stored: list[int] = []
    try:
        for step in steps:
            stored.append(step.prepare(jobs=workers))
    except (OSError, RuntimeError, KeyboardInterrupt, SystemExit) as error:
        # Stopped or failed: the next large run prepares what is missing. A `kill` still ends the command
        # with its status.
        reason = "abgebrochen" if isinstance(error, (KeyboardInterrupt, SystemExit)) else str(error)
        missing = " und ".join(names[step][0] for step in steps[len(stored):])
        click.echo(f"{missing} nicht vorbereitet ({reason}); der Index ist vollständig.", err=True)
        if isinstance(error, SystemExit):
            raise
        return
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
    if announce and any(stored):
        done = " und ".join(f"{count:,} {names[step][1]}".replace(",", ".") for step, count in zip(steps, stored) if count)
        click.echo(f"… {done} in {time.monotonic() - started:.0f} s", err=True)


@cli.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Als JSON-Objekt ausgeben.")
def stats_command(index_dir: Path | None, as_json: bool) -> int:
    """Zeigen, was im Index steht: Dokumente, Zeitraum, Datumsquellen, Ordner, Größe."""
    from newssearch.maintenance import index_stats

    stats = index_stats(index_dir or default_index_dir())
    if as_json:
        data = dict(vars(stats))
        for key in ("first_date", "last_date"):
            data[key] = data[key].isoformat() if data[key] else None
        click.echo(json.dumps(data, ensure_ascii=False))
        return 0
    click.echo(f"Index {stats.index_dir}")
    click.echo(f"  Artikel:     {stats.articles}")
    click.echo(f"  Kommentare:  {stats.comments}")
    click.echo(f"  Zeitraum:    {german_date(stats.first_date)} bis {german_date(stats.last_date)}"
               f" ({stats.undated} Dokumente ohne Datum)")
    sources = ", ".join(f"{DATE_SOURCES.get(name, name)}: {count}" for name, count in sorted(stats.date_sources.items()))
    click.echo(f"  Artikeldaten: {sources or '-'}")
    for root, count in sorted(stats.roots.items()):
        click.echo(f"  Ordner {root}: {count} Artikel")
    click.echo(f"  Größe:       {stats.size_bytes / 1024 / 1024:.1f} MB in {stats.segments} Segment(en)")
    return 0


@cli.command("check")
@index_option
def check_command(index_dir: Path | None) -> int:
    """Den Index prüfen: alle Segmente lesbar, Kommentare verknüpft, Inhalte gleich den Dateien.

    Exit-Status: 0 in Ordnung, 1 Probleme gefunden (aufgelistet).
    """
    from newssearch.maintenance import check_index

    report = check_index(index_dir or default_index_dir())
    groups = [
        ("Beschädigt", report.damaged),
        ("Datei geändert seit dem Indexieren", report.changed),
        ("Datei fehlt", report.missing),
        ("Neu, noch nicht im Index", report.unindexed),
    ]
    for label, items in groups:
        for item in items:
            click.echo(f"{label}: {item}")
    if report.ok and not report.documents:
        click.echo("In Ordnung, aber leer: noch keine Seite im Index ('newssearch index ORDNER' füllt ihn).")
        return 0
    if report.ok:
        click.echo(f"In Ordnung: {report.documents} Dokumente gelesen, alle Seiten aktuell.")
        return 0
    if report.changed or report.missing or report.unindexed:
        click.echo("Hinweis: 'newssearch index ORDNER' bringt den Index auf den Stand der Dateien.", err=True)
    return 1


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
@click.argument("query_text", metavar="ANFRAGE")
@index_option
@click.option("--from", "date_from", metavar="DATUM", help="Frühestes Datum (2022-01-27, 27.01.2022, 27. Januar 2022, 2022-01, Januar 2022, 2022).")
@click.option("--to", "date_to", metavar="DATUM", help="Spätestes Datum, einschließlich des ganzen Tags/Monats/Jahrs.")
@click.option("--kind", type=click.Choice(["article", "comment", "all"]), default="all", show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option(
    "--limit", type=click.IntRange(1, MAX_PAGE_SIZE), default=DEFAULT_PAGE_SIZE, show_default=True, metavar="ANZAHL",
    help="Treffer pro Seite.",
)
@click.option("--page", type=click.IntRange(1, 100_000), default=1, show_default=True, metavar="SEITE")
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
    from newssearch.backend import open_backend
    from newssearch.search import SearchRequest, page_to_json
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
    results = open_backend(index_dir or default_index_dir()).search(request)
    if as_json:
        click.echo(json.dumps(page_to_json(results, to_html), ensure_ascii=False))
        return 0 if results.total else EXIT_NO_HITS
    ignored = f"Nicht gesucht (sehr häufige Wörter): {', '.join(results.ignored)}" if results.ignored else ""
    if not results.total:
        click.echo(f"Keine Treffer für „{query_text}“.")
        if ignored:
            click.echo(ignored)
        if results.suggestion:
            click.echo(f"Meinten Sie „{results.suggestion}“?")
        return EXIT_NO_HITS
    render = to_ansi if _use_color() else to_plain
    if not results.hits:
        pages = "Seite" if results.page_count == 1 else "Seiten"
        click.echo(f"Seite {page} gibt es nicht: {results.total} Treffer für „{query_text}“ passen auf "
                   f"{results.page_count} {pages}.")
        return EXIT_NO_HITS
    click.echo(f"{results.total} Treffer für „{query_text}“ (Seite {page} von {results.page_count})")
    if ignored:
        click.echo(ignored)
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
@click.option(
    "--host", default="127.0.0.1", show_default=True, metavar="ADRESSE", help="Adresse, auf der die Seite lauscht."
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, metavar="PORT")
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
