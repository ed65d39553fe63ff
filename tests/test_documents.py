"""The page parser on strings: every field of the layout and each quirk of real archives."""

from __future__ import annotations

from datetime import date, datetime

from conftest import page_text

from newssearch.documents import clean_line, parse_comment_header, parse_page

COMMENTS = (
    "David Ender 27.01.22 22:29\n"
    "Das \"maechtige\" Russland ...\n"
    "... geistert permanent durch deutsche Koepfe, wohl bloss um die eigene Hilflosigkeit gegenueber "
    "nackter Aggression zu rechtfertigen.\n"
    "Ole Bayern 27.01.22 16:30\n"
    "Herr Aurelis.....\n"
    "Eine weitere Konfrontation wäre verherend für Europa.\n"
    "\n"
    "VG Ole\n"
    "ingo 27.01.2022 15:10:45\n"
    "Die Ukraine war nur ein Anlaß für das Austesten.\n"
)


def seed_like_page() -> str:
    return page_text(
        title="Keine Zusage an Moskau für Ende der Nato-Ausweitung",
        kicker="Blinken",
        caption="Deutschland wird der Ukraine 5000 militärische Schutzhelme liefern. Foto: Friso Gentsch/dpa",
        lead="WASHINGTON/BRÜSSEL: Russland hat den USA und der Nato Vorschläge übermittelt.",
        body="Im Ukraine-Konflikt haben die Nato und die US-Regierung ein Ende der Nato-Osterweiterung abgelehnt.\n\n"
        "Blinken sagte am Mittwoch in Washington, die Tür der Nato bleibe offen.",
        comments=COMMENTS,
    )


def test_parse_page_reads_title_kicker_caption_credit_and_dateline() -> None:
    article = parse_page(seed_like_page()).article
    assert article.title == "Keine Zusage an Moskau für Ende der Nato-Ausweitung"
    assert article.kicker == "Blinken"
    assert article.caption == "Deutschland wird der Ukraine 5000 militärische Schutzhelme liefern."
    assert article.credit == "Friso Gentsch/dpa"
    assert article.places == ("WASHINGTON", "BRÜSSEL")
    assert article.lead == "Russland hat den USA und der Nato Vorschläge übermittelt."
    assert article.body.startswith("Im Ukraine-Konflikt")
    assert article.body.endswith("die Tür der Nato bleibe offen.")


def test_parse_page_drops_promo_and_form_labels() -> None:
    page = parse_page(seed_like_page())
    everything = page.article.full_text() + "".join(c.text + (c.title or "") for c in page.comments)
    assert "Druckausgabe" not in everything
    assert "Pflichtfelder" not in everything
    assert "Pflichtfelder" in page.boilerplate


def test_parse_page_splits_comments_with_authors_times_titles_and_signoffs() -> None:
    comments = parse_page(seed_like_page()).comments
    assert [c.author for c in comments] == ["David Ender", "Ole Bayern", "ingo"]
    assert [c.posted for c in comments] == [
        datetime(2022, 1, 27, 22, 29),
        datetime(2022, 1, 27, 16, 30),
        datetime(2022, 1, 27, 15, 10, 45),
    ]
    assert comments[0].title == 'Das "maechtige" Russland ...'
    assert comments[1].title == "Herr Aurelis....."
    assert comments[1].text.endswith("VG Ole")
    assert "\n\nVG Ole" in comments[1].text
    assert comments[2].title is None
    assert comments[2].text == "Die Ukraine war nur ein Anlaß für das Austesten."


def test_parse_page_without_caption_dateline_or_comments() -> None:
    page = parse_page(page_text("Hafen wird ausgebaut", "Der Hafen bekommt eine neue Kaimauer.\n\nDie Arbeiten "
                                "beginnen im Herbst.", kicker="Kiel"))
    assert page.article.caption is None and page.article.places == ()
    assert page.article.lead == "Der Hafen bekommt eine neue Kaimauer."
    assert page.article.body == "Die Arbeiten beginnen im Herbst."
    assert page.comments == ()


def test_parse_page_reads_a_date_line_near_the_top() -> None:
    page = parse_page(page_text("Sturmflut an der Küste", "Das Wasser stieg über die Kaimauer.",
                                date_line="Veröffentlicht am 21.10.2023, 18:45 Uhr"))
    assert page.article.printed_date == date(2023, 10, 21)
    assert "Veröffentlicht" not in page.article.full_text()


def test_parse_page_handles_crlf_cr_and_unicode_spaces() -> None:
    text = seed_like_page().replace("Nato\u00a0", "Nato ").replace("der Nato", "der\u202fNato")
    for newline in ("\r\n", "\r"):
        page = parse_page(text.replace("\n", newline))
        assert page.article.kicker == "Blinken"
        assert "der Nato" in page.article.body
        assert len(page.comments) == 3


def test_parse_page_comment_header_inside_body_before_promo_stays_body() -> None:
    body = "Der Sprecher sagte:\n\nMax Muster 12.03.22 10:00\n\nDas war alles."
    page = parse_page(page_text("Ein Protokoll", body, comments="Leser 13.03.22 09:00\nDanke!\n"))
    assert "Max Muster 12.03.22 10:00" in page.article.body
    assert [c.author for c in page.comments] == ["Leser"]


def test_parse_page_learnt_boilerplate_is_dropped_everywhere() -> None:
    extra = "Weitere Nachrichten finden Sie in unserer App."
    page = parse_page(page_text("Titel der Seite", "Ein Satz.\n\n" + extra), frozenset({extra}))
    assert extra not in page.article.full_text()
    assert extra in page.boilerplate


def test_parse_page_never_raises_on_empty_or_odd_text() -> None:
    for text in ("", "\n\n\n", "Pflichtfelder\n", "\x00\x01", "Nur ein Titel"):
        page = parse_page(text)
        assert isinstance(page.is_empty, bool)
    assert parse_page("").is_empty
    assert parse_page("Pflichtfelder\n").is_empty
    assert not parse_page("Nur ein Titel").is_empty


def test_parse_comment_header_accepts_years_seconds_and_lowercase_names() -> None:
    assert parse_comment_header("aurel aurelis 27.01.22 16:00") == ("aurel aurelis", datetime(2022, 1, 27, 16, 0))
    assert parse_comment_header("Kiebitz 02.03.2021 21:17") == ("Kiebitz", datetime(2021, 3, 2, 21, 17))
    assert parse_comment_header("Hans 18.11.21 19:42:07") == ("Hans", datetime(2021, 11, 18, 19, 42, 7))
    assert parse_comment_header("Das war am 27.01.22 um 16:00 schon klar.") is None


def test_parse_comment_header_with_impossible_date_keeps_the_comment_undated() -> None:
    assert parse_comment_header("Leser 31.02.22 10:00") == ("Leser", None)
    assert parse_comment_header("Leser 12.02.22 25:61") == ("Leser", None)


def test_clean_line_folds_unicode_spaces_and_control_characters() -> None:
    assert clean_line("\u00a0Blinken\u00a0\u00a0") == "Blinken"
    assert clean_line("Nato\u2009-\u2009Gipfel\x07") == "Nato - Gipfel"
