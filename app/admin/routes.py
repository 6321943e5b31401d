"""The admin area: a dashboard, people and their roles, and the texts the community publishes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp, services
from app.admin.forms import PeopleFilterForm, RolesForm, TextForm
from app.community import services as community
from app.extensions import db
from app.htmx import is_partial_request, render_page_or_fragment
from app.models import ALL_ROLES, Role, User
from app.permissions import admin_required


@bp.get("/")
@admin_required
def index():
    """Links to people, the site texts and the pending applications, with their counts."""
    keys = list(community.TEXTS)
    return render_template(
        "admin/index.html",
        pending_count=community.pending_count(),
        people_count=services.people_count(),
        texts=[(key, community.TEXTS[key][0]) for key in keys],
        stored_texts=services.texts_by_key(keys),
    )


def _role_from(value: str | None) -> Role | None:
    names = {role.name.lower(): role for role in ALL_ROLES}
    return names.get((value or "").lower())


@bp.get("/people")
@admin_required
def people():
    """Every account, 25 a page, searchable by name or email and filterable by role."""
    filter_form = PeopleFilterForm(formdata=request.args)
    q = (filter_form.q.data or "")[:100]
    role = _role_from(filter_form.role.data)
    pagination = db.paginate(
        services.people_query(q, role),
        page=request.args.get("page", 1, type=int),
        per_page=services.PER_PAGE,
        error_out=False,
    )
    role_value = role.name.lower() if role else None
    return render_template(
        "admin/people.html",
        filter_form=filter_form,
        q=q,
        role=role,
        people=pagination.items,
        pagination=pagination,
        page_url=lambda n: url_for(".people", q=q or None, role=role_value, page=n),
    )


def _roles_context(person: User, form: RolesForm, **overrides) -> dict:
    """One context for the roles page and its fragment."""
    context = {
        "person": person,
        "form": form,
        "history": services.role_history(person),
        "is_self": person.id == current_user.id,
        "partial": is_partial_request(),
        "announcement": None,
    }
    context.update(overrides)
    return context


def _held_roles_form(person: User) -> RolesForm:
    form = RolesForm(formdata=None)
    form.roles.data = [role.name.lower() for role in ALL_ROLES if person.holds(role)]
    return form


@bp.route("/people/<int:user_id>/roles", methods=("GET", "POST"))
@admin_required
def roles(user_id: int):
    """Grant and revoke roles, each change audited; never leaves the site without an admin."""
    person = db.get_or_404(User, user_id)
    if request.method == "GET":
        return render_template(
            "admin/roles.html", **_roles_context(person, _held_roles_form(person))
        )

    form = RolesForm()
    if form.validate():
        wanted = Role(0)
        for name in form.roles.data or []:
            wanted |= Role[name.upper()]
        try:
            change = services.set_roles(person, current_user._get_current_object(), wanted)
            db.session.commit()
        except services.RoleChangeRefused as refused:
            db.session.rollback()
            form.roles.errors.append(str(refused))
        else:
            message = _describe(person, change)
            if is_partial_request():
                # Focus stays on the Save button (same id); the result is announced.
                return render_page_or_fragment(
                    "admin/roles.html",
                    "admin/_roles.html",
                    **_roles_context(person, _held_roles_form(person), announcement=message),
                )
            flash(message, "success" if change.changed else "info")
            return redirect(url_for(".roles", user_id=person.id))
    return render_page_or_fragment(
        "admin/roles.html", "admin/_roles.html", status=422, **_roles_context(person, form)
    )


def _describe(person: User, change: services.RoleChange) -> str:
    if not change.changed:
        return f"No change: {person.display_name}'s roles are as they were."
    parts = []
    if change.granted:
        parts.append("granted " + ", ".join(role.label for role in change.granted))
    if change.revoked:
        parts.append("removed " + ", ".join(role.label for role in change.revoked))
    return f"Roles saved for {person.display_name}: " + "; ".join(parts) + "."


@bp.route("/texts/<key>", methods=("GET", "POST"))
@admin_required
def edit_text(key: str):
    """Edit a site text's title and Markdown; saving renders it once and audits the change."""
    if key not in community.TEXTS:
        abort(404)
    text = community.page_text(key)
    form = TextForm(obj=text)
    if form.validate_on_submit():
        community.save_text(
            key, form.title.data, form.body.data, current_user._get_current_object()
        )
        db.session.commit()
        flash(f"{form.title.data} saved.", "success")
        return redirect(url_for(community.TEXTS[key][2]))
    return render_template(
        "admin/edit_text.html",
        form=form,
        key=key,
        text=text,
        page_url=url_for(community.TEXTS[key][2]),
    ), (422 if form.errors else 200)
