"""Logging in and out, password links and changes, and each person's own profile."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, services, throttle
from app.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    SetPasswordForm,
)
from app.extensions import db, limiter
from app.permissions import safe_next
from app.tokens import user_from_password_token

# One message for every failed log-in, so that the form never says which addresses have accounts.
LOGIN_FAILED = "Enter a correct email address and password"
RESET_SENT = (
    "If that address has an account, we have sent a link to it. "
    "Use the link within {lifetime} to choose a new password."
)
MAX_AGE = {services.RESET: "PASSWORD_RESET_MAX_AGE", services.WELCOME: "WELCOME_LINK_MAX_AGE"}


def _limit(setting: str, **options):
    """A POST-only rate limit read from config on each request (tests and deployments set it)."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], **options)


def _render_form(template: str, form, **context):
    """The page with its form: 200 to start with, 422 when a submitted form has errors."""
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def _had_remember_cookie() -> bool:
    """True when the browser sent a remember-me cookie (valid or not) with this request."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _start_session(user, *, remember: bool) -> None:
    """Log user in on a brand-new session, so nothing from the one before survives.

    Clearing first defeats session fixation and drops whatever an anonymous visitor (or a
    previous person on this browser) left in the session.
    """
    had_cookie = _had_remember_cookie()
    session.clear()
    login_user(user, remember=remember)
    if had_cookie and not remember:
        # An older remember-me cookie must not outlive this session and log someone back in.
        session["_remember"] = "clear"


@bp.after_request
def _no_store(response):
    """Account pages hold personal details and one-time links: no cache may keep them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.route("/login", methods=("GET", "POST"))
@_limit("RATELIMIT_LOGIN_IP")
@_limit(
    "RATELIMIT_LOGIN_ACCOUNT",
    key_func=throttle.posted_email_key,
    deduct_when=throttle.failed,
    exempt_when=throttle.address_is_unmarked,
)
def login():
    """Log a person in on a fresh session, then send them to a safe `next` or home.

    Every failure (unknown address, wrong password, no password yet, closed account) gets the
    same message and status; attempts are limited per IP, and failures per account in a way a
    stranger cannot use to keep the member out (app.auth.throttle).
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    next_target = safe_next(request.args.get("next"), default="")
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            throttle.forget_failures()
            _start_session(user, remember=form.remember.data)
            services.record_login(user)
            db.session.commit()
            flash("You are logged in", "success")
            return redirect(next_target or url_for("main.home"))
        throttle.record_failure()
        form.email.errors.append(LOGIN_FAILED)
    return _render_form("auth/login.html", form, next_target=next_target)


@bp.post("/logout")
def logout():
    """End the session and forget any remember-me cookie (POST with CSRF, so no link logs out)."""
    session.clear()
    logout_user()
    flash("You have logged out", "success")
    return redirect(url_for("main.home"))


@bp.route("/forgot-password", methods=("GET", "POST"))
@_limit("RATELIMIT_PASSWORD_RESET")
@_limit("RATELIMIT_PASSWORD_RESET", key_func=throttle.posted_email_key)
def forgot_password():
    """Email a reset link to an open account, answering the same whether or not one exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()  # the email is queued in the database, and goes once committed
        lifetime = services.link_lifetime(current_app.config["PASSWORD_RESET_MAX_AGE"])
        flash(RESET_SENT.format(lifetime=lifetime), "info")
        return redirect(url_for("auth.forgot_password"))
    return _render_form("auth/forgot.html", form)


def _link_user(token: str, purpose: str):
    """The account a still-valid link names, or None (forged, expired, used or closed)."""
    return user_from_password_token(token, purpose, current_app.config[MAX_AGE[purpose]])


def _link_invalid(purpose: str):
    lifetime = services.link_lifetime(current_app.config[MAX_AGE[purpose]])
    return render_template("auth/link_invalid.html", purpose=purpose, lifetime=lifetime), 400


def _password_from_link(user, password: str, how: str) -> None:
    """Set the password a link was for, sign out every other session, and log this one in."""
    services.set_password(user, password, how=how)
    _start_session(user, remember=False)
    services.record_login(user)
    db.session.commit()


@bp.route("/reset-password/<token>", methods=("GET", "POST"))
def reset_password(token: str):
    """Choose a new password from an emailed link that works once, within its time limit."""
    user = _link_user(token, services.RESET)
    if user is None:
        return _link_invalid(services.RESET)
    form = SetPasswordForm()
    if form.validate_on_submit():
        _password_from_link(user, form.password.data, "reset")
        flash("Your password has been changed and you are logged in", "success")
        return redirect(url_for("main.home"))
    return _render_form(
        "auth/reset.html",
        form,
        user=user,
        heading="Choose a new password",
        intro="Choose a new password for your Roundtable account.",
        action=url_for("auth.reset_password", token=token),
        button="Change password",
    )


@bp.route("/welcome/<token>", methods=("GET", "POST"))
def welcome(token: str):
    """A newly approved member chooses their first password from their welcome link."""
    user = _link_user(token, services.WELCOME)
    if user is None:
        return _link_invalid(services.WELCOME)
    form = SetPasswordForm()
    if form.validate_on_submit():
        _password_from_link(user, form.password.data, "welcome")
        flash(
            "Welcome to Roundtable. Your password is set and you are logged in. "
            "Check your profile: it is what other members see.",
            "success",
        )
        return redirect(url_for("auth.profile"))
    return _render_form(
        "auth/reset.html",
        form,
        user=user,
        heading="Choose a password",
        intro=f"Welcome to Roundtable, {user.display_name}. "
        "Choose a password to finish setting up your account.",
        action=url_for("auth.welcome", token=token),
        button="Set password and log in",
    )


@bp.route("/change-password", methods=("GET", "POST"))
@login_required
def change_password():
    """Change one's own password after giving the current one; other sessions are signed out."""
    user = current_user._get_current_object()
    form = ChangePasswordForm(user)
    if form.validate_on_submit():
        services.set_password(user, form.password.data, how="changed")
        # session_gen moved on: log this session in again under the new generation, keeping
        # remember-me if it was on (the old cookie names the old generation and no longer works).
        _start_session(user, remember=_had_remember_cookie())
        db.session.commit()
        flash(
            "Your password has been changed. "
            "You have been logged out on every other device and browser.",
            "success",
        )
        return redirect(url_for("auth.profile"))
    return _render_form("auth/change_password.html", form, user=user)


@bp.get("/profile")
@login_required
def profile():
    """The logged-in person's own profile; there is no id in the URL, so only their own."""
    user = current_user._get_current_object()
    return render_template("auth/profile.html", user=user, bio=services.bio_paragraphs(user.bio))


@bp.route("/profile/edit", methods=("GET", "POST"))
@login_required
def edit_profile():
    """Edit one's own name, organisation, place, pronouns and bio (never anyone else's)."""
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        services.update_profile(
            user,
            display_name=form.display_name.data,
            organisation=form.organisation.data,
            place=form.place.data,
            bio=form.bio.data,
            pronouns=form.pronouns.data,
        )
        db.session.commit()
        flash("Your profile has been updated", "success")
        return redirect(url_for("auth.profile"))
    return _render_form("auth/profile_edit.html", form)
