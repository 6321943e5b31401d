"""The public home page and the load balancer's health check."""

from flask import jsonify, render_template
from sqlalchemy import select, text

from app.extensions import db
from app.main import bp
from app.models import Meeting, MeetingStatus, SiteText
from app.timeutil import utcnow

UPCOMING_ON_HOME = 5


@bp.get("/")
def home():
    """What the community is and its next published meetings, for everyone."""
    upcoming = db.session.scalars(
        select(Meeting)
        .where(Meeting.status == MeetingStatus.PUBLISHED, Meeting.ends_at >= utcnow())
        .order_by(Meeting.starts_at)
        .limit(UPCOMING_ON_HOME)
    ).all()
    about = db.session.get(SiteText, "about")
    return render_template("main/home.html", upcoming=upcoming, about=about)


@bp.get("/healthz")
def healthz():
    """200 with the database status when the app can reach its database, 503 when it cannot."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready"; the detail goes to the log
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
