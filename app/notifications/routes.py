"""Notifications pages: the list, opening one, the header's bell, email settings, unsubscribing
from an email, and following threads and boards.

Opening a notification is a POST (a small form styled as a link) that marks it read and
redirects to what it is about. Marking read is a write, and writes never happen on GET (STYLE.md
rule 27): a GET link would be marked read by link prefetchers and mail scanners, and any other
site could mark a member's notifications read with an <img>. The cost, that a button cannot be
opened in a new tab, is small: the page it leads to has its own plain links.
"""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from app import fragments
from app.extensions import csrf, db, login_manager
from app.forms import EmptyForm
from app.htmx import hx_redirect, is_htmx, is_partial_request, render_page_or_fragment
from app.models import Role
from app.models.notifications import EmailMode, Kind
from app.notifications import bp, delivery, follows, settings
from app.notifications.forms import FollowForm, SettingsForm
from app.permissions import member_required, safe_next

PER_PAGE = 25
# htmx stops polling when a poll is answered with this status.
STOP_POLLING = 286


def list_context(*, just_marked: bool = False) -> dict:
    """What the notifications page and its list fragment need (one context for both)."""
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        delivery.page_query(current_user.id), page=page, per_page=PER_PAGE, error_out=False
    )

    def page_url(n: int) -> str:
        return url_for("notifications.index", page=n if n > 1 else None)

    return {
        "pagination": pagination,
        "notifications": list(pagination.items),
        "page_url": page_url,
        "unread": current_user.unread_notifications,
        "just_marked": just_marked,
    }


@bp.get("/")
@member_required
def index():
    """The member's own notifications, newest first, 25 a page, in a fixed number of queries
    however many there are; the list alone for htmx."""
    return render_page_or_fragment(
        "notifications/index.html", "notifications/_list.html", **list_context()
    )


@bp.post("/read")
@member_required
def read_all():
    """Mark all the member's notifications read; htmx gets the list back, focused, with the
    header's count updated out of band."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    changed = delivery.mark_all_read(current_user)
    db.session.commit()
    if is_partial_request():
        return render_template("notifications/_list_marked.html", **list_context(just_marked=True))
    if changed:
        flash("All your notifications are marked as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/<int:notification_id>/open")
@member_required
def open_notification(notification_id: int):
    """Mark one of the member's own notifications read and go to what it is about (303); a
    notification of someone else is 404, as if it did not exist."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    notification = delivery.get_own(notification_id, current_user.id)
    if notification is None:
        abort(404)
    delivery.mark_read(notification)
    db.session.commit()
    endpoint, values = delivery.target(notification)
    url = url_for(endpoint, **values)
    return hx_redirect(url) if is_htmx() else redirect(url, 303)


@bp.get("/bell")
def bell():
    """The header's unread count, polled by htmx: 304 with no rendering while it is unchanged
    (one query: the logged-in member, which every request loads anyway). A poll from a page
    whose session ended stops polling instead of sending the page to the log-in form."""
    if not current_user.is_authenticated:
        if is_htmx():
            return render_template("notifications/_count.html", unread=0), STOP_POLLING
        return login_manager.unauthorized()
    if not current_user.has_role(Role.MEMBER):
        abort(403)
    unread = current_user.unread_notifications
    etag = f"bell-{current_user.id}-{unread}"
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        response = make_response(render_template("notifications/_count.html", unread=unread))
    response.set_etag(etag)
    # Kept by the browser but checked on every poll; private: it is one member's count.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


def _settings_data(current) -> dict:
    days = current.meeting_digest_days
    return {
        **{kind: current.mode(kind) for kind in Kind.EMAILED},
        "meeting_digest": "yes" if days else "no",
        "digest_days": str(days or 3),
    }


@bp.route("/settings", methods=("GET", "POST"), endpoint="settings")
@member_required
def settings_page():
    """The member's email settings: a fieldset per kind (immediately, daily digest, never) and
    the digest before meetings. Errors come back next to the field (422), choices kept."""
    form = SettingsForm(data=_settings_data(settings.settings_for(current_user.id)))
    if form.validate_on_submit():
        settings.save(current_user, form.modes, form.days)
        db.session.commit()
        flash("Your email settings are saved.", "success")
        return redirect(url_for("notifications.settings"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "notifications/settings.html",
        form=form,
        kinds=Kind.EMAILED,
        labels=Kind.LABELS,
        always_emailed=(Kind.ACTION_INVITE, Kind.MODERATION),
        modes=EmailMode,
    ), status


@bp.route("/unsubscribe/<token>", methods=("GET", "POST"))
@csrf.exempt
def unsubscribe(token: str):
    """An email's unsubscribe link, without logging in: GET asks to confirm, POST stops the
    emails the signed token names. Also the RFC 8058 one-click target (List-Unsubscribe-Post),
    which mail apps POST without a CSRF token: the signed token is the proof, so CSRF checking
    is off here, and all a forged request could do is stop emails."""
    found = settings.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user, what = found
    done = request.method == "POST"
    if done:
        settings.unsubscribe(user, what)
        db.session.commit()
    return render_template(
        "notifications/unsubscribe.html",
        done=done,
        what=settings.UNSUBSCRIBE_LABELS[what],
        email=user.email,
        token=token,
    )


# Following -----------------------------------------------------------------------------------


def _follow_state(kind: str, target, following: bool, next_url: str | None = None) -> dict:
    if kind == follows.THREAD:
        name, news = target.title, "new replies"
        back = url_for("boards.thread", post_id=target.id)
    else:
        name, news = f"{target.theme.title} ({target.meeting.title})", "new threads"
        back = url_for("boards.board", board_id=target.id)
    return {
        "kind": kind,
        "id": target.id,
        "name": name,
        "news": news,
        "following": following,
        "url": url_for("notifications.follow", kind=kind, ident=target.id),
        "next": next_url or back,
    }


@bp.app_template_global()
def follow_button(kind: str, target, next_url: str | None = None) -> Markup:
    """The follow/unfollow control for a thread or a board (one query), for members; nothing
    for anyone else. Other areas' pages show it with {{ follow_button("thread", thread) }}."""
    if not current_user.is_authenticated or not current_user.has_role(Role.MEMBER):
        return Markup("")
    back = next_url or request.full_path.rstrip("?")
    # Both states, the member's chosen when the page is sent: a page kept for every member
    # holds this control too (app.fragments).
    drawn = [
        render_template(
            "notifications/_follow.html", follow=_follow_state(kind, target, following, back)
        )
        for following in (False, True)
    ]
    return fragments.per_viewer(f"follow_{kind}", target.id, *drawn)


@fragments.resolver("follow_board")
def _followed_boards(idents: set[int]) -> set[int]:
    return _followed("board", idents)


@fragments.resolver("follow_thread")
def _followed_threads(idents: set[int]) -> set[int]:
    return _followed("thread", idents)


def _followed(kind: str, idents: set[int]) -> set[int]:
    if not current_user.is_authenticated:
        return set()
    return follows.followed(current_user.id, kind, idents)


@bp.post("/follow/<kind>/<int:ident>")
@member_required
def follow(kind: str, ident: int):
    """Follow (follow=1) or stop following (follow=0) a thread or board the member may see;
    htmx gets the button back in place with the result announced, others go back (PRG)."""
    target = follows.target(kind, ident, current_user)
    if target is None:
        abort(404)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    following = follows.set_following(current_user.id, kind, ident, form.follow.data == "1")
    db.session.commit()
    state = _follow_state(kind, target, following, request.form.get("next"))
    if following:
        message = (
            f"You are following \u201c{state['name']}\u201d: "
            f"we will tell you about {state['news']}."
        )
    else:
        message = f"You no longer follow \u201c{state['name']}\u201d."
    if is_partial_request():
        return render_template("notifications/_follow.html", follow=state, announce=message)
    flash(message, "success")
    return redirect(safe_next(state["next"], default=url_for("notifications.index")))
