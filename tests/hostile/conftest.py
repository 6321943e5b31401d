"""Fixtures for the hostile-content tests: data written in short app contexts, pages read and
checked through the real routes with the test client.

Data is written through the services (the routes that call them have their own tests), each
step in its own app context: the shared `make` fixture keeps one context open, and every request
would then share its `g` (and a login) between clients. Writing a payload into every field costs
seconds, so each module writes its world once (`world_app`, module-scoped) and its tests only
read it; they must not use the function-scoped `app`, which empties the tables after each test.
"""

import pytest

from app.extensions import db
from tests.conftest import app_on_test_database
from tests.hostile.checks import Page, Shown, assert_page_safe, assert_text_shown, parse

HX = {"HX-Request": "true"}
MAX_PAGES = 60  # a guard against a "Next" link that never ends


class Seeder:
    """Runs a function with the models in its own app context and commits what it wrote."""

    def __init__(self, app):
        self.app = app

    def __call__(self, write, *args, **kwargs):
        with self.app.app_context():
            result = write(*args, **kwargs)
            db.session.commit()
            return result


@pytest.fixture(scope="module")
def world_app(_schema, database_uri, tmp_path_factory):
    """An app on the test database for one module's tests; the tables are emptied after it."""
    with app_on_test_database(database_uri, tmp_path_factory.mktemp("outbox")) as app:
        yield app


@pytest.fixture(scope="module")
def seed(world_app):
    return Seeder(world_app)


class Reader:
    """GETs pages with a client, holds each to the page rules, and collects their text."""

    def __init__(self, client):
        self.client = client

    def page(self, url: str, *, headers=None, status: int = 200) -> Page:
        response = self.client.get(url, headers=headers or {})
        assert response.status_code == status, f"{url}: {response.status_code}"
        page = parse(response.get_data(as_text=True), url)
        assert_page_safe(page)
        return page

    def pages(self, url: str, *, count: int | None = None, headers=None) -> str:
        """The text of every page of a paginated list, each page checked: pages 1..count, or
        (without count) the first page and those its "Next" links lead to."""
        if count is not None:
            joiner = "&" if "?" in url else "?"
            urls = [f"{url}{joiner}page={n}" for n in range(1, count + 1)]
            return " ".join(self.page(u, headers=headers).text for u in urls)
        texts = []
        for _ in range(MAX_PAGES):
            page = self.page(url, headers=headers)
            texts.append(page.text)
            following = [
                dict(e.attrs).get("href")
                for e in page.elements
                if e.tag == "a" and dict(e.attrs).get("rel") == "next"
            ]
            if not following:
                return " ".join(texts)
            url = following[0]
        raise AssertionError(f"{url}: more than {MAX_PAGES} pages")

    def shows(self, url: str, shown: list[Shown], **kwargs) -> Page:
        """Read url and assert it shows everything in shown (the text rules)."""
        page = self.page(url, **kwargs)
        assert_text_shown(page.text, shown, url)
        return page


@pytest.fixture
def read():
    """read(client) -> a Reader for that client."""
    return Reader
