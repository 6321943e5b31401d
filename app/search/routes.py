"""The search page: one GET form, results that work without JavaScript, htmx in place."""

from flask import request, url_for
from flask_login import current_user

from app.htmx import is_partial_request, render_page_or_fragment
from app.search import bp, services
from app.search.forms import SearchForm

# A page number beyond any real result list (and any database's offset arithmetic).
MAX_PAGE = 10_000


def search_context() -> tuple[dict, int]:
    """Everything the page and its fragment show, from the query string; and the status."""
    viewer = services.Viewer.of(current_user)
    choices = services.filter_choices(viewer)
    filters = services.read_filters(request.args, viewer, choices)
    form = SearchForm(request.args)
    form.offer(viewer.kinds, choices)
    # What is shown as chosen is what is applied (ignored values show as "All").
    form.kind.data = list(filters.kinds)
    form.series.data = str(filters.series_id or "")
    form.meeting.data = str(filters.meeting_id or "")
    form.theme.data = str(filters.theme_id or "")
    form.sort.data = filters.sort
    query = form.q.data or ""
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    status = 200
    terms: list[str] = []
    results = None
    if not form.validate():
        status = 422
    else:
        terms = services.terms_of(query)
        if terms:
            results = services.search(terms, filters, viewer, page)

    def page_url(n: int) -> str:
        return url_for("search.index", q=query, page=n if n > 1 else None, **filters.args())

    context = {
        "form": form,
        "viewer": viewer,
        "query": query,
        "terms": terms,
        "filters": filters,
        "results": results,
        "pagination": results,
        "page_url": page_url,
        "partial": is_partial_request(),
        "page_title": _page_title(query, terms, results),
    }
    return context, status


def _page_title(query: str, terms: list[str], results) -> str:
    """The page's title: Search, or Search results for “data” (page 2 of 3)."""
    if not terms:
        return "Search"
    title = f"Search results for \u201c{query}\u201d"
    if results is not None and results.pages > 1:
        title += f" (page {results.page} of {results.pages})"
    return title


@bp.get("/")
def index():
    """Search threads, replies, meetings and actions the person may see; a constant number of
    queries per page of 20, the words treated as plain words, too long a query refused (422)
    next to the field. htmx gets the form and results alone, to swap in place."""
    context, status = search_context()
    return render_page_or_fragment(
        "search/index.html", "search/_search.html", status=status, **context
    )
