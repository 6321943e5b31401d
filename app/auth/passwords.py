"""Password rules: long enough, and not one of the passwords attackers try first."""

from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 200  # scrypt cost grows with input; nobody needs more


@cache
def _common() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str) -> str | None:
    """The reason a password is refused, phrased for the person choosing it, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if password.strip().lower() in _common() or len(set(password)) < 4:
        return "Password is too easy to guess; choose a less common one"
    return None
