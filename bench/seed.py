"""Fill an empty database with benchmark data, fast: `python bench/seed.py --scale medium`.

The schema is dropped and created with db.create_all() (never run this against real data),
then every table is filled with Core insert() executemany in chunks, with counters written
exact in the rows themselves (see bench/datagen.py). `--check` then verifies every counter
against the rows it counts. Scales: small (50 members, 500 posts), medium (500 members,
20,000 posts, 100,000 votes, 2,000 actions), large (5,000 members, 200,000 posts, 1,000,000
votes, 20,000 actions).
"""

import argparse
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.orm import aliased  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.config import INSTANCE, database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Action,
    ActionEvent,
    ActionFollower,
    ActionOwner,
    Agenda,
    AgendaItem,
    Board,
    Meeting,
    Post,
    PostKind,
    Registration,
    RegistrationStatus,
    Series,
    Theme,
    User,
    Vote,
)
from app.search.indexing import reindex_all  # noqa: E402
from app.timeutil import utcnow  # noqa: E402
from bench import datagen, datagen_actions  # noqa: E402

CHUNK = 20_000
# Fixed only so that every process of one benchmark run signs cookies alike; never deployed.
BENCH_SECRET_KEY = "roundtable-bench-secret-key-not-for-production"  # noqa: S105


def default_url(scale: str) -> str:
    return f"sqlite:///{INSTANCE / f'bench-{scale}.db'}"


def bench_app(url: str, secret_key: str = BENCH_SECRET_KEY):
    """The real app (production Config) on the bench database, with the bench secret key."""
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url(url), "SECRET_KEY": secret_key,
         "RATELIMIT_ENABLED": False}
    )  # fmt: skip


def reset_schema(url: str) -> None:
    """An empty database with the current models' schema (drop first)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        engine.dispose()
        path = engine.url.database
        if path and path != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    elif engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


def _fill_defaults(table, rows: list[dict]) -> list[dict]:
    """executemany compiles from the first row: give every row the same keys, missing ones
    taking the column's own default."""
    keys = set().union(*(row.keys() for row in rows))
    if all(len(row) == len(keys) for row in rows):
        return rows
    fill = {}
    for key in keys:
        default = table.c[key].default
        if default is not None and default.is_scalar:
            fill[key] = default.arg
        elif default is not None and default.is_callable:
            fill[key] = default.arg({})
        else:
            fill[key] = None
    return [row if len(row) == len(keys) else {**fill, **row} for row in rows]


def bulk(model, rows, counts: dict) -> None:
    """Insert rows (any iterable of dicts) in chunks, one executemany each."""
    table = model.__table__
    iterator = iter(rows)
    total = 0
    with db.engine.begin() as conn:
        while chunk := list(islice(iterator, CHUNK)):
            conn.execute(insert(table), _fill_defaults(table, chunk))
            total += len(chunk)
    counts[table.name] = total


def fix_sequences() -> None:
    """PostgreSQL: explicit ids were inserted, so move each id sequence past the largest."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if "id" not in table.c or not table.c.id.primary_key:
                continue
            seq = conn.scalar(select(func.pg_get_serial_sequence(table.name, "id")))
            if seq:
                top = conn.scalar(select(func.coalesce(func.max(table.c.id), 0)))
                conn.execute(select(func.setval(seq, top + 1, False)))


def seed(scale: str, *, seed_value: int = 8, quiet: bool = False) -> dict:
    """Drop, create and fill the schema at scale; returns what was made (counts, hot ids)."""
    started = time.perf_counter()
    plan = datagen.plan(datagen.SCALES[scale], now=utcnow(), seed=seed_value)
    password_hash = generate_password_hash(datagen.BENCH_PASSWORD, method="scrypt")
    reset_schema(str(db.engine.url))
    counts: dict[str, int] = {}
    series, themes = datagen.series_rows(plan)
    registrations = datagen.registration_rows(plan)  # sets the meetings' counts first
    bulk(User, datagen.user_rows(plan, password_hash), counts)
    bulk(Series, series, counts)
    bulk(Theme, themes, counts)
    bulk(Meeting, datagen.meeting_rows(plan), counts)
    bulk(Registration, registrations, counts)
    bulk(Board, datagen.board_rows(plan), counts)
    bulk(Post, datagen.post_rows(plan), counts)
    bulk(Vote, datagen.vote_rows(plan), counts)
    agendas, items = datagen_actions.agenda_rows(plan)
    bulk(Agenda, agendas, counts)
    bulk(AgendaItem, items, counts)
    actions, owners, followers, events = datagen_actions.action_rows(plan)
    bulk(Action, actions, counts)
    bulk(ActionOwner, owners, counts)
    bulk(ActionFollower, followers, counts)
    bulk(ActionEvent, events, counts)
    fix_sequences()
    # Core inserts bypass the ORM events that keep the search index: rebuild it, as an operator
    # would with `flask search reindex` after a bulk import.
    with db.engine.begin() as conn:
        counts["search_document"] = sum(reindex_all(conn).values())
    if db.engine.dialect.name == "postgresql":
        # What autovacuum would have done by the time a real database held this much.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    info = {
        "scale": scale,
        "seconds": round(time.perf_counter() - started, 1),
        "rows": counts,
        "hot": {
            "meeting": plan.hot_meeting + 1,
            "board": plan.boards[plan.hot_board]["id"],
            "thread": plan.hot_thread,
            "question": plan.hot_question,
        },
        "notes": plan.notes,
    }
    if not quiet:
        print(f"Seeded {scale} in {info['seconds']} s: {counts}")
        for note in plan.notes:
            print(f"  note: {note}")
    return info


def check() -> list[str]:
    """Every denormalised counter against the rows it counts; returns the problems found."""
    s = db.session
    problems = []
    votes = select(func.count(Vote.id)).where(Vote.post_id == Post.id).scalar_subquery()
    replies_in = aliased(Post)
    replies = (
        select(func.count(replies_in.id)).where(replies_in.root_id == Post.id).scalar_subquery()
    )
    checks = {
        "Post.vote_count": select(func.count()).where(Post.vote_count != votes),
        "Post.reply_count": select(func.count()).where(
            Post.parent_id.is_(None), Post.reply_count != replies
        ),
        "Board.post_count": select(func.count()).where(
            Board.post_count
            != select(func.count(Post.id)).where(Post.board_id == Board.id).scalar_subquery()
        ),
        "Board.question_count": select(func.count()).where(
            Board.question_count
            != select(func.count(Post.id))
            .where(Post.board_id == Board.id, Post.kind == PostKind.QUESTION)
            .scalar_subquery()
        ),
        "Meeting.registered_count": select(func.count()).where(
            Meeting.registered_count
            != select(func.count(Registration.id))
            .where(
                Registration.meeting_id == Meeting.id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
            .scalar_subquery()
        ),
        "Meeting.waitlist_count": select(func.count()).where(
            Meeting.waitlist_count
            != select(func.count(Registration.id))
            .where(
                Registration.meeting_id == Meeting.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .scalar_subquery()
        ),
    }
    for name, query in checks.items():
        wrong = s.scalar(query.select_from(_table_of(name)))
        if wrong:
            problems.append(f"{name} wrong on {wrong} rows")
    parent = aliased(Post)
    wrong_tree = s.scalar(
        select(func.count())
        .select_from(Post)
        .join(parent, Post.parent_id == parent.id)
        .where(
            (Post.depth != parent.depth + 1)
            | (Post.root_id != func.coalesce(parent.root_id, parent.id))
            | (Post.board_id != parent.board_id)
        )
    )
    if wrong_tree:
        problems.append(f"reply tree (depth/root/board) wrong on {wrong_tree} rows")
    wrong_voters = s.scalar(
        select(func.count()).select_from(Vote).join(Post).where(Vote.user_id == Post.author_id)
    )
    if wrong_voters:
        problems.append(f"{wrong_voters} votes by a question's own author")
    return problems


def _table_of(name: str):
    return {"Post": Post, "Board": Board, "Meeting": Meeting}[name.split(".")[0]]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(datagen.SCALES), default="small")
    parser.add_argument("--database-url", help="default: sqlite:///instance/bench-<scale>.db")
    parser.add_argument("--seed", type=int, default=8, help="random seed (same data each time)")
    parser.add_argument("--check", action="store_true", help="verify every counter afterwards")
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.scale)
    app = bench_app(url)
    with app.app_context():
        seed(args.scale, seed_value=args.seed)
        if args.check:
            problems = check()
            for problem in problems:
                print(f"  PROBLEM: {problem}")
            print("Counters exact." if not problems else "Counters WRONG.")
            return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
