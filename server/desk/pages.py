"""The bureau's desk: server-rendered pages behind the sign-in."""
from flask import g, render_template

from server.desk.operations import community_overview, round_summary
from server.pages import SIGNED_IN, page, page_blueprint
from server.catalog import current_round

blueprint = page_blueprint("desk_pages", __name__)


@blueprint.get("/desk/")
@page(roles=SIGNED_IN, writes=False)
def overview():
    rows = community_overview(g.user)
    totals = {key: sum(r[key] for r in rows) for key in ("estates", "buildings", "prescreened",
                                                            "prescreen_uncertain")}
    survey_round = current_round()
    return render_template("desk/overview.html", rows=rows, totals=totals,
                           county=g.user.county, survey_round=survey_round,
                           summary=round_summary(g.user, survey_round) if survey_round else None)
