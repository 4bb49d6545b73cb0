"""The bureau's desk: server-rendered pages behind the sign-in."""
from flask import Blueprint, g, render_template

from server.accounts.pages import login_required
from server.desk.operations import community_overview

blueprint = Blueprint("desk_pages", __name__)


@blueprint.get("/desk/")
@login_required
def overview():
    rows = community_overview(g.user)
    totals = {key: sum(r[key] for r in rows) for key in ("estates", "buildings", "prescreened")}
    return render_template("desk/overview.html", rows=rows, totals=totals,
                           county=g.user.county)
