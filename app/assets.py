"""Static files: every url_for("static", ...) carries a hash of the file's content (?v=...), and
a request with the current hash is answered with a year's cache lifetime, so browsers keep the
CSS and scripts until a deploy changes them (and then fetch the new URL)."""

import hashlib
from pathlib import Path

from flask import Flask, request, url_for

YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Version static URLs and give versioned answers a long, immutable cache lifetime."""
    static = Path(app.static_folder)
    known: dict[str, tuple[int, str]] = {}

    def version(filename: str) -> str | None:
        """The first 12 hex digits of the file's SHA-256, re-read when the file changes (in
        debug mode: a deploy restarts the workers, and a stat for every static URL of every
        page is a visible share of a page's time)."""
        entry = known.get(filename)
        if entry is not None and not app.debug:
            return entry[1]
        try:
            changed = (static / filename).stat().st_mtime_ns
        except OSError:
            return None
        entry = known.get(filename)
        if entry is None or entry[0] != changed:
            digest = hashlib.sha256((static / filename).read_bytes()).hexdigest()[:12]
            entry = known[filename] = (changed, digest)
        return entry[1]

    urls: dict[tuple[str, str], str] = {}

    def static_url(filename: str) -> str:
        """url_for("static", filename=filename), built once a process for each script root
        (every page's head names the same five files; in debug mode, each time)."""
        key = (request.script_root, filename)
        url = urls.get(key)
        if url is None or app.debug:
            url = urls[key] = url_for("static", filename=filename)
        return url

    app.jinja_env.globals["static_url"] = static_url

    @app.url_defaults
    def add_static_version(endpoint: str, values: dict) -> None:
        digest = endpoint == "static" and "v" not in values and version(values["filename"])
        if digest:
            values["v"] = digest

    @app.after_request
    def cache_versioned_static(response):
        # Only a file actually served (never a 404) and asked for by its current content.
        if request.endpoint != "static" or response.status_code not in (200, 206, 304):
            return response
        asked = request.args.get("v")
        if asked and asked == version((request.view_args or {}).get("filename", "")):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
