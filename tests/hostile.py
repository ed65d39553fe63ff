"""A corpus generator for pages that break naive parsers, written beside good pages into one archive."""

from __future__ import annotations

import os
import random
from pathlib import Path

from conftest import page_text


def write_hostile_archive(root: Path, seed: int = 3) -> tuple[dict[str, str], list[str]]:
    """Write hostile files and good pages below ``root``.

    Returns (hostile relpath → what it is, words each good page can be found by).
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    hostile: dict[str, str] = {}

    def put(relpath: str, data: bytes, what: str) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        hostile[relpath] = what

    put("zufall.txt", bytes(rng.randrange(256) for _ in range(20000)), "random bytes")
    put("leer.txt", b"", "empty file")
    put("nur-leerzeilen.txt", b"\n\r\n  \t\n", "only blank lines")
    with open(root / "riesig.txt", "wb") as handle:  # 50 MB without writing 50 MB of data
        handle.truncate(50 * 1024 * 1024)
    hostile["riesig.txt"] = "50 MB page"
    line = ("Lange Zeile über die Ostseeküste und den Hafenausbau ohne Zeilenumbruch " * 14000)[: 1024 * 1024]
    put("eine-zeile.txt", (page_text("Eine sehr lange Zeile", line)).encode("utf-8"), "single line of 1 MB")
    put("unmoegliche-daten.txt", page_text(
        "Leserbriefe zum Hafenfest", "Der Hafen feiert.",
        comments="Leser Eins 31.02.22 10:00\nSchönes Fest!\nLeser Zwei 12.02.22 25:61\nZu laut.\n",
    ).encode("utf-8"), "comment headers with impossible dates")
    put("kopf-im-text.txt", page_text(
        "Protokoll der Ratssitzung", "Der Protokollant notierte:\n\nBürgermeister Kunz 12.03.22 10:00\n\nDann ging es los.",
        comments="Anwohnerin 13.03.22 09:00\nDanke für den Bericht.\n",
    ).encode("utf-8"), "comment header inside body text")
    put("nur-baustein.txt", (
        "Überzeugen Sie sich von unserem Online-Abo:\nDie Druckausgabe als PDF.\nPflichtfelder\n"
    ).encode("utf-8"), "only boilerplate")
    put("gemischt.txt", "Gemischte Kodierung im Stadtrat\n\nKöpfe rollen im Rathaus.\n".encode("utf-8")
        + "Grüße an die Fraktion, sagte die Bürgermeisterin.\n".encode("cp1252"), "mixed encodings in one file")
    put("steuerzeichen.txt", page_text("Steuerzeichen\x07 im Titel", "Der Text\x1b[31m enthält\x0b Steuerzeichen.")
        .encode("utf-8"), "control characters")
    put("nullbytes.txt", page_text("Nullbytes im Deichbericht", "Der Deich\x00 hält dem\x00 Sturm stand.")
        .encode("utf-8"), "NUL bytes inside text")
    (root / "schleife").mkdir()
    os.symlink("..", root / "schleife" / "zurueck")
    hostile["schleife/zurueck"] = "folder symlink loop"
    os.symlink("selbst.txt", root / "selbst.txt")
    hostile["selbst.txt"] = "file symlink loop"
    os.mkfifo(root / "rohr.txt")
    hostile["rohr.txt"] = "named pipe"
    latin1_name = os.fsencode(root) + b"/Gr\xfc\xdfe-aus-L\xfcbeck.txt"
    with open(latin1_name, "wb") as handle:
        handle.write(page_text("Grüße aus Lübeck", "Der Holstentorplatz wird umgebaut.").encode("utf-8"))
    hostile["Grüße-aus-Lübeck.txt"] = "file name in Latin-1"
    words = []
    for number, (title, body, word) in enumerate([
        ("Neue Fähre für Laboe", "Die Fähre pendelt künftig stündlich zwischen Laboe und Kiel.", "Fähre"),
        ("Deichverstärkung beginnt", "Am Deich bei Dahme rollen die Bagger.", "Deichverstärkung"),
        ("Kutterhafen bekommt Strom", "Die Fischkutter können jetzt Landstrom tanken.", "Landstrom"),
    ]):
        path = root / "gut" / f"2022-05-0{number + 1}_gut.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(page_text(title, body), encoding="utf-8")
        words.append(word)
    return hostile, words
