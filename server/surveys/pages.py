"""The desk's view of one submission: the whole form as the worker filled it, the findings it
produced, and the other surveys of the same building and indicator beside it."""
from flask import g, render_template

from forms import FormLookupError
from server.catalog import form_registry, round_context, short_names
from server.pages import SIGNED_IN, page, page_blueprint
from server.surveys.operations import find_submission, other_observations
from server.surveys.reading import read_answers, read_unknown_form

blueprint = page_blueprint("survey_pages", __name__, url_prefix="/desk")


@blueprint.get("/submissions/<submission_uuid>")
@page(roles=SIGNED_IN, writes=False)
def submission(submission_uuid):
    found = find_submission(g.user, submission_uuid)
    building = found.building
    try:
        form = form_registry().get(found.form_id, found.form_version, include_retired=True)
    except FormLookupError:
        form = None
    sections = (read_answers(form, found.answers, building.facts(), round_context(found.round))
                if form is not None
                else read_unknown_form(found.answers))
    return render_template(
        "desk/submission.html", submission=found, building=building, form=form,
        sections=sections, findings=found.findings, others=other_observations(found),
        findings_by_question={f.question_id: f for f in found.findings if f.question_id},
        indicator_name=short_names(found.round.system).get(found.indicator, ""))
