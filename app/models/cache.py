"""The content generation's row: one counter that every kept fragment's key includes
(app.content_generation)."""

import secrets

from sqlalchemy import BigInteger, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


def fresh_start() -> int:
    """A random starting value, so that a database created again, emptied or restored never
    meets the keys an earlier life of it left in a process's cache."""
    return secrets.randbits(48)


class ContentGeneration(db.Model):
    """A single row (id 1). Without it nothing is cached: the app then renders every time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


@event.listens_for(ContentGeneration.__table__, "after_create")
def _first_row(target, connection, **kw) -> None:
    connection.execute(insert(target).values(id=1, value=fresh_start()))
