"""What members do and see: report a post, read the decisions about their posts and appeal one,
dismiss a warning, and read the open moderation report."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import EmptyForm
from app.htmx import is_partial_request, render_page_or_fragment, retarget
from app.main.errors import render_error
from app.models import AuditEvent, MemberWarning
from app.moderation import bp, notify, people, queries, services
from app.moderation import report as report_data
from app.moderation.context import flag_form_for
from app.moderation.forms import AppealForm
from app.moderation.views import limit_flagging, mark_flagged, post_link, post_or_404
from app.permissions import member_required, safe_next, standing

PER_PAGE = 25


def _flag_context(post, form, *, done=False, announce="") -> dict:
    return {
        "post": post,
        "form": form,
        "done": done,
        "announce": announce,
        "partial": is_partial_request(),
        "back_url": post_link(post),
    }


@bp.route("/posts/<int:post_id>/flag", methods=("GET", "POST"))
@limit_flagging
@member_required
def flag(post_id: int):
    """Report a post to the moderators with a reason: a page without JavaScript (then back to
    the post), or in place with htmx. One report per member per post; not one's own post."""
    post = post_or_404(post_id)
    if problem := services.flag_problem(post, current_user):
        return render_error(403, problem)
    already = services.has_flagged(post.id, current_user.id)
    form = flag_form_for(post.id, formdata=None if request.method == "GET" else request.form)
    if request.method == "GET" or already:
        return render_page_or_fragment(
            "moderation/flag.html",
            "moderation/_flag.html",
            **_flag_context(post, form, done=already),
        )
    if not form.validate_on_submit():
        response = render_page_or_fragment(
            "moderation/flag.html",
            "moderation/_flag.html",
            status=422,
            **_flag_context(post, form),
        )
        if is_partial_request():
            retarget(response, f"#flag-{post.id}", swap="outerHTML")
        return response
    try:
        result = services.flag_post(post, current_user, form.reason.data, form.note.data or "")
        if result.hidden_now:
            notify.send_hidden_alert(post)
        db.session.commit()
    except services.AlreadyFlagged:
        post = post_or_404(post_id)
    else:
        mark_flagged()
    message = "Thank you. The moderators will look at this post."
    if is_partial_request():
        return render_page_or_fragment(
            "moderation/flag.html",
            "moderation/_flag.html",
            **_flag_context(post, form, done=True, announce=message),
        )
    flash(f"You reported this post. {message}", "success")
    return redirect(post_link(post))


@bp.get("/decisions")
@member_required
def mine():
    """The moderators' decisions about the member's posts and about them (newest first), each
    with its reason and, where it went against them, a way to appeal once; their warnings and
    any suspension."""
    pagination = db.paginate(
        queries.decisions_about(current_user.id),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    events = list(pagination.items)
    post_ids = [e.subject_id for e in events if e.subject_type == "post" and e.subject_id]
    return render_template(
        "moderation/mine.html",
        events=events,
        appeals=queries.appeals_for([e.id for e in events]),
        posts=queries.posts_by_id(post_ids),
        appealable=services.APPEALABLE,
        headlines=services.AUTHOR_DECISIONS,
        standing=standing(current_user),
        pagination=pagination,
        page_url=lambda n: url_for("moderation.mine", page=n),
    )


def _own_event(event_id: int) -> AuditEvent:
    event = db.session.get(AuditEvent, event_id)
    if event is None or event.subject_user_id != current_user.id:
        abort(404)
    if event.action not in services.APPEALABLE or event.subject_type != "post":
        abort(404)
    return event


@bp.route("/decisions/<int:event_id>/appeal", methods=("GET", "POST"))
@member_required
def appeal(event_id: int):
    """Appeal a decision about your post once, saying why; it goes back into the queue for a
    different moderator (where there is one)."""
    event = _own_event(event_id)
    form = AppealForm()
    problem = people.appeal_problem(event, current_user)
    status = 409 if problem else 200
    if request.method == "POST" and not problem:
        if form.validate_on_submit():
            try:
                people.appeal(event, current_user, form.reason.data)
                db.session.commit()
            except services.Refused as refused:
                db.session.rollback()
                problem, status = str(refused), 409
            else:
                flash(
                    "Your appeal is with the moderators. We will email you their decision.",
                    "success",
                )
                return redirect(url_for("moderation.mine"))
        else:
            status = 422
    return render_template(
        "moderation/appeal.html",
        event=event,
        headline=services.AUTHOR_DECISIONS[event.action],
        form=form,
        problem=problem,
        post=queries.posts_by_id([event.subject_id]).get(event.subject_id),
    ), status


@bp.post("/warnings/<int:warning_id>/dismiss")
@member_required
def dismiss_warning(warning_id: int):
    """Hide a warning's banner once read (it stays on the decisions page)."""
    warning = db.session.get(MemberWarning, warning_id)
    if warning is None or warning.user_id != current_user.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    people.dismiss_warning(warning)
    db.session.commit()
    g.pop("_rt_standing", None)  # read the standing again, without this warning
    if is_partial_request():
        return render_template(
            "moderation/_notices.html",
            notices=standing(current_user),
            notices_announce="Warning dismissed. You can read it again on your decisions page.",
        )
    flash("Warning dismissed. You can read it again on this page.", "info")
    return redirect(safe_next(request.form.get("next"), default=url_for("moderation.mine")))


@bp.get("/report")
@member_required
def report():
    """The open moderation report: per month, how many posts were reported, held, hidden and
    restored, for which reasons, and the median time to a decision. No names."""
    return render_template("moderation/report.html", months=report_data.monthly())
