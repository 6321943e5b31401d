"""Command-line tasks: `flask seed-demo`, `flask create-admin`, `flask send-queued-email`,
`flask backup` and `flask restore`."""

import os
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User


def register(app: Flask) -> None:
    """Attach the commands to `flask`."""
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_admin)
    app.cli.add_command(send_queued_email)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


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


@click.command("send-queued-email")
def send_queued_email():
    """Send queued emails that are due, retrying failed ones later (safe to run often, anywhere)."""
    from app import mail

    delivery = mail.send_queued()
    waiting = mail.waiting_count()
    click.echo(
        f"{delivery.sent} sent, {delivery.failed} failed (kept for a later attempt), "
        f"{waiting} in the queue."
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path):
    """Write a consistent copy of the database to PATH, while the app keeps serving."""
    from app import backup as backups

    try:
        size = backups.backup(path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    where = backups.describe(backups.database_url())
    click.echo(f"{where} backed up to {path} ({size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: Path, yes: bool):
    """Replace the database with the backup at PATH; everything written since it is lost."""
    from app import backup as backups

    where = backups.describe(backups.database_url())
    if not yes:
        click.confirm(
            f"Replace everything in the {where} with {path}? Changes made since it are lost",
            abort=True,
        )
    try:
        backups.restore(path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{where} restored from {path}.")
