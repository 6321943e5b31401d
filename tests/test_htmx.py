"""app.htmx: one rule decides page or fragment; response-header helpers."""

import json

import pytest
from flask import Response

from app.htmx import hx_redirect, hx_trigger, is_partial_request, render_page_or_fragment, retarget


@pytest.mark.parametrize(
    ("headers", "partial"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
        ({"HX-Request": "false"}, False),
    ],
)
def test_partial_only_for_plain_htmx_requests(app, headers, partial):
    with app.test_request_context("/", headers=headers):
        assert is_partial_request() is partial


def test_render_page_or_fragment_varies_on_hx_request(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        response = render_page_or_fragment(
            "errors/error.html", "errors/_error.html", code=404, title="T", message="M"
        )
        assert "<html" not in response.get_data(as_text=True)
        assert "HX-Request" in response.headers["Vary"]
    with app.test_request_context("/"):
        response = render_page_or_fragment(
            "errors/error.html", "errors/_error.html", code=404, title="T", message="M"
        )
        assert "<html" in response.get_data(as_text=True)
        assert "HX-Request" in response.headers["Vary"]


def test_hx_trigger_merges_events():
    response = hx_trigger(Response(), "voted", {"id": 1})
    hx_trigger(response, "announce")
    assert json.loads(response.headers["HX-Trigger"]) == {"voted": {"id": 1}, "announce": True}


def test_redirect_and_retarget_headers(app):
    with app.test_request_context("/"):
        response = hx_redirect("/auth/login", status=401)
        assert (response.status_code, response.headers["HX-Redirect"]) == (401, "/auth/login")
        retarget(response, "#htmx-errors")
        assert response.headers["HX-Retarget"] == "#htmx-errors"
        assert response.headers["HX-Reswap"] == "innerHTML"
