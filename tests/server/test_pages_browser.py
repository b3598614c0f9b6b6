"""Resource pages in headless Chromium: a person's page shows their post and the dialogue; its links work."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.server import pages_conftest
from tests.server.pages_conftest import ARTIFACTS

# The shared fixtures, as this module's own (see pages_conftest).
chromium = pages_conftest.chromium
pages_server = pages_conftest.pages_server

pytestmark = [pytest.mark.browser]

DIALOGUE_LABEL = "Fourth High-Level Strategic Dialogue between the State of Qatar & UNOCT"
WAIT_MS = 60_000  # a readiness bound for page loads, not a performance assertion


def test_person_page_shows_post_and_dialogue_and_links_to_the_dialogue(
    chromium: Browser, pages_server: str
) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(pages_server + "/id/person/vladimir-voronkov")
        expect(page.locator("h1")).to_have_text("Vladimir Voronkov", timeout=WAIT_MS)
        post = page.locator("#properties a", has_text="Under-Secretary-General for Counter-Terrorism")
        expect(post).to_have_attribute("href", "/id/post/under-secretary-general-for-counter-terrorism")
        dialogue = page.locator("#incoming a", has_text=DIALOGUE_LABEL)
        expect(dialogue).to_be_visible()
        expect(page.locator("#sources blockquote").first).to_contain_text("co-chaired the dialogue")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "person.png"), full_page=True)

        dialogue.click()
        page.wait_for_url(
            pages_server + "/id/event/fourth-high-level-strategic-dialogue-qatar-unoct", timeout=WAIT_MS
        )
        expect(page.locator("h1")).to_have_text(DIALOGUE_LABEL)
        expect(page.locator("#properties")).to_contain_text("Vladimir Voronkov")

        page.go_back()
        post.click()
        page.wait_for_url(
            pages_server + "/id/post/under-secretary-general-for-counter-terrorism", timeout=WAIT_MS
        )
        expect(page.locator("h1")).to_have_text("Under-Secretary-General for Counter-Terrorism")
        assert [url for url in requests if not url.startswith(pages_server + "/")] == []
        assert errors == []
    finally:
        page.close()


def test_ontology_anchor_from_a_page_lands_on_the_term(chromium: Browser, pages_server: str) -> None:
    page = chromium.new_page()
    try:
        page.goto(pages_server + "/id/event/fourth-high-level-strategic-dialogue-qatar-unoct")
        page.locator("p.types a", has_text="dialogue").click()
        page.wait_for_url(pages_server + "/ontology#Dialogue", timeout=WAIT_MS)
        term = page.locator("article#Dialogue")
        expect(term).to_be_visible()
        expect(term.locator("h3")).to_contain_text("ctg:Dialogue")
        expect(term).to_contain_text("sub-class of")
    finally:
        page.close()
