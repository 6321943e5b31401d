"""The one place that decides full page or fragment, and that writes htmx response headers."""

import json
from typing import Any

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    """True when htmx sent the request (whatever it will do with the answer)."""
    return request.headers.get("HX-Request") == "true"


def is_partial_request() -> bool:
    """True when the answer should be a fragment.

    A boosted request and a history-restore request both expect a whole page, although they
    carry HX-Request too (htmx PR #2013).
    """
    return (
        is_htmx()
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(
    page: str, fragment: str, *, status: int = 200, **context: Any
) -> Response:
    """Render the page, or only its fragment for htmx, from one context so the two can't drift."""
    template = fragment if is_partial_request() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def hx_trigger(response: Response, name: str, params: Any = None) -> Response:
    """Add a client event to HX-Trigger, merging with any already set."""
    current = response.headers.get("HX-Trigger")
    events: dict[str, Any] = json.loads(current) if current else {}
    events[name] = params if params is not None else True
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


def hx_redirect(url: str, status: int = 200) -> Response:
    """Tell htmx to load a whole new page (a plain 302 would be followed inside the fragment)."""
    response = make_response("", status)
    response.headers["HX-Redirect"] = url
    return response


def retarget(response: Response, selector: str, swap: str = "innerHTML") -> Response:
    """Send the response somewhere other than the element that asked (error messages)."""
    response.headers["HX-Retarget"] = selector
    response.headers["HX-Reswap"] = swap
    return response
