"""The desk's pages of basics (基本情况): every estate and community of the county, and a page each
to read and correct an estate's or a community's basics, with the history of their changes. The
bureau's (reviewers and admins); anyone else is refused as on the other bureau pages."""
from flask import flash, g, redirect, render_template, request, url_for

from server.buildings import basics
from server.buildings.models import ESTATE_KINDS
from server.buildings.schemas import CommunityBasicsSchema, EstateBasicsSchema
from server.pages import page, page_blueprint

blueprint = page_blueprint("basics_pages", __name__, url_prefix="/desk/basics")


@blueprint.app_template_global("can_edit_basics")
def can_edit_basics(user) -> bool:
    return basics.can_edit_basics(user)


@blueprint.app_template_filter("basic")
def show_basic(value) -> str:
    """A basic as a person reads it: — when not known, 12000 rather than 12000.0."""
    return _as_text(value) or "—"


@blueprint.get("/")
@page(roles=basics.BASICS_ROLES, writes=False)
def index():
    return render_template("desk/basics_index.html", places=basics.county_places(g.user))


@blueprint.get("/estates/<int:estate_id>")
@page(roles=basics.BASICS_ROLES, writes=False)
def estate(estate_id):
    return _estate_page(basics.visible_estate(g.user, estate_id))


def _estate_again(error, estate_id):
    """A refused form: the page again with the reason; what was typed unless the basics changed
    meanwhile (then what they are now, to be filled again)."""
    estate = basics.visible_estate(g.user, estate_id)
    flash(error.message, "error")
    return _estate_page(estate, None if error.code == "basics.stale" else request.form,
                        error.status)


@blueprint.post("/estates/<int:estate_id>")
@page(roles=basics.BASICS_ROLES, form=EstateBasicsSchema, writes=True, refused=_estate_again)
def save_estate(estate_id, form):
    estate = basics.visible_estate(g.user, estate_id)
    _flash_saved(basics.edit_estate(g.user, estate, form))
    return redirect(url_for(".estate", estate_id=estate.id))


@blueprint.get("/communities/<int:community_id>")
@page(roles=basics.BASICS_ROLES, writes=False)
def community(community_id):
    return _community_page(basics.visible_community(g.user, community_id))


def _community_again(error, community_id):
    community = basics.visible_community(g.user, community_id)
    flash(error.message, "error")
    return _community_page(community, None if error.code == "basics.stale" else request.form,
                           error.status)


@blueprint.post("/communities/<int:community_id>")
@page(roles=basics.BASICS_ROLES, form=CommunityBasicsSchema, writes=True,
      refused=_community_again)
def save_community(community_id, form):
    community = basics.visible_community(g.user, community_id)
    _flash_saved(basics.edit_community(g.user, community, form))
    return redirect(url_for(".community", community_id=community.id))


def _flash_saved(changes: dict) -> None:
    if changes:
        flash(f"已保存：{'、'.join(basics.FIELD_NAMES[name] for name in changes)}", "success")
    else:
        flash("没有改动", "success")


def _estate_page(estate, posted=None, status: int = 200):
    values = posted if posted is not None else {
        **{name: _as_text(getattr(estate, name)) for name in basics.ESTATE_BASICS},
        "property_company_id": _as_text(estate.property_company_id),
        "version": estate.basics_version}
    return render_template(
        "desk/basics_estate.html", estate=estate, values=values, kinds=ESTATE_KINDS,
        companies=basics.county_companies(g.user.county_id),
        buildings=basics.building_summary(estate), history=basics.history("estate", estate.id),
        names=basics.FIELD_NAMES), status


def _community_page(community, posted=None, status: int = 200):
    values = posted if posted is not None else {
        **{name: _as_text(getattr(community, name)) for name in basics.COMMUNITY_BASICS},
        "version": community.basics_version}
    estates = sorted(community.estates, key=lambda e: (e.is_temporary, e.name))
    return render_template(
        "desk/basics_community.html", community=community, values=values, estates=estates,
        totals={name: sum(getattr(e, name) or 0 for e in estates)
                for name in ("households", "population")},
        history=basics.history("community", community.id), names=basics.FIELD_NAMES), status


def _as_text(value) -> str:
    """A stored basic as the form's field shows it (so that saving the form unchanged changes
    nothing): 12000 rather than 12000.0, blank for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".12g")
    return str(value)
