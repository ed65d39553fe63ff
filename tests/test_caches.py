"""The bounded caches of the indexing process: flat memory, and the words in use stay cached."""

from __future__ import annotations

from newssearch.caches import Generations


def test_a_word_in_use_survives_while_one_off_words_age_out() -> None:
    cache = Generations(limit=100)
    cache.put("Gesundheitsamt", ("gesundheitsamt", ("gesundheit", "amt")))
    for number in range(1000):
        cache.put(f"einmalig{number}", number)
        if number % 50 == 0:  # the frequent word comes up again now and then
            assert cache.recall("Gesundheitsamt") == ("gesundheitsamt", ("gesundheit", "amt"))
        assert len(cache) <= 200
    assert cache.holds("Gesundheitsamt")
    assert not cache.holds("einmalig0") and cache.recall("einmalig0") is None
    assert cache.peek("einmalig999") == 999


def test_a_hit_in_the_old_generation_moves_back() -> None:
    cache = Generations(limit=2)
    cache.put("Hafen", 1)
    cache.put("Mauer", 2)
    cache.put("Kiel", 3)  # turns over: Hafen and Mauer are old now
    assert cache.get("Hafen") is None and cache.peek("Hafen") == 1
    assert cache.recall("Hafen") == 1 and cache.get("Hafen") == 1
    cache.clear()
    assert len(cache) == 0 and not cache.holds("Mauer")
