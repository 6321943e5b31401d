"""The home page, health check, error pages and the response headers every page carries."""

from app.extensions import db
from app.models import MeetingStatus


def test_home_lists_upcoming_published_meetings_only(client, make):
    make.meeting(title="Using data well")
    make.meeting(title="A draft nobody sees", status=MeetingStatus.DRAFT)
    make.meeting(title="Long gone", starts_in=-__import__("datetime").timedelta(days=30))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Using data well" in page
    assert "A draft nobody sees" not in page
    assert "Long gone" not in page


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_security_headers_on_every_response(client):
    for path in ("/", "/healthz", "/no-such-page", "/static/css/app.css"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_not_found_page_and_fragment(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    assert "<html" in body and "Page not found" in body
    fragment = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="htmx-error"' in body
    assert fragment.headers["HX-Retarget"] == "#htmx-errors"


def test_method_not_allowed_keeps_allow_header(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "cannot be done here" in response.get_data(as_text=True)


def test_oversized_body_gets_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/auth/login", data={"email": "x" * 500})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_server_error_page_and_rollback(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.get_data(as_text=True)
