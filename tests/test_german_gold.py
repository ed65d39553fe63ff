"""The German analysis measured on the gold cases of ``../shared/german-gold.tsv`` (see
``shared/research/german-analysis.md``). Each test prints its figure and fails when it drops below the bar."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from newssearch import decompound
from newssearch.analysis import german_analyzer, normalise
from newssearch.index import update_index
from newssearch.search import SearchRequest, search

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "german-gold.tsv"
CORPUS = SHARED / "corpus" / "fang-covid" / "articles.jsonl.gz"
DISTRACTORS = 60

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not GOLD.is_file(), reason=f"gold cases not found: {GOLD} (../shared beside the repository)"),
]


def gold(*categories: str) -> list[dict[str, str]]:
    with GOLD.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["category"] in categories]


def term(word: str) -> str:
    """The query-mode term of one word (the form every comparison below is made in)."""
    terms = [t.text for t in german_analyzer()(word, mode="query", removestops=False)]
    return terms[0] if len(terms) == 1 else " ".join(terms)


def extra_terms(word: str) -> set[str]:
    """What index mode adds to a word beyond its own term: compound parts and hyphen pieces."""
    whole = term(normalise(word).replace("-", ""))
    return {t.text for t in german_analyzer()(word, mode="index", removestops=False)} - {whole}


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(f"\n[german gold] {line}")


def test_gold_decompounding_f1_and_false_splits(capsys: pytest.CaptureFixture[str]) -> None:
    """Parts are compared as terms (so Verteidigungs- counts as Verteidigung); ``ok_extra`` parts and
    sub-compounds made of expected parts (Verfassungsgericht) are not errors."""
    found = wrong = missed = 0
    misses: list[str] = []
    for row in gold("compound"):
        expected = {term(part) for part in row["expected"].split("+")}
        allowed = expected | {term(part) for part in row["ok_extra"].split(",") if part}
        predicted = extra_terms(row["item"])
        subcompounds = {
            term(part)
            for part in decompound.split(normalise(row["item"]).replace("-", ""))
            if len(decompound.split(part)) > 1 and {term(sub) for sub in decompound.split(part)} <= allowed
        }
        extra = predicted - allowed - subcompounds
        found += len(expected & predicted)
        missed += len(expected - predicted)
        wrong += len(extra)
        if extra or expected - predicted:
            misses.append(f"{row['item']}: missing {sorted(expected - predicted)}, extra {sorted(extra)}")
    precision = found / (found + wrong)
    recall = found / (found + missed)
    f1 = 2 * precision * recall / (precision + recall)
    noncompounds = gold("noncompound")
    split = [row["item"] for row in noncompounds if extra_terms(row["item"])]
    false_splits = len(split) / len(noncompounds)
    report(capsys, f"decompounding P {precision:.3f} R {recall:.3f} F1 {f1:.3f}; "
                   f"false splits {len(split)}/{len(noncompounds)} = {false_splits:.3f} {split}; misses {misses}")
    assert f1 >= 0.93, misses
    assert false_splits <= 0.08, split


def pair_rate(category: str) -> tuple[float, list[str]]:
    rows = gold(category)
    merged = [f"{row['item']}/{row['expected']}" for row in rows if term(row["item"]) == term(row["expected"])]
    return len(merged) / len(rows), merged


def test_gold_inflection_pairs_conflated(capsys: pytest.CaptureFixture[str]) -> None:
    rate, merged = pair_rate("inflect")
    rows = gold("inflect")
    apart = [f"{row['item']}/{row['expected']}" for row in rows if f"{row['item']}/{row['expected']}" not in merged]
    report(capsys, f"inflection pairs conflated {rate:.3f} ({len(merged)}/{len(rows)}); apart: {apart}")
    assert rate >= 0.95, apart


def test_gold_transliterations_all_conflated(capsys: pytest.CaptureFixture[str]) -> None:
    rate, merged = pair_rate("translit")
    report(capsys, f"transliteration pairs conflated {rate:.3f} ({len(merged)}/{len(gold('translit'))})")
    assert rate == 1.0


def test_gold_must_not_conflate_pairs_mostly_apart(capsys: pytest.CaptureFixture[str]) -> None:
    rate, merged = pair_rate("nonconflate")
    report(capsys, f"must-not-conflate pairs merged {rate:.3f} {merged}")
    assert rate <= 0.20, merged


@pytest.fixture(scope="module")
def gold_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """One index: a page per distinct gold document (query and typo cases) among real news distractors."""
    root = tmp_path_factory.mktemp("gold")
    archive = root / "archiv"
    archive.mkdir()
    texts: dict[str, str] = {}
    for row in gold("query_pos", "query_neg", "query_rank"):
        for text in row["expected"].split(">>"):
            texts.setdefault(text, f"gold-{len(texts):03d}.txt")
    for row in gold("typo"):
        text = f"Die Meldung nennt das Wort {row['expected']} gleich zweimal: {row['expected']}."
        texts.setdefault(text, f"gold-{len(texts):03d}.txt")
    for text, name in texts.items():
        (archive / name).write_text(f"Meldung {name[5:8]}\n\nNachrichten\n\n{text}\n", encoding="utf-8")
    if CORPUS.is_file():
        import gzip
        import json

        with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
            for number, line in zip(range(DISTRACTORS), handle):
                article = json.loads(line)
                body = "\n\n".join(part for part in article["text"].split("\n")[:6] if part.strip())
                (archive / f"news-{number:03d}.txt").write_text(
                    f"{article['title']}\n\n{article.get('source') or 'Agentur'}\n\n{body}\n", encoding="utf-8"
                )
    update_index(root / "index", [archive])
    return root / "index", texts


def test_gold_query_cases_in_a_real_index(
    gold_index: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """query_pos: the page is found; query_neg: it is not; query_rank: A ranks above B. A trailing ``~``
    (Whoosh's fuzzy syntax in the research) is our fuzzy search."""
    index_dir, pages = gold_index
    failed: list[str] = []
    rows = gold("query_pos", "query_neg", "query_rank")
    for row in rows:
        text = row["item"]
        result = search(index_dir, SearchRequest(query=text.rstrip("~"), fuzzy=text.endswith("~"), page_size=100))
        found = [hit.path for hit in result.hits]
        if row["category"] == "query_pos":
            ok = pages[row["expected"]] in found
        elif row["category"] == "query_neg":
            ok = pages[row["expected"]] not in found
        else:
            first, second = (pages[text] for text in row["expected"].split(">>"))
            ok = first in found and second in found and found.index(first) < found.index(second)
        if not ok:
            failed.append(f"{row['category']} {text!r} → {row['expected']!r}")
    report(capsys, f"query cases passed {len(rows) - len(failed)}/{len(rows)}; failed: {failed}")
    assert not failed


def test_gold_typos_get_the_right_suggestion(
    gold_index: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir, _ = gold_index
    rows = gold("typo")
    wrong: list[str] = []
    for row in rows:
        result = search(index_dir, SearchRequest(query=row["item"]))
        if result.total or result.suggestion != row["expected"]:
            wrong.append(f"{row['item']} → {result.suggestion} (expected {row['expected']})")
        fuzzy = search(index_dir, SearchRequest(query=row["item"], fuzzy=True))
        if not fuzzy.total:
            wrong.append(f"{row['item']} --fuzzy found nothing")
    report(capsys, f"typos suggested right {len(rows) - len(wrong)}/{len(rows)}; wrong: {wrong}")
    assert not wrong
