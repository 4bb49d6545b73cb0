"""The follow-ups' payloads: the list's filters, a follow-up as shown, an assignment."""
from marshmallow import fields, validate

from forms.errors import FormLookupError
from server.catalog import form_registry, short_names
from server.endpoints import ApiSchema, PageQuery
from server.followups.models import STATES

LIST_STATUSES = (*STATES, "all")


class FollowUpQuery(PageQuery):
    """GET /api/follow-ups and the desk's 待专业机构评估."""

    status = fields.String(load_default="open", validate=validate.OneOf(
        LIST_STATUSES, error="状态应为 open、appraised、withdrawn 或 all"), metadata={
        "description": "open 待专业机构评估（默认）、appraised 已评估、withdrawn 已撤销、all 全部"})
    indicator = fields.Integer(validate=validate.Range(1, 999, error="指标应为正整数"))


def question_label(follow_up) -> str:
    """The question as its form words it (the form version the survey was filled in)."""
    submission = follow_up.submission
    try:
        form = form_registry().get(submission.form_id, submission.form_version,
                                   include_retired=True)
        return form.question(follow_up.question_id)["label"]
    except (FormLookupError, KeyError):
        return follow_up.question_id


def indicator_name(follow_up) -> str:
    return short_names(follow_up.submission.round.system).get(follow_up.indicator, "")


def survey_photos(follow_up) -> list[str]:
    """The photos of the survey's findings (an answer asking for an agency is no defect, so its
    own photo questions are not asked)."""
    return [p.sha256 for finding in follow_up.submission.findings for p in finding.photos]


class FollowUpSchema(ApiSchema):
    """A follow-up as the bureau and the agencies see it."""

    id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    status_label = fields.Function(lambda f: STATES[f.status], dump_only=True)
    building_id = fields.Integer(dump_only=True)
    building = fields.Function(lambda f: f.building.label, dump_only=True,
                               metadata={"description": "小区 + 楼号，如 达明新村3#"})
    community = fields.Function(lambda f: f.building.estate.community.name, dump_only=True)
    round = fields.Function(lambda f: f.submission.round.code, dump_only=True)
    indicator = fields.Integer(dump_only=True)
    indicator_name = fields.Function(indicator_name, dump_only=True)
    question_id = fields.String(dump_only=True)
    question = fields.Function(question_label, dump_only=True)
    reason = fields.String(dump_only=True)
    reported_by = fields.Function(lambda f: f.submission.author.display_name, dump_only=True)
    reported_at = fields.AwareDateTime(attribute="submission.received_at", dump_only=True,
                                       metadata={"description": "服务器收到调查表的时间"})
    submission_uuid = fields.Function(lambda f: f.submission.uuid, dump_only=True)
    photos = fields.Function(survey_photos, dump_only=True)
    agency_id = fields.Integer(dump_only=True, metadata={"description": "指派的专业机构；空为本县任一机构"})
    agency = fields.Function(lambda f: f.agency.name if f.agency else None, dump_only=True)
    appraisal_uuid = fields.Function(lambda f: f.appraisal.uuid if f.appraisal else None,
                                     dump_only=True, metadata={"description": "办结它的鉴定"})
    created_at = fields.AwareDateTime(dump_only=True)
    closed_at = fields.AwareDateTime(dump_only=True)


class AssignmentSchema(ApiSchema):
    """POST /api/follow-ups/<id>/assignment (and the desk's 指派 form)."""

    agency_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(
        min=1, error="请选择专业机构"), metadata={"description": "本县的专业机构；空为不指派（任一机构可办）"})
