"""Two (or eight) facilitators editing one agenda at once: never a duplicate, never a gap.

Each thread works in its own app context (its own session and connection), as separate
requests in separate workers would; a barrier releases them together. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL.
"""

import threading

from app.agenda import services
from app.extensions import db
from app.models import AgendaItem, Meeting, Post
from tests.agenda.conftest import HX

THREADS = 8


def together(app, work, n=THREADS) -> list[Exception]:
    """Run work(i) in n threads released at once; returns the exceptions raised."""
    barrier = threading.Barrier(n)
    errors: list[Exception] = []

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                work(i)
                db.session.commit()
            except Exception as error:  # collected and asserted on by the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def positions(world, meeting_id) -> list[int]:
    return [position for _, position, _ in world.items(meeting_id)]


def test_concurrent_adds_of_the_same_question_make_one_item(app, world):
    m = world.meeting()
    q = world.question(m.boards[0], title="Everyone wants this one")

    def add(i):
        services.add_question(db.session.get(Meeting, m.id), db.session.get(Post, q))

    assert together(app, add) == []
    assert world.items(m.id) == [(world.items(m.id)[0][0], 1, "Everyone wants this one")]


def test_concurrent_adds_of_different_questions_number_cleanly(app, world):
    m = world.meeting()
    questions = [world.question(m.boards[0], title=f"Q{i}") for i in range(THREADS)]

    def add(i):
        services.add_question(db.session.get(Meeting, m.id), db.session.get(Post, questions[i]))

    assert together(app, add) == []
    assert positions(world, m.id) == list(range(1, THREADS + 1))


def test_concurrent_moves_adds_and_removals_keep_positions_one_to_n(app, world):
    m = world.meeting()
    ids = [world.add_item(m.id, f"Item {i}") for i in range(6)]

    def mixed(i):
        meeting = db.session.get(Meeting, m.id)
        kind = i % 4
        if kind == 0:
            services.add_free_item(meeting, f"New {i}", 5, first=i % 8 == 0)
        elif kind == 1:
            services.move_item(db.session.get(AgendaItem, ids[i % 6]), "up")
        elif kind == 2:
            services.move_item(db.session.get(AgendaItem, ids[(i + 2) % 6]), "down")
        else:
            services.fill_from_top(meeting)

    assert together(app, mixed) == []
    assert positions(world, m.id) == list(range(1, len(world.items(m.id)) + 1))
    assert len(world.items(m.id)) == 6 + 2


def test_concurrent_moves_of_one_item_move_it_once_each(app, world):
    m = world.meeting()
    ids = [world.add_item(m.id, f"Item {i}") for i in range(THREADS + 1)]
    last = ids[-1]

    def up(i):
        services.move_item(db.session.get(AgendaItem, last), "up")

    assert together(app, up) == []
    items = world.items(m.id)
    assert [p for _, p, _ in items] == list(range(1, THREADS + 2))
    assert items[0][0] == last


def test_concurrent_add_requests_through_the_app_make_one_item(app, world):
    m = world.meeting()
    q = world.question(m.boards[0])
    clients = [world.client(user_id=world.user(role=2)) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def post(client):
        barrier.wait()
        statuses.append(client.post(f"/agenda/{m.id}/candidates/{q}/add", headers=HX).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * len(clients)
    assert [p for _, p, _ in world.items(m.id)] == [1]
