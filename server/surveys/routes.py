from flask import Blueprint, g

from server.accounts.models import Role
from server.accounts.scopes import require_visible
from server.endpoints import PUBLIC, endpoint
from server.extensions import db
from server.surveys import operations
from server.catalog import current_round, current_system_code, form_registry, round_by_code
from server.surveys.models import Submission, SurveyRound
from server.surveys.schemas import FormListSchema, FormQuery, RoundSchema, SubmissionSchema

blueprint = Blueprint("surveys_api", __name__, url_prefix="/api")
ALL_ROLES = tuple(Role)


@blueprint.get("/rounds")
@endpoint(summary="体检轮次", tags=["surveys"], roles=PUBLIC, writes=False, response=RoundSchema,
          many=True)
def list_rounds():
    return db.session.scalars(db.select(SurveyRound).order_by(SurveyRound.code)).all()


@blueprint.get("/forms")
@endpoint(summary="当前（或指定）轮次的调查表清单；无需登录，便于离线缓存", tags=["forms"],
          roles=PUBLIC, writes=False, query=FormQuery, response=FormListSchema,
          errors=["round.unknown"])
def list_forms(query):
    survey_round = round_by_code(query["round"]) if "round" in query else current_round()
    system = survey_round.system if survey_round else current_system_code()
    return {"round": survey_round.code if "round" in query else None, "system": system,
            "round_year": survey_round.year if survey_round else None,
            "settings": form_registry().system(system).settings, "forms": form_registry().forms(system)}


@blueprint.get("/forms/<form_id>")
@endpoint(summary="一张调查表的完整定义（默认当前版本，或 ?version=）", tags=["forms"],
          roles=PUBLIC, writes=False, query=FormQuery, errors=["form.unknown"])
def get_form(form_id, query):
    form = operations.form_for(form_registry(), form_id, query.get("version"), allow_retired=True)
    return form.document


@blueprint.get("/submissions/<uuid:submission_uuid>")
@endpoint(summary="读取一份已提交的调查表", tags=["surveys"], roles=ALL_ROLES, writes=False,
          response=SubmissionSchema, errors=["resource.not_found"])
def get_submission(submission_uuid):
    submission = db.session.scalar(db.select(Submission)
                                   .where(Submission.uuid == str(submission_uuid)))
    require_visible(g.user, submission.building if submission else None, "该调查表")
    return submission
