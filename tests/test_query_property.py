"""Property: whatever a user types into the search box, the answer is results or a German one-line error.

Operators, brackets, quotes and field prefixes in any order and case once crashed Whoosh's parser
(``NICHT NICHT Hafen`` gave a traceback and a 500); this keeps such input from ever doing so again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newssearch.errors import QueryError
from newssearch.index import open_index
from newssearch.search import SearchRequest, run_search

PIECES = [
    "Hafen", "Kiel", "Nato-Osterweiterung", "die", "würde", "oder", "AND", "UND", "OR", "ODER", "NOT", "NICHT",
    "ANDNOT", "(", ")", '"', "„", "“", "titel:", "Titel:", "ort: ", "dachzeile:", ":", "*", "Haf*", "-", "+",
    "^2", "~", "[", "]", "{", "}", "TO", "a\u0308", "ß", "\\", "'", "date:2022", "12.000", "Bürger*innen",
]
typed = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), min_size=1, max_size=8).map(" ".join)


@pytest.fixture(scope="module")
def searcher_and_index(example_index: Path):  # type: ignore[no-untyped-def]
    ix = open_index(example_index)
    with ix.searcher() as searcher:
        yield ix, searcher


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=typed)
def test_any_typed_query_gives_results_or_a_german_error(searcher_and_index, text: str) -> None:  # type: ignore[no-untyped-def]
    ix, searcher = searcher_and_index
    try:
        page = run_search(ix, SearchRequest(query=text), searcher=searcher)
    except QueryError as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message
        return
    assert page.total >= len(page.hits) and all(hit.id for hit in page.hits)
