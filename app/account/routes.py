"""A member's own data: download all of it, or close the account."""

import json

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from app.account import bp, services
from app.account.export import export_data
from app.account.forms import CloseAccountForm
from app.extensions import db
from app.htmx import hx_redirect, is_htmx
from app.meetings.registration import send_promotion_emails
from app.permissions import member_required, require
from app.timeutil import utcnow

CLOSED_MESSAGE = (
    "Your account is closed and you have been logged out. What you wrote stays in the "
    "community's discussions under the name \u201cFormer member\u201d."
)


@bp.after_request
def _no_store(response):
    """These pages and the download hold personal data: no cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export")
@member_required
def export():
    """Download, as a JSON attachment, everything Roundtable holds about the logged-in member;
    there is no id in the URL, so nobody can download anyone else's."""
    data = export_data(current_user._get_current_object())
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    filename = f"roundtable-your-data-{utcnow():%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/close", methods=("GET", "POST"))
@member_required
def close():
    """Say what closing an account means; with the current password (POST), close it for good:
    every session ends, log-in fails, personal details are erased and what the member wrote
    shows "Former member". The last admin cannot close their account (403)."""
    user = current_user._get_current_object()
    last_admin = services.is_last_admin(user)
    form = CloseAccountForm(user)
    if form.is_submitted():
        require(not last_admin)
    if form.validate_on_submit():
        closure = services.close_account(user)
        for meeting, promoted in closure.promotions:
            send_promotion_emails(meeting, promoted)
        db.session.commit()
        session.clear()
        logout_user()
        flash(CLOSED_MESSAGE, "success")
        home = url_for("main.home")
        return hx_redirect(home) if is_htmx() else redirect(home)
    status = 422 if form.is_submitted() else 200
    return render_template("account/close.html", form=form, last_admin=last_admin), status
