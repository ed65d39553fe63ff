"""click in German: its usage errors and the frame of ``--help`` (headings, usage line, default notes).

click prints these in English whatever the locale; the command's own texts are German, so a user would
otherwise read two languages in one help screen. Anything not listed here is shown as click says it.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import click

_HEADINGS = {"Options": "Optionen", "Commands": "Befehle", "Arguments": "Argumente"}
_NOTES = (("[default: ", "[Vorgabe: "), ("[required]", "[Pflicht]"), ("; default: ", "; Vorgabe: "))
HELP_OPTION_TEXT = "Diese Hilfe zeigen und beenden."
VERSION_OPTION_TEXT = "Die Version zeigen und beenden."

_DETAILS = [
    (re.compile(r"'(?P<value>.*)' is not one of (?P<choices>.+)\.$"), "„{value}“ ist keiner der Werte {choices}."),
    (re.compile(r"(?P<value>.+) is not in the range (?P<range>.+)\.$"), "{value} liegt nicht im Bereich {range}."),
    (re.compile(r"'(?P<value>.*)' is not a valid (integer|float)( range)?\.$"), "„{value}“ ist keine Zahl."),
    (re.compile(r"Directory '(?P<path>.*)' does not exist\.$"), "den Ordner „{path}“ gibt es nicht."),
    (re.compile(r"Directory '(?P<path>.*)' is a file\.$"), "„{path}“ ist eine Datei, kein Ordner."),
    (re.compile(r"Directory '(?P<path>.*)' is not readable\.$"), "der Ordner „{path}“ ist nicht lesbar."),
]
_MESSAGES = [
    (re.compile(r"Invalid value for (?P<param>.+?): (?P<detail>.+)$"), "ungültiger Wert für {param}: {detail}"),
    (re.compile(r"Missing argument '(?P<name>.+)'\.$"), "das Argument {name} fehlt."),
    (re.compile(r"Missing option '(?P<name>.+)'\.$"), "die Option {name} fehlt."),
    (re.compile(r"Option '(?P<name>.+)' requires an argument\.$"), "die Option {name} braucht einen Wert."),
    (re.compile(r"No such option '(?P<name>[^']+)'\. \(?Did you mean (one of: )?(?P<near>.+?)\?\)?$"),
     "die Option {name} gibt es nicht (gemeint: {near}?)."),
    (re.compile(r"No such option '(?P<name>[^']+)'\.$"), "die Option {name} gibt es nicht."),
    (re.compile(r"No such command '(?P<name>[^']+)'\. Did you mean '(?P<near>.+)'\?$"),
     "den Befehl {name} gibt es nicht (gemeint: {near}?)."),
    (re.compile(r"No such command '(?P<name>[^']+)'\.$"), "den Befehl {name} gibt es nicht."),
    (re.compile(r"Got unexpected extra arguments? \((?P<extra>.+)\)$"), "unerwartete Angabe: {extra}"),
]


def german_usage_message(message: str) -> str:
    """A click usage error in German."""
    for pattern, template in _MESSAGES:
        match = pattern.match(message)
        if match:
            parts = match.groupdict()
            if "detail" in parts:
                parts["detail"] = _german_detail(parts["detail"])
            return template.format(**parts)
    return message


def _german_detail(detail: str) -> str:
    for pattern, template in _DETAILS:
        match = pattern.match(detail)
        if match:
            return template.format(**match.groupdict())
    return detail


class GermanHelpFormatter(click.HelpFormatter):
    """click's help formatter with German headings, usage line and notes."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Aufruf: " if prefix is None else prefix)

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        with super().section(_HEADINGS.get(name, name)):
            yield

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _german_notes(text)) for term, text in rows], col_max, col_spacing)


def _german_notes(text: str) -> str:
    for english, german in _NOTES:
        text = text.replace(english, german)
    return text


class GermanContext(click.Context):
    formatter_class = GermanHelpFormatter


class GermanCommand(click.Command):
    """A command whose help is German throughout."""

    context_class = GermanContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIONEN]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _german_help_option(super().get_help_option(ctx))


class GermanGroup(click.Group):
    """A group whose help and whose commands' help are German throughout."""

    context_class = GermanContext
    command_class = GermanCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIONEN]")
        kwargs.setdefault("subcommand_metavar", "BEFEHL [ARGUMENTE]...")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _german_help_option(super().get_help_option(ctx))


def _german_help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = HELP_OPTION_TEXT
    return option
