"""gunicorn settings used by `make run`, the deployment in the README, and the benchmark."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers: each request is short, and SQLite/psycopg calls block anyway. One per core: a
# request spends almost all its time on the CPU (its queries take ~0.1 ms each), so workers
# beyond the cores only take turns, and their switching cost more than the waits they fill:
# the benchmark (2 cores) answered 12-17% more pages with 2 workers than with 4, on SQLite and on
# a PostgreSQL on the same machine. Where requests wait (a database across a network, a slow
# mail server: emails are sent as their request commits), raise WEB_CONCURRENCY (README).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
# The app is imported once in the master and the workers share its pages (copy on write): less
# memory per worker, faster worker restarts, and one secret key read for all. The cost: code
# changes need a full restart (not a HUP), and nothing may connect before the fork (below).
preload_app = True


def post_fork(server, worker):
    """Each worker opens its own database connections: drop any the master's pool holds."""
    from app.extensions import db

    app = server.app.callable
    # Only an app that uses the database (the benchmark's ceiling, served with these settings
    # too, does not).
    if app is not None and "sqlalchemy" in getattr(app, "extensions", {}):
        with app.app_context():
            db.engine.dispose(close=False)
