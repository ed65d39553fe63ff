"""The search page in a real headless Chromium, served by ``newssearch serve`` (waitress) on the example archive.

JavaScript is switched off in the browser: every step (typing and submitting, following a hit, a facet click,
a histogram click) must work without it. Console errors and failed requests fail the test, so a violation of
the Content-Security-Policy shows up here. With ``NEWSSEARCH_SCREENSHOT=docs/screenshot.png`` the results page
is saved for the README.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} fehlt: apt-get install -y chromium", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="Playwright fehlt: pip install playwright (ohne playwright install)")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402  (only once we know it is there)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOT_ENV = "NEWSSEARCH_SCREENSHOT"
NATO_TITLE = "Historikerin: Streit um Nato-Osterweiterung reicht bis 1990 zurück"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(example_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``newssearch serve`` on a free port of 127.0.0.1, as a user starts it; yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "newssearch", "serve", "--index", str(example_index), "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"newssearch serve ist nicht gestartet:\n{log.read_text(errors='replace')}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser: Browser, server: str, width: int = 1200) -> tuple[Page, list[str]]:
    context = browser.new_context(
        base_url=server, java_script_enabled=False, viewport={"width": width, "height": 900}, locale="de-DE"
    )
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on(
        "response",
        lambda response: problems.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    return tab, problems


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A tab without JavaScript; console errors (a CSP violation) or failed requests fail the test."""
    tab, problems = open_page(browser, server)
    yield tab
    tab.context.close()
    assert problems == []


def params(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def total(page: Page) -> int:
    return int(page.locator("h1#treffer .total").inner_text())


def test_browser_search_and_follow_a_hit_to_the_marked_article(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Suchbegriffe").fill("Nato")
    page.get_by_role("button", name="Suchen").click()
    assert params(page.url)["q"] == "Nato"
    assert page.locator("h1#treffer").inner_text() == "2 Treffer für „Nato“"
    assert page.locator("li.hit .snippet mark").first.inner_text() == "Nato-Osterweiterung"

    page.get_by_role("link", name=NATO_TITLE).click()
    assert urlsplit(page.url).path.startswith("/artikel/")
    assert page.locator("article.story h1").inner_text() == NATO_TITLE
    assert page.locator("article.story h1 mark").inner_text() == "Nato-Osterweiterung"
    marks = page.locator("article.story .body mark").all_inner_texts()
    assert set(marks) == {"Nato-Osterweiterung", "Nato"}

    page.get_by_role("link", name="« Zurück zu den Treffern").click()
    assert page.locator("h1#treffer").inner_text() == "2 Treffer für „Nato“"


def test_browser_comment_hit_opens_the_article_at_the_comment(page: Page) -> None:
    page.goto("/?q=Nato&kind=comment")
    page.locator("li.hit h2 a").first.click()
    anchor = urlsplit(page.url).fragment
    assert anchor.startswith("k")
    comment = page.locator(f"li.comment#{anchor}")
    assert comment.locator("mark").first.inner_text() == "Nato"
    assert comment.locator(".author").inner_text() == "Dorothea Claußen"
    assert comment.is_visible()


def test_browser_facet_click_narrows_to_comments(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Suchbegriffe").fill("Jahr")
    page.keyboard.press("Enter")
    everything = total(page)
    facet = page.locator("nav.kinds a", has_text="Kommentare")
    comments = int(facet.locator(".count").inner_text())
    assert 0 < comments < everything
    facet.click()
    assert params(page.url)["kind"] == "comment"
    assert total(page) == comments
    assert set(page.locator("li.hit .badge").all_text_contents()) == {"Kommentar"}
    assert page.locator("select[name=kind]").input_value() == "comment"


def test_browser_histogram_click_narrows_the_dates(page: Page) -> None:
    page.goto("/?q=Jahr")
    bar = page.locator("svg.histogram a").first
    label, count = bar.get_attribute("aria-label").split(": ")  # type: ignore[union-attr]
    bar.click()
    chosen = params(page.url)
    assert chosen["from"] == chosen["to"] and chosen["q"] == "Jahr"
    assert total(page) == int(count.split()[0])
    assert page.locator("input[name=from]").input_value() == chosen["from"]
    assert page.locator("svg.histogram a.current").get_attribute("aria-label") == f"{label}: {count}"
    page.get_by_role("link", name="Zeitraum zurücksetzen").click()
    assert "from" not in params(page.url)


def test_browser_bad_date_shows_german_400_page_with_form_kept(browser: Browser, server: str) -> None:
    tab, problems = open_page(browser, server)
    response = tab.goto("/?q=Nato&from=32.13.2022")
    assert response is not None and response.status == 400
    assert tab.locator(".error h1").inner_text() == "Die Suche ist so nicht möglich"
    assert tab.locator("input[name=q]").input_value() == "Nato"
    assert tab.locator("input[name=from]").input_value() == "32.13.2022"
    tab.context.close()
    assert [problem for problem in problems if "400" not in problem] == []  # the 400 itself is expected


def test_browser_results_fit_a_phone_screen(browser: Browser, server: str) -> None:
    tab, problems = open_page(browser, server, width=390)
    tab.goto("/?q=Jahr")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.goto(tab.locator("li.hit h2 a").first.get_attribute("href") or "/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    # A long compound or a pasted address in the query wraps instead of widening the page.
    tab.goto("/?q=Rindfleischetikettierungs%C3%BCberwachungsaufgaben%C3%BCbertragungsgesetz")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.context.close()
    assert problems == []


def test_browser_screenshot_of_results_page(browser: Browser, server: str) -> None:
    target = os.environ.get(SCREENSHOT_ENV)
    if not target:
        pytest.skip(f"{SCREENSHOT_ENV}=PFAD.png setzen, um ein Bildschirmfoto der Trefferseite zu speichern")
    tab, problems = open_page(browser, server, width=1100)
    tab.goto("/?q=Kinder")
    tab.screenshot(path=target, full_page=True)
    tab.context.close()
    assert problems == []
    assert Path(target).stat().st_size > 10_000
