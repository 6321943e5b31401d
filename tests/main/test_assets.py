"""Static files (app.assets): URLs that carry a hash of the file's content, answered with a
year's immutable cache lifetime; a changed file gets a new URL."""

import os
import re
import uuid
from pathlib import Path

from flask import url_for

from app import create_app
from tests.conftest import _test_settings


def _head_urls(page: str) -> list[str]:
    head = page[: page.index("</head>")]
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', head)


def test_every_page_names_its_static_files_by_content(client):
    urls = _head_urls(client.get("/").get_data(as_text=True))
    assert len(urls) == 5
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Another page names the same files (built once a process).
    assert _head_urls(client.get("/meetings/").get_data(as_text=True)) == urls


def test_an_old_or_missing_version_is_not_cached_for_a_year(client):
    (url,) = [u for u in _head_urls(client.get("/").get_data(as_text=True)) if "app.css" in u]
    stale = client.get(url.split("?")[0] + "?v=000000000000")
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")


def test_in_debug_mode_a_changed_file_gets_a_new_url():
    debug_app = create_app({**_test_settings(), "DEBUG": True})
    sheet = Path(debug_app.static_folder) / f"test-{uuid.uuid4().hex}.css"
    sheet.write_text("body { color: black; }")
    try:
        with debug_app.test_request_context("/"):
            render = debug_app.jinja_env.from_string("{{ static_url(name) }}").render
            first = render(name=sheet.name)
            assert first == url_for("static", filename=sheet.name)
            sheet.write_text("body { color: navy; }")
            os.utime(sheet, ns=(1, 1))  # a new modification time however fast the disk
            assert render(name=sheet.name) != first
    finally:
        sheet.unlink()
