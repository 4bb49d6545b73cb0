"""An appraisal that finds a hazard is a problem the lists must show (sync/counting.py): the
appraisal that governs a building's indicator in a round (the latest by appraised_on, the id
breaking ties) and concludes 存在安全隐患 becomes a confirmed finding, attributed to the agency
(its author is the agency's user; its description names the agency, the date and the grade).

When a later appraisal takes over, the finding of the one it supersedes leaves the count if
nothing has been done on it yet (已确认 → 已退回, with the reason recorded as a decision by the
new appraisal's author); one already in rectification stays, as any confirmed problem does, and
is fixed and closed the usual way.

The finding's check item, grades and suggestion are the indicator's `appraisal` in the round's
system (forms/<system>/system.json), e.g. 经专业机构检测存在燃气安全隐患.

An appraisal also closes the open follow-ups (需专业机构评估) of its building, indicator and round
(server/followups/)."""
from uuid import uuid4

from sqlalchemy import select

from server.appraisals.models import Appraisal
from server.appraisals.terms import conclusion_label, declaration
from server.audit.operations import record
from server.extensions import db
from server.findings.models import Finding, Review
from server.followups.operations import close_follow_ups
from sync import lifecycle


def follow_appraisal(appraisal: Appraisal) -> None:
    """After an appraisal is stored: give the governing one its finding, retire superseded ones."""
    appraisals = db.session.scalars(
        select(Appraisal).where(Appraisal.building_id == appraisal.building_id,
                                Appraisal.indicator == appraisal.indicator,
                                Appraisal.round_id == appraisal.round_id)
        .order_by(Appraisal.appraised_on.desc(), Appraisal.id.desc())).all()
    governing, superseded = appraisals[0], appraisals[1:]
    if governing.conclusion == "hazard" and _finding_of(governing) is None:
        db.session.add(hazard_finding(governing))
    for earlier in superseded:
        finding = _finding_of(earlier)
        if finding is not None and finding.status == lifecycle.ACCEPTED:
            _withdraw(finding, governing)
    close_follow_ups(appraisal)


def hazard_finding(appraisal: Appraisal) -> Finding:
    terms = declaration(appraisal.round_id, appraisal.indicator)
    grade = f"，{appraisal.grade}级" if appraisal.grade else ""
    description = (f"{appraisal.agency.name} {appraisal.appraised_on.isoformat()} 鉴定："
                   f"{conclusion_label(appraisal)}{grade}。{appraisal.summary or ''}").strip()
    return Finding(uuid=str(uuid4()), appraisal_id=appraisal.id, round_id=appraisal.round_id,
                   building_id=appraisal.building_id, indicator=appraisal.indicator,
                   check_item=terms["check_item"], description=description,
                   severity=terms["severity"], problem_class=terms["class"],
                   responsible_unit=terms["responsible_unit"], difficulty=terms.get("difficulty"),
                   suggestion=terms["suggestion"], status=lifecycle.ACCEPTED,
                   author_id=appraisal.author_id)


def _finding_of(appraisal: Appraisal) -> Finding | None:
    return db.session.scalar(select(Finding).where(Finding.appraisal_id == appraisal.id))


def _withdraw(finding: Finding, governing: Appraisal) -> None:
    reason = (f"已被 {governing.agency.name} {governing.appraised_on.isoformat()} 的鉴定取代"
              f"（{conclusion_label(governing)}）")
    before = finding.status
    finding.status = lifecycle.RETURNED
    db.session.add(Review(finding=finding, reviewer_id=governing.author_id, decision="return",
                          reason=reason))
    record(governing.author, "finding.superseded", "finding", finding.uuid,
           status=[before, finding.status], appraisal=governing.uuid, reason=reason)
