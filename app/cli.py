"""Command-line tasks: `flask seed-demo`, `flask create-admin`."""

import os

import click
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User


def register(app: Flask) -> None:
    """Attach the commands to `flask`."""
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_admin)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no accounts yet.")
def seed_demo(if_empty: bool):
    """Fill the database with the Levelling Up demo community (safe to run again)."""
    from app import demo

    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("The database already has accounts; demo data not added.")
        return
    created = demo.seed()
    db.session.commit()
    if created:
        click.echo("Demo data created.")
    else:
        click.echo("Demo data already present; nothing changed.")
    click.echo(f"Demo accounts (password: {demo.DEMO_PASSWORD}):")
    for email, roles in demo.DEMO_ACCOUNTS:
        click.echo(f"  {email:28} {', '.join(r.label for r in roles)}")


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", help="Display name for a new account.")
def create_admin(email: str, name: str):
    """Make EMAIL an admin, creating the account if needed.

    The password comes from ROUNDTABLE_ADMIN_PASSWORD, or a prompt.
    """
    from app.auth.passwords import password_problem

    password = os.environ.get("ROUNDTABLE_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    if problem := password_problem(password):
        raise click.ClickException(problem)
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email_matches(email)))
    if user is None:
        user = User(email=email, display_name=name)
        db.session.add(user)
    user.roles = int(Role(user.roles or 0) | Role.ADMIN | Role.MEMBER)
    user.set_password(password)
    db.session.commit()
    click.echo(f"{email} is an admin.")
