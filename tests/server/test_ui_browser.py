"""The web UI at /: local YASGUI with every named query, driven in headless Chromium; and the plain form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from ctgraph.paths import Layout
from ctgraph.queries import load_named_queries
from ctgraph.server import ui
from ctgraph.server.app import create_app
from ctgraph.server.settings import Settings
from tests.server import pages_conftest
from tests.server.pages_conftest import ARTIFACTS, REPO, start_server

# The shared fixtures, as this module's own (see pages_conftest).
chromium = pages_conftest.chromium
pages_layout = pages_conftest.pages_layout
pages_server = pages_conftest.pages_server

CO_CHAIRS = ("Vladimir Voronkov", "Abdul Aziz Abdullah Al-Ansari")
WAIT_MS = 60_000  # how long to wait for the page to settle; a readiness bound, not a performance assertion


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the text of each <script> and <textarea>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.contents: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict[str, str | None], list[str]] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "textarea"):
            self._open = (tag, dict(attrs), [])

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[0] == tag:
            self.contents.append((tag, self._open[1], "".join(self._open[2])))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[2].append(data)


def foreign_requests(requests: list[str], base: str) -> list[str]:
    return [url for url in requests if not (url.startswith(base + "/") or url == base)]


def watch(page: Page) -> tuple[list[str], list[str]]:
    """Record every request of the page's context (pop-ups included) and every console or page error."""
    requests: list[str] = []
    errors: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return requests, errors


# ---------------------------------------------------------------------- over HTTP


def test_home_page_preloads_every_named_query_and_loads_only_local_assets(
    pages_server: str, pages_layout: Layout
) -> None:
    response = httpx.get(pages_server + "/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "connect-src 'self'" in response.headers["content-security-policy"]
    elements = Elements(response.text)
    config = next(
        json.loads(text)
        for tag, attrs, text in elements.contents
        if tag == "script" and attrs.get("id") == "ctgraph-ui-config"
    )
    queries = load_named_queries(pages_layout)
    assert len(queries) > 10
    assert [(q["title"], q["text"]) for q in config["queries"]] == [(q.title, q.text) for q in queries]
    assert config["endpoint"] == "/sparql"
    sources = [
        attrs.get("src") or attrs.get("href")
        for tag, attrs in elements.tags
        if tag in ("script", "link") and (attrs.get("src") or attrs.get("rel") == "stylesheet")
    ]
    assert "/static/yasgui/yasgui.min.js" in sources and "/static/yasgui/yasgui.min.css" in sources
    assert all(str(source).startswith("/") and not str(source).startswith("//") for source in sources)


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/static/yasgui/yasgui.min.js", "text/javascript"),
        ("/static/yasgui/yasgui.min.css", "text/css"),
        ("/static/ui.js", "text/javascript"),
        ("/static/ctgraph.css", "text/css"),
    ],
)
def test_assets_are_served_from_this_server(pages_server: str, path: str, media: str) -> None:
    response = httpx.get(pages_server + path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert len(response.content) > 500


def test_yasgui_is_served_byte_for_byte_from_the_npm_install(pages_server: str) -> None:
    installed = ui.find_yasgui(REPO)
    assert installed is not None, "run: npm install --prefix ui"
    assert (
        httpx.get(pages_server + "/static/yasgui/yasgui.min.js").content
        == (installed / "yasgui.min.js").read_bytes()
    )


@pytest.mark.parametrize(
    "path",
    [
        "/static/yasgui/package.json",
        "/static/yasgui/..%2F..%2Fpackage.json",
        "/static/..%2Fui.py",
        "/static/nothing.js",
        "/static/yasgui/yasgui.esm.js",
    ],
)
def test_nothing_else_is_served_from_static(pages_server: str, path: str) -> None:
    assert httpx.get(pages_server + path).status_code == 404


@pytest.fixture(scope="module")
def fallback_server() -> Iterator[str]:
    """A server built as if YASGUI had never been installed (the patch lasts only while the app is built)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ui, "find_yasgui", lambda root: None)
        app = create_app(Settings(root=REPO, workers=1))
    live = start_server(app)
    try:
        yield live.url
    finally:
        live.stop()


def test_without_assets_the_home_page_is_a_plain_form_that_queries(
    fallback_server: str, pages_layout: Layout
) -> None:
    response = httpx.get(fallback_server + "/")
    assert response.status_code == 200
    elements = Elements(response.text)
    assert not any(tag == "script" for tag, _ in elements.tags)
    forms = [attrs for tag, attrs in elements.tags if tag == "form"]
    assert forms and all(f.get("action") == "/sparql" and f.get("method") == "get" for f in forms)
    queries = load_named_queries(pages_layout)
    textarea = next(text for tag, attrs, text in elements.contents if tag == "textarea")
    assert textarea == queries[0].text
    hidden = [
        attrs["value"] for tag, attrs in elements.tags if tag == "input" and attrs.get("name") == "query"
    ]
    assert hidden == [q.text for q in queries]
    co_chairs = next(q for q in queries if q.name == "co-chairs")
    answer = httpx.get(fallback_server + "/sparql", params={"query": co_chairs.text, "format": "json"})
    assert answer.status_code == 200
    names = {b["name"]["value"] for b in answer.json()["results"]["bindings"]}
    assert names == set(CO_CHAIRS)
    assert httpx.get(fallback_server + "/static/yasgui/yasgui.min.js").status_code == 404


# ---------------------------------------------------------------------- in Chromium


@pytest.mark.browser
def test_yasgui_runs_the_co_chairs_query_without_leaving_the_host(
    chromium: Browser, pages_server: str, pages_layout: Layout
) -> None:
    co_chairs = next(q for q in load_named_queries(pages_layout) if q.name == "co-chairs")
    page = chromium.new_page(viewport={"width": 1600, "height": 1000})
    requests, errors = watch(page)
    try:
        page.goto(pages_server + "/", wait_until="networkidle")
        expect(page.get_by_role("tab", name=co_chairs.title)).to_be_visible(timeout=WAIT_MS)
        page.get_by_role("tab", name=co_chairs.title).click()
        panel = page.locator(".tabPanel.active")
        expect(panel.locator(".CodeMirror")).to_contain_text("Co-chairs and their posts", timeout=WAIT_MS)
        panel.locator(".yasqe_queryButton").click()
        results = panel.locator(".yasr tbody")
        for name in CO_CHAIRS:
            expect(results).to_contain_text(name, timeout=WAIT_MS)
        page.wait_for_load_state("networkidle")
        # the names in full in the kept screenshot: switch off YASR's ellipsis of long values
        ellipse = panel.get_by_label("Ellipse")
        if ellipse.count() == 1 and ellipse.is_checked():
            ellipse.uncheck()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)
        assert any(url == pages_server + "/sparql" for url in requests)  # the query went to our endpoint
        assert requests and foreign_requests(requests, pages_server) == []
        assert errors == []
    finally:
        page.close()


@pytest.mark.browser
def test_every_named_query_has_its_tab(chromium: Browser, pages_server: str, pages_layout: Layout) -> None:
    page = chromium.new_page()
    try:
        page.goto(pages_server + "/", wait_until="networkidle")
        tabs = page.get_by_role("tab")
        expect(tabs).to_have_count(len(load_named_queries(pages_layout)), timeout=WAIT_MS)
        # each tab's text ends with its close button, a "✖"
        names = [tabs.nth(i).inner_text().replace("✖", "").strip() for i in range(tabs.count())]
        assert names == [q.title for q in load_named_queries(pages_layout)]
    finally:
        page.close()


@pytest.mark.browser
def test_result_iris_open_their_page_on_this_server(chromium: Browser, pages_server: str) -> None:
    page = chromium.new_page()
    requests, _ = watch(page)
    try:
        page.goto(pages_server + "/", wait_until="networkidle")
        panel = page.locator(".tabPanel.active")
        panel.locator(".yasqe_queryButton").click()
        cell = panel.locator(".yasr tbody .expandable").first  # the first column: ?person
        link = cell.locator("a[href^='https://w3id.org/ctgraph/id/']")
        expect(link).to_be_visible(timeout=WAIT_MS)
        # YASR shows long IRIs cut short; the first click opens the cell, the second follows the link
        cell.click()
        with page.context.expect_page() as opened:
            link.click()
        resource = opened.value
        resource.wait_for_load_state()
        assert resource.url.startswith(pages_server + "/id/")
        expect(resource.locator("h1")).not_to_be_empty(timeout=WAIT_MS)
        resource.close()
        assert foreign_requests(requests, pages_server) == []
    finally:
        page.close()


@pytest.mark.browser
def test_plain_form_works_in_the_browser(chromium: Browser, fallback_server: str) -> None:
    page = chromium.new_page()
    requests, _ = watch(page)
    try:
        page.goto(fallback_server + "/")
        page.locator("#example-co-chairs button").click()
        page.wait_for_load_state()
        assert "/sparql?query=" in page.url
        for name in CO_CHAIRS:
            assert name in page.content()
        assert foreign_requests(requests, fallback_server) == []
    finally:
        page.close()
