"""The demo's website in a real browser (Debian's Chromium through Playwright, opened from
`file://`): every page passes axe-core's WCAG 2.1 A and AA rules and asks for nothing outside
the site, the search filters the repositories, no script from the data runs, and the keyboard
reaches every control.

These fail (never skip) when Chromium, Playwright or axe-core is missing: `.ci/run` installs
them, and a skip would hide a missing step. One browser for the module; each page is visited
once for axe and the requests.
"""

from __future__ import annotations

import csv
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import browser_problem, chromium, run_axe
from npm_packages import AXE, AXE_MEMBER, AXE_VERSION, npm_package_file

pytestmark = pytest.mark.xdist_group("demo")

AXE_ORGANISATIONS = {"nhsdigital", "nhs-r-community", "111online"}
"""The organisation pages axe checks (all of them with `OSHS_AXE_EVERY_PAGE=1`): the largest,
one with hostile text from GitHub, a small one; every page is loaded and watched."""
AXE_ROWS = 20  # rows of a long table kept for axe: the rest are the same markup, and slow it


def _axe_page(name: str) -> bool:
    """True when axe checks the page `name` (relative to the site)."""
    if os.environ.get("OSHS_AXE_EVERY_PAGE") == "1" or not name.startswith("organisations/"):
        return True
    return Path(name).stem in AXE_ORGANISATIONS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module."""
    problem = browser_problem()
    if problem:
        pytest.fail(f"the website's browser tests cannot run: {problem}", pytrace=False)
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script (npm, pinned)."""
    try:
        root = npm_package_file(AXE, AXE_VERSION, [AXE_MEMBER])
    except (RuntimeError, OSError, KeyError, subprocess.SubprocessError) as exc:
        pytest.fail(f"cannot obtain {AXE}@{AXE_VERSION}: {exc}", pytrace=False)
    return (root / AXE_MEMBER).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(demo_package: Path) -> Path:
    """The demo's site folder."""
    return demo_package / "outputs" / "site"


def _watched_page(browser: Any) -> tuple[Any, dict[str, list[str]]]:
    """A new page that records every request, dialog, console error and page error."""
    page = browser.new_page()
    seen: dict[str, list[str]] = {"requests": [], "dialogs": [], "errors": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and seen["errors"].append(
        message.text))  # fmt: skip
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    return page, seen


def test_every_page_is_accessible_offline_and_runs_no_data(
    browser: Any, axe_source: str, site: Path
) -> None:
    pages = sorted(site.rglob("*.html"))
    assert {p.relative_to(site).as_posix() for p in pages} >= {
        "index.html", "repositories.html", "topics.html", "languages.html", "history.html",
        "data.html", "about.html", "organisations/nhsengland.html",
    }  # fmt: skip
    problems = []
    page, seen = _watched_page(browser)
    for path in pages:
        for key in seen:
            seen[key].clear()
        name = path.relative_to(site).as_posix()
        # every request a page makes is asked for while it is parsed; axe needs it loaded
        page.goto(path.as_uri(), wait_until="load" if _axe_page(name) else "domcontentloaded")
        outside = [url for url in seen["requests"] if not url.startswith("file://")]
        violations = []
        if _axe_page(name):
            page.evaluate("keep => document.querySelectorAll('tbody').forEach(body => "
                          "Array.from(body.rows).slice(keep).forEach(row => row.remove()))",
                          AXE_ROWS)  # fmt: skip
            violations = run_axe(page, axe_source)
        if outside or violations or seen["dialogs"] or seen["errors"]:
            problems.append((name, outside, violations, seen["dialogs"][:], seen["errors"][:]))
        assert "SAMPLE DATA" in page.inner_text("main"), name
    page.close()
    assert problems == []


def test_every_csv_and_the_descriptor_are_linked(browser: Any, site: Path) -> None:
    page, _ = _watched_page(browser)
    page.goto((site / "data.html").as_uri())
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    page.close()
    targets = {Path(href.removeprefix("file://")).resolve() for href in hrefs
               if href.startswith("file://")}  # fmt: skip
    data = site.parent / "data"
    assert {p.resolve() for p in data.glob("*.csv")} <= targets
    assert (site.parent.parent / "datapackage.json").resolve() in targets
    assert all(target.is_file() for target in targets if target.suffix in {".csv", ".json"})


def _topic_repositories(site: Path, topic: str, organisation: str) -> set[str]:
    """Names of the current repositories of `organisation` with `topic` (published CSVs)."""
    data = site.parent / "data"
    with (data / "repositories.csv").open(encoding="utf-8") as handle:
        removed = {row["id"] for row in csv.DictReader(handle) if row["removed"] == "true"}
    with (data / "topics.csv").open(encoding="utf-8") as handle:
        return {row["full_name"].split("/", 1)[1] for row in csv.DictReader(handle)
                if row["topic"] == topic and row["repository_id"] not in removed
                and row["full_name"].split("/")[0] == organisation}  # fmt: skip


def _search(page: Any, query: str) -> None:
    """Type `query` into the search and wait for the results to change."""
    before = page.locator("#search-status").inner_text()
    page.fill("#search-query", query)
    page.wait_for_function(
        "before => document.getElementById('search-status').textContent !== before", arg=before
    )


def test_typing_a_topic_shows_only_matching_rows(browser: Any, site: Path) -> None:
    topic = "snomed-ct"
    expected = _topic_repositories(site, topic, "NHSDigital")
    assert 0 < len(expected) < 100
    page, seen = _watched_page(browser)
    page.goto((site / "repositories.html").as_uri())
    _search(page, topic)
    total = int(page.locator("#search-status").inner_text().split()[0].replace(",", ""))
    page.select_option("#search-organisation", label="NHS Digital")
    status = page.locator("#search-status").inner_text()
    texts = page.locator("#search-rows tr").all_inner_texts()
    names = set(page.locator("#search-rows tr th").all_inner_texts())
    page.close()
    assert total >= len(expected)
    assert status.startswith(f"{len(texts)} repositories match")
    assert texts and all(topic in text and "NHS Digital" in text for text in texts)
    assert expected <= names
    assert not seen["dialogs"] and not seen["errors"]


def test_a_topic_of_the_topics_page_opens_its_search(browser: Any, site: Path) -> None:
    page, seen = _watched_page(browser)
    page.goto((site / "topics.html").as_uri())
    row = page.locator("main table[data-sortable] tbody tr", has_text="fhir").first
    listed = int(row.locator("td").first.inner_text().replace(",", ""))
    row.locator("a").click()
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    found = int(page.locator("#search-status").inner_text().split()[0].replace(",", ""))
    texts = page.locator("#search-rows tr").all_inner_texts()
    value = page.input_value("#search-query")
    page.close()
    assert value == "fhir" and found >= listed > 0
    assert texts and all("fhir" in text.lower() for text in texts)
    assert not seen["dialogs"] and not seen["errors"]


def test_hostile_text_from_github_stays_text(browser: Any, site: Path) -> None:
    page, seen = _watched_page(browser)
    page.goto((site / "repositories.html").as_uri())
    _search(page, "xss")
    found = page.locator("#search-rows").inner_text()
    page.goto((site / "organisations" / "nhs-r-community.html").as_uri())
    shown = page.locator("main").inner_text()
    injected = page.evaluate("document.querySelectorAll('main script, main img').length")
    page.close()
    assert "<script>alert('xss')</script>" in found
    assert "<script>alert('xss')</script> waiting list dashboard" in shown
    assert injected == 0
    assert not seen["dialogs"] and not seen["errors"]


@pytest.mark.parametrize("name", ["index.html", "repositories.html"])
def test_the_keyboard_reaches_every_control(browser: Any, site: Path, name: str) -> None:
    page, _ = _watched_page(browser)
    page.goto((site / name).as_uri())
    controls = page.evaluate(
        "() => Array.from(document.querySelectorAll("
        "'a[href], button, input, select, summary, [tabindex=\"0\"]'))"
        ".filter(e => e.checkVisibility()).length"
    )
    reached = set()
    for _ in range(controls + 5):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(
            "() => { const e = document.activeElement; e.dataset.reached = '1'; "
            "return Array.from(document.querySelectorAll('[data-reached]')).indexOf(e) "
            "+ ':' + e.tagName + ':' + (e.id || e.textContent.slice(0, 30)) }"))  # fmt: skip
    missed = page.evaluate(
        "() => Array.from(document.querySelectorAll("
        "'a[href], button, input, select, summary, [tabindex=\"0\"]'))"
        ".filter(e => e.checkVisibility() && !e.dataset.reached)"
        ".map(e => e.tagName + ' ' + (e.id || e.textContent.slice(0, 40)))"
    )
    page.close()
    assert missed == []
