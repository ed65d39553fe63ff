"""Test archives made from the example archive's own sentences: as many pages as a test needs, reproducibly."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from pathlib import Path

from conftest import EXAMPLES, page_text

from newssearch.documents import parse_page
from newssearch.sources import PageFile, read_page

AUTHORS = ["Hanne Petersen", "Kiebitz", "aurel aurelis", "Jens Moorkamp", "thorsten b.", "Leserin aus Kiel"]


def _sentences() -> list[str]:
    found: list[str] = []
    for path in sorted(EXAMPLES.rglob("*.txt")):
        page = parse_page(read_page(PageFile(root=EXAMPLES, path=path, relpath=path.name)).text)
        text = " ".join(filter(None, [page.article.lead, page.article.body]))
        found += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 30]
    return found


def write_archive(root: Path, pages: int, seed: int = 7) -> list[Path]:
    """Write ``pages`` dated pages with 0–3 comments each below ``root``; returns their paths."""
    rng = random.Random(seed)
    sentences = _sentences()
    written = []
    start = date(2021, 1, 1)
    for number in range(pages):
        day = start + timedelta(days=rng.randrange(900))
        body = "\n\n".join(" ".join(rng.sample(sentences, 3)) for _ in range(4))
        comments = "".join(
            f"{rng.choice(AUTHORS)} {day + timedelta(days=1):%d.%m.%y} {rng.randrange(24):02d}:{rng.randrange(60):02d}\n"
            f"{rng.choice(sentences)}\n"
            for _ in range(rng.randrange(4))
        )
        title = f"Meldung {number}: " + " ".join(rng.choice(sentences).split()[:6])
        path = root / f"{day:%Y}" / f"{day:%Y-%m-%d}_meldung-{number:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page_text(title, body, kicker="Schleswig-Holstein", comments=comments), encoding="utf-8")
        written.append(path)
    return written
