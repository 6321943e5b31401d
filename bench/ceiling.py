"""The ceiling: a minimal Flask app answering a small fixed HTML page, served by gunicorn with
the app's own settings (`gunicorn -c gunicorn.conf.py bench.ceiling:app`).

What the app's pages reach as a share of this is what the benchmark reports: it takes the
machine, gunicorn's sync workers, WSGI and Flask's request handling out of the comparison.
"""

from flask import Flask

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Ceiling – Roundtable</title></head>
<body><main><h1>Ceiling</h1><p>A small fixed page: the most a Flask view can answer here.</p>
</main></body>
</html>
"""

app = Flask(__name__)


@app.route("/", methods=("GET", "POST"))
def page():
    """The same few hundred bytes every time, with no database, session or template."""
    return PAGE
