"""Joining the community: public texts, applying, the applicant's status page, the review queue,
and members' public profiles."""

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
from sqlalchemy.exc import IntegrityError

from app.community import bp, services
from app.community.forms import ApplicationForm, ApproveForm, DeclineForm
from app.extensions import db, limiter
from app.forms import EmptyForm
from app.htmx import is_partial_request, render_page_or_fragment
from app.models import Application, ApplicationStatus, User
from app.permissions import facilitator_required, member_required, safe_next

# Public pages ------------------------------------------------------------------------------


@bp.get("/joining")
def criteria():
    """The published joining criteria (or a default sentence) with the way to apply."""
    return render_template("community/criteria.html", text=services.page_text("joining_criteria"))


@bp.get("/guidelines")
def guidelines():
    """The published community guidelines (or a default sentence), for everyone."""
    return render_template("community/guidelines.html", text=services.page_text("guidelines"))


@bp.route("/apply", methods=("GET", "POST"))
@limiter.limit(lambda: current_app.config["RATELIMIT_APPLY"], methods=["POST"])
def apply():
    """Take an application; one pending per address, never a second account; 422 when invalid."""
    form = ApplicationForm()
    member_exists = False
    if form.validate_on_submit():
        email = form.email.data
        if services.member_for_email(email) is not None:
            member_exists = True
            form.email.errors.append(services.MEMBER_EXISTS_MESSAGE)
        elif services.pending_application_for(email) is not None:
            form.email.errors.append(services.PENDING_MESSAGE)
        else:
            try:
                application = services.submit_application(
                    name=form.name.data,
                    email=email,
                    organisation=form.organisation.data,
                    place=form.place.data,
                    job_role=form.job_role.data,
                    criteria_statement=form.criteria_statement.data,
                    agreed_guidelines=True,
                )
                emailed = services.send_confirmation(application)
                db.session.commit()
            except IntegrityError:
                # Another submission from this address won the race: the partial index said no.
                db.session.rollback()
                form.email.errors.append(services.PENDING_MESSAGE)
            else:
                if emailed:
                    flash("Application sent. We have emailed you a link to this page.", "success")
                else:
                    flash(
                        "Application sent, but we could not email you. "
                        "Bookmark this page to check on your application.",
                        "success",
                    )
                return redirect(url_for(".application_status", token=application.status_token))
    context = {
        "form": form,
        "member_exists": member_exists,
        "login_url": url_for("auth.login"),
        "reset_url": url_for("auth.forgot_password"),
    }
    return render_template("community/apply.html", **context), 422 if form.errors else 200


@bp.get("/applications/status/<token>")
def application_status(token: str):
    """The applicant's private status page, reached only through the link we emailed (else 404)."""
    application = services.application_by_token(token)
    if application is None:
        abort(404)
    response = make_response(
        render_template(
            "community/application_status.html",
            application=application,
            days=current_app.config["APPLICATION_DECISION_DAYS"],
        )
    )
    # The token is a password in all but name: keep the page out of caches and search engines.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# The review queue --------------------------------------------------------------------------


@bp.get("/applications")
@facilitator_required
def applications():
    """Pending applications oldest first (or decided ones), 25 a page, in a constant query count."""
    decided = request.args.get("show") == "decided"
    show = "decided" if decided else None
    pagination = db.paginate(
        services.queue_query(decided),
        page=request.args.get("page", 1, type=int),
        per_page=services.PER_PAGE,
        error_out=False,
    )
    return render_template(
        "community/applications.html",
        pagination=pagination,
        applications=pagination.items,
        decided=decided,
        pending_count=services.pending_count(),
        page_url=lambda n: url_for(".applications", show=show, page=n),
        action_form=EmptyForm(),
        next_url=request.full_path.rstrip("?"),
        announcement=None,
    )


def _detail_context(application: Application, **overrides) -> dict:
    """One context for the application page and its decision fragment."""
    context = {
        "application": application,
        "criteria": services.page_text("joining_criteria"),
        "approve_form": ApproveForm(formdata=None),
        "decline_form": DeclineForm(formdata=None),
        "form": None,
        "notice": None,
        "focus_result": False,
        "partial": is_partial_request(),
    }
    context.update(overrides)
    return context


@bp.get("/applications/<int:application_id>")
@facilitator_required
def application(application_id: int):
    """One application in full, beside the joining criteria, with the approve and decline forms."""
    application = db.get_or_404(Application, application_id)
    return render_template("community/application.html", **_detail_context(application))


def _decided(application: Application, message: str, category: str = "success"):
    """Answer a decision: the queue row or decision panel for htmx, else PRG with a flash."""
    if is_partial_request():
        if request.headers.get("HX-Target") == f"application-{application.id}":
            response = make_response(
                render_template(
                    "community/_application_row.html",
                    application=application,
                    action_form=EmptyForm(formdata=None),
                    next_url=url_for(".applications"),
                    announcement=message,
                )
            )
            response.vary.add("HX-Request")
            return response
        return render_page_or_fragment(
            "community/application.html",
            "community/_decision.html",
            **_detail_context(application, notice=message, focus_result=True),
        )
    flash(message, category)
    default = url_for(".application", application_id=application.id)
    return redirect(safe_next(request.form.get("next"), default))


def _invalid(application: Application, form, **forms):
    """Re-show the page (or decision panel) with the note's error, keeping what was typed."""
    return render_page_or_fragment(
        "community/application.html",
        "community/_decision.html",
        status=422,
        **_detail_context(application, form=form, **forms),
    )


@bp.post("/applications/<int:application_id>/approve")
@facilitator_required
def approve(application_id: int):
    """Approve exactly once: a member account created or linked, audited, welcome email sent."""
    application = db.get_or_404(Application, application_id)
    form = ApproveForm()
    if not form.validate():
        return _invalid(application, form, approve_form=form)
    try:
        decision = services.approve(
            application, current_user._get_current_object(), form.approve_note.data or ""
        )
        sent = services.send_approval(decision)
        db.session.commit()
    except services.AlreadyDecided as decided:
        db.session.rollback()
        return _decided(application, str(decided), "info")
    except IntegrityError:
        # An account with this address was created at this very moment; a retry will link it.
        db.session.rollback()
        return _decided(
            application,
            "An account for this email address was created at the same moment. Try again.",
            "info",
        )
    message = f"{application.name}'s application approved. " + (
        "We have emailed them a link to set their password."
        if sent
        else "The welcome email could not be sent; ask them to reset their password."
    )
    return _decided(application, message)


@bp.post("/applications/<int:application_id>/decline")
@facilitator_required
def decline(application_id: int):
    """Decline exactly once with a note (required), audited, and emailed to the applicant."""
    application = db.get_or_404(Application, application_id)
    form = DeclineForm()
    if not form.validate():
        return _invalid(application, form, decline_form=form)
    try:
        decision = services.decline(
            application, current_user._get_current_object(), form.decline_note.data
        )
        sent = services.send_decline(decision)
        db.session.commit()
    except services.AlreadyDecided as decided:
        db.session.rollback()
        return _decided(application, str(decided), "info")
    message = f"{application.name}'s application declined. " + (
        "We have emailed them your note." if sent else "The email with your note could not be sent."
    )
    return _decided(application, message)


# Members -----------------------------------------------------------------------------------


@bp.get("/members/<int:user_id>")
@member_required
def member(user_id: int):
    """A member's public profile, for members only; unknown or closed accounts are 404."""
    person = db.session.get(User, user_id)
    if person is None or not person.active:
        abort(404)
    return render_template("community/member.html", person=person)


# Kept for templates that show a status as a tag.
STATUS_LABELS = {
    ApplicationStatus.PENDING: "Waiting for a decision",
    ApplicationStatus.APPROVED: "Approved",
    ApplicationStatus.DECLINED: "Declined",
}


@bp.app_template_filter("application_status")
def application_status_label(status: str) -> str:
    """'pending' -> 'Waiting for a decision', for tags and tables."""
    return STATUS_LABELS.get(status, status.capitalize())
