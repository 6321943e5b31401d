"""Signed, expiring, single-use links for setting a password (welcome and reset)."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models import User


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"roundtable-{purpose}")


def password_token(user: User, purpose: str) -> str:
    """A token naming the user and a fingerprint of their current password.

    Setting a password changes the fingerprint, so a used token no longer matches: single use
    without a table of issued tokens.
    """
    return _serializer(purpose).dumps({"u": user.id, "p": user.password_fingerprint})


def user_from_password_token(token: str, purpose: str, max_age: int) -> User | None:
    """The user a still-valid token names, or None if it is forged, expired or already used."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or user.password_fingerprint != data.get("p"):
        return None
    return user
