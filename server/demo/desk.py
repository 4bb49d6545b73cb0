"""The bureau's side of the demo: the reviewer's decisions, the rectifications reported from the
field, and the agency's appraisals, each through the operation the desk or the app calls, so
Review rows, audit entries, the change feed and building statuses are the real thing."""
import random
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from server.appraisals.documents import check_pdf
from server.appraisals.operations import record_appraisal
from server.demo.documents import tiny_pdf
from server.demo.fieldwork import AppraisalPlan, Fieldwork, FindingPlan, stable_uuid
from server.demo.texts import (
    APPRAISAL_HAZARD,
    APPRAISAL_NO_HAZARD,
    RECTIFICATION_NOTES,
    RECTIFY_MEASURES,
    RESURVEY_REASONS,
    RETURN_REASONS,
    VERIFY_NOTES,
)
from server.extensions import db
from server.findings import decisions as review
from server.findings.models import Finding
from sync import lifecycle
from sync.china_time import china_today

# Rectification ordered in the round's August for what was rectified that autumn; what is still
# being rectified has a deadline relative to the real today, so some are due and some overdue.
ORDERED_ON = (8, 12)
AUTUMN_DEADLINE = (10, 31)


class Desk:
    def __init__(self, work: Fieldwork, users: dict, reviewer, seed: int, push_as):
        self.work, self.users, self.reviewer = work, users, reviewer
        self.rng = random.Random(f"desk-{seed}")
        self.seed, self.push_as = seed, push_as
        self.today = china_today()

    def decide_all(self) -> None:
        """Every finding planned past 待审核 is taken there, step by step."""
        rows = {f.uuid: f for f in db.session.scalars(
            select(Finding).where(Finding.uuid.in_([p.uuid for p in self.work.findings])))}
        decided = [plan for plan in self.work.findings if plan.state != lifecycle.PENDING]
        for plan in decided:
            self.first_decision(plan, rows[plan.uuid])
        rectified = [plan for plan in decided if plan.state in lifecycle.REPORTED_FIXED]
        self.report_rectifications(rectified)
        for plan in rectified:
            if plan.state == lifecycle.VERIFIED:
                db.session.flush()
                review.verify_rectification(self.reviewer, plan.uuid,
                                            self.version(rows[plan.uuid]),
                                            self.rng.choice(VERIFY_NOTES))

    def first_decision(self, plan: FindingPlan, finding: Finding) -> None:
        db.session.flush()
        if plan.state == lifecycle.RETURNED:
            self.decide(finding, "return", self.rng.choice(RETURN_REASONS))
            return
        if plan.state == lifecycle.RESURVEY:
            self.decide(finding, "resurvey", self.rng.choice(RESURVEY_REASONS))
            return
        self.decide(finding, "accept", None)
        if plan.state == lifecycle.ACCEPTED:
            return
        db.session.flush()
        if plan.state == lifecycle.RECTIFYING and plan.overdue:
            deadline = self.today - timedelta(days=self.rng.randint(5, 40))
            ordered_on = deadline - timedelta(days=30)
        elif plan.state == lifecycle.RECTIFYING:
            deadline = self.today + timedelta(days=self.rng.randint(20, 120))
            ordered_on = self.today
        else:
            deadline = date(self.work.year, *AUTUMN_DEADLINE)
            ordered_on = date(self.work.year, *ORDERED_ON)
        # `today` is the day the order was given: an overdue deadline was once in the future.
        review.decide(self.reviewer, finding.uuid, "rectify", self.rng.choice(RECTIFY_MEASURES),
                      self.version(finding), deadline, today=ordered_on)

    def decide(self, finding: Finding, decision: str, reason: str | None) -> None:
        review.decide(self.reviewer, finding.uuid, decision, reason, self.version(finding))

    @staticmethod
    def version(finding: Finding) -> str:
        """The finding's version as the database holds it now, as a reviewer's page would show
        it: the pushes went through the app in sessions of their own."""
        db.session.refresh(finding)
        return review.version_of(finding)

    def report_rectifications(self, plans: list[FindingPlan]) -> None:
        """The author reports each fix from the phone: rectification.report through sync."""
        db.session.flush()
        by_author: dict[str, list[dict]] = {}
        for plan in plans:
            after = self.work.photos[plan.after_photos[0]]
            by_author.setdefault(plan.author, []).append({
                "op": "rectification.report", "id": stable_uuid(self.seed, "fix", plan.uuid),
                "finding": plan.uuid, "note": self.rng.choice(RECTIFICATION_NOTES),
                "photos": plan.after_photos,
                "rectified_on": after.captured_at.date().isoformat()})
        for author in sorted(by_author):
            self.push_as(author, by_author[author])


def record_appraisals(work: Fieldwork, agency_user, buildings: dict) -> int:
    """The agency's reports, each with a small generated PDF stored as an upload is."""
    limit = current_app.config["LOUJIAN_DOCUMENT_MAX_BYTES"]
    for plan in work.appraisals:
        grade, conclusion, summary = (APPRAISAL_NO_HAZARD if plan.contradicts
                                      else APPRAISAL_HAZARD)
        document = check_pdf(_report(plan, grade), f"房屋安全鉴定报告-{plan.building[0]}"
                             f"{plan.building[1]}.pdf", limit)
        record_appraisal(agency_user, {
            "uuid": plan.uuid, "building_id": buildings[plan.building], "round": None,
            "indicator": plan.indicator, "conclusion": conclusion, "grade": grade,
            "summary": summary, "appraised_on": plan.appraised_on}, document)
    return len(work.appraisals)


def _report(plan: AppraisalPlan, grade: str) -> bytes:
    return tiny_pdf(["Building safety appraisal report (demo)",
                     "Jinnan Building Safety Appraisal Co., Ltd.",
                     f"Appraised on {plan.appraised_on.isoformat()}",
                     f"Indicator {plan.indicator}: structural safety",
                     f"Grade {grade}",
                     f"Report no. {plan.uuid[:8].upper()}"])
