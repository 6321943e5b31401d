"""Browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

Playwright's own browser download is not used (and is blocked on our machines): the fixture
points it at `chromium` on the PATH, or CHROMIUM_PATH. Without a browser these tests skip,
unless E2E_REQUIRED is set (as CI does), in which case they fail.
"""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import app_on_test_database

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # The machine has no outside network: stop Chromium from trying.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if not path:
        message = "no Chromium found (install Debian's chromium or set CHROMIUM_PATH)"
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


class LiveServer:
    """The app served by werkzeug in a background thread, with CSRF and everything else real."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_app(_schema, database_uri, tmp_path):
    """The app as a browser meets it: CSRF on."""
    with app_on_test_database(database_uri, tmp_path / "outbox", WTF_CSRF_ENABLED=True) as app:
        yield app


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def no_js(browser):
    """A browser context with JavaScript off: what a page does without htmx."""
    context = browser.new_context(java_script_enabled=False)
    yield context
    context.close()


@pytest.fixture(scope="module")
def module_live_app(_schema, database_uri, tmp_path_factory):
    """live_app shared by a whole module, for walks that build their data once; the tables are
    emptied when the module ends. Such a module must not also use the per-test app fixtures,
    whose teardown would empty the tables under it."""
    outbox = tmp_path_factory.mktemp("outbox")
    with app_on_test_database(database_uri, outbox, WTF_CSRF_ENABLED=True) as app:
        yield app


@pytest.fixture(scope="module")
def module_live_server(module_live_app):
    server = LiveServer(module_live_app)
    server.start()
    yield server
    server.stop()
