"""A plan of the demo county's survey data: who surveyed which building for which indicator
when, what they found and photographed, and how far the bureau has got with each finding.

Plain data from the county plan, the forms and the seed, no database: the same seed gives the
same plan, down to the photos' bytes. surveys.py writes it through the sync and review code.
"""
import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from forms import applies, prescreen
from server.demo.answers import FormFiller, location
from server.demo.county import BuildingPlan, CountyPlan, EstatePlan
from server.demo.photos import Caption, scene_jpeg
from server.demo.texts import NEUTRAL, PLACES, REMARKS
from sync import lifecycle
from sync.china_time import CHINA_TIME

# Four of the six communities are under way, so the progress page shows partial coverage.
SURVEYED_SHARE = {"城东社区": 0.42, "城西社区": 0.38, "南关社区": 0.40, "北关社区": 0.45}
JOINT_WORKER_SHARE = 0.35  # of 南关/北关's buildings, surveyed by the worker who covers both
PROPERTY_REPORT_SHARE = 0.25  # of surveyed managed buildings, with a defect the company reported
DEFECT_RATE = ((1980, 0.38), (1990, 0.30), (2000, 0.20), (2010, 0.12), (9999, 0.07))
SECOND_DEFECT = 0.2
TWO_PHOTOS = 0.4
DESCRIBED = 0.75  # of a submission's findings, later described on the phone (finding.update)
DAY_OFF_AT = (5, 41)  # the evidence photos, by order of taking, whose EXIF is a day off
# Review states: share of the findings, at least two each; the rest stay pending (the queue).
STATE_SHARES = ((lifecycle.RETURNED, 0.07), (lifecycle.RESURVEY, 0.06), (lifecycle.ACCEPTED, 0.10),
                (lifecycle.RECTIFYING, 0.13), (lifecycle.RECTIFIED, 0.07),
                (lifecycle.VERIFIED, 0.09))
OVERDUE = 3  # of the rectifying findings, whose deadline has passed
# The forms a visit takes (by topic: a form's id less its system, "2025-gas-safety" → "gas-safety")
ALWAYS = ("stairwell-safety", "envelope-safety")
NOW_AND_THEN = ("incomplete-dwellings", "water-quality-pressure", "digital-home")  # 1 in 5
REPORTED = ("stairwell-safety", "envelope-safety", "pipeline-damage")  # by property companies
NAMESPACE = uuid.UUID("6f1c9d8e-2b7a-4c35-9e61-0d5a7b3c2e14")

BuildingKey = tuple[str, str]  # (estate name, building number): stable across databases


@dataclass(frozen=True)
class PhotoPlan:
    sha256: str
    data: bytes
    author: str
    captured_at: datetime  # what the phone recorded; the EXIF inside `data` may disagree
    latitude: float
    longitude: float


@dataclass
class FindingPlan:
    uuid: str
    building: BuildingKey
    indicator: int
    question_id: str
    check_item: str
    author: str
    captured_at: datetime
    photos: list[str]
    description: str | None
    submission: str | None = None  # its submission's uuid; None: reported on its own
    report: dict | None = None     # the finding.report operation, less building id
    state: str = lifecycle.PENDING
    overdue: bool = False
    after_photos: list[str] = field(default_factory=list)
    pinned: bool = False  # stays pending: it shows something (EXIF warning, an appraisal)
    photos_added_later: bool = False  # the form has no photo question: added on its screen


@dataclass(frozen=True)
class SubmissionPlan:
    uuid: str
    building: BuildingKey
    author: str
    form_id: str
    form_version: int
    answers: dict
    captured_at: datetime


@dataclass(frozen=True)
class AppraisalPlan:
    uuid: str
    building: BuildingKey
    indicator: int
    appraised_on: date
    contradicts: bool  # whether it contradicts a field finding


@dataclass
class Fieldwork:
    year: int  # the round's: fieldwork in its summer, rectification in its autumn
    submissions: list[SubmissionPlan] = field(default_factory=list)
    findings: list[FindingPlan] = field(default_factory=list)
    photos: dict[str, PhotoPlan] = field(default_factory=dict)
    appraisals: list[AppraisalPlan] = field(default_factory=list)
    day_off: set[str] = field(default_factory=set)  # photos whose EXIF time is a day off

    def count_states(self) -> dict[str, int]:
        tally: dict[str, int] = {}
        for finding in self.findings:
            tally[finding.state] = tally.get(finding.state, 0) + 1
        return tally


@dataclass(frozen=True)
class _Site:
    estate: EstatePlan
    building: BuildingPlan
    community: str

    @property
    def key(self) -> BuildingKey:
        return (self.estate.name, self.building.number)

    def facts(self) -> dict:
        return {**self.building.columns(),
                "has_property_management": self.estate.property_company is not None}


def plan_fieldwork(county: CountyPlan, registry, system: str, seed: int,
                   year: int) -> Fieldwork:
    """The fieldwork of a round of `year` with the forms of indicator `system`."""
    planner = _Planner(county, registry, system, year, random.Random(f"fieldwork-{seed}"), seed)
    return planner.plan()


def topic(form) -> str:
    return form.id.removeprefix(f"{form.system}-")


def stable_uuid(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


class _Planner:
    def __init__(self, county, registry, system, year, rng, seed):
        self.county, self.rng, self.seed = county, rng, seed
        self.forms = {form.indicator: form for form in registry.forms(system)}
        self.topics = {topic(form): form for form in self.forms.values()}
        self.fill = FormFiller(system, registry.system(system).rule_context(year))
        self.work = Fieldwork(year)
        self.taken = 0  # evidence photos so far
        self.workers = {a.communities[0]: a.username for a in county.accounts
                        if a.role == "worker" and len(a.communities) == 1}
        self.joint = {name: a.username for a in county.accounts
                      if a.role == "worker" and len(a.communities) > 1 for name in a.communities}
        self.companies = {a.property_company: a.username for a in county.accounts
                          if a.role == "property"}

    def plan(self) -> Fieldwork:
        visits: dict[str, list[_Site]] = {}
        for community in self.county.communities:
            share = SURVEYED_SHARE.get(community.name, 0)
            sites = [_Site(e, b, community.name) for e in community.estates for b in e.buildings]
            chosen = sorted(self.rng.sample(range(len(sites)), round(share * len(sites))))
            for index in chosen:
                site = sites[index]
                author = self.workers[site.community]
                if site.community in self.joint and self.rng.random() < JOINT_WORKER_SHARE:
                    author = self.joint[site.community]
                visits.setdefault(author, []).append(site)
        reports: dict[str, list[_Site]] = {}
        for author in sorted(visits):
            for site, moment in zip(visits[author], _schedule(self.rng, len(visits[author]),
                                                              self.work.year)):
                self.survey(site, author, moment)
                company = site.estate.property_company
                if company and self.rng.random() < PROPERTY_REPORT_SHARE:
                    reports.setdefault(self.companies[company], []).append(site)
        for author in sorted(reports):
            for site, moment in zip(reports[author], _schedule(
                    self.rng, len(reports[author]), self.work.year, per_day=4, start_day=8)):
                self.report(site, author, moment)
        self.assign_states()
        return self.work

    def indicators_for(self, site: _Site) -> list[int]:
        """The indicators surveyed on this visit, chosen by topic: the system's numbers differ."""
        b, rng, facts, forms = site.building, self.rng, site.facts(), self.topics
        chosen = list(ALWAYS)
        if (prescreen(forms["structural-safety"], facts) or b.year_built <= 1990
                or rng.random() < 0.3):
            chosen.append("structural-safety")
        if applies(forms["gas-safety"], facts) and rng.random() < 0.8:  # piped gas (2025)
            chosen.append("gas-safety")
        if rng.random() < 0.5:
            chosen.append("pipeline-damage")
        if rng.random() < 0.4:
            chosen.append("aging-friendly")
        if applies(forms["energy-retrofit"], facts) and rng.random() < 0.5:  # built before 2000
            chosen.append("energy-retrofit")
        chosen += [name for name in NOW_AND_THEN if rng.random() < 0.2]
        return sorted(self.topics[name].indicator for name in chosen if name in self.topics)

    def survey(self, site: _Site, author: str, start: datetime) -> None:
        rng, facts = self.rng, site.facts()
        rate = next(r for last_year, r in DEFECT_RATE if site.building.year_built <= last_year)
        for step, indicator in enumerate(self.indicators_for(site)):
            form, moment = self.forms[indicator], start + timedelta(minutes=7 * step + rng.randint(0, 4))
            submission_uuid = stable_uuid(self.seed, "submission", *site.key, indicator)
            answers = self.fill.clear_answers(form, facts, rng)
            candidates = self.fill.defect_candidates(form, answers, facts)
            chosen = []
            if candidates and rng.random() < rate:
                count = 2 if len(candidates) > 1 and rng.random() < SECOND_DEFECT else 1
                chosen = rng.sample(candidates, count)
            answers = self.fill.with_defects(form, answers, chosen, facts, rng)
            answers = self.fill.with_follow_ups(form, answers, chosen, facts, rng)
            for defect in self.fill.defects_of(form, answers, facts):
                question = form.question(defect["question_id"])["defect"]
                place = rng.choice(PLACES[topic(form)])
                photos = self.photos(site, author, moment - timedelta(minutes=3),
                                     defect["check_item"], indicator, defect["question_id"])
                if "location" in question:
                    answers[question["location"]] = location(defect["question_id"], facts, place,
                                                             rng)
                if "photos" in question:
                    answers[question["photos"]] = photos
                description = (_describe(place, defect["check_item"], defect["question_id"], rng)
                               if rng.random() < DESCRIBED else None)
                self.work.findings.append(FindingPlan(
                    uuid=str(uuid.uuid5(uuid.UUID(submission_uuid), defect["question_id"])),
                    building=site.key, indicator=indicator, question_id=defect["question_id"],
                    check_item=defect["check_item"], author=author, captured_at=moment,
                    photos=photos, description=description, submission=submission_uuid,
                    photos_added_later="photos" not in question))
            self.work.submissions.append(SubmissionPlan(
                uuid=submission_uuid, building=site.key, author=author, form_id=form.id,
                form_version=form.version, answers=self.fill.finish(form, answers, facts),
                captured_at=moment))

    def report(self, site: _Site, author: str, moment: datetime) -> None:
        """A property company's own report of a defect in a building it manages."""
        rng, facts = self.rng, site.facts()
        form = self.topics[rng.choice(REPORTED)]
        indicator = form.indicator
        candidates = self.fill.defect_candidates(form, self.fill.clear_answers(form, facts, rng),
                                                 facts)
        question_id = rng.choice(candidates)
        check_item = form.question(question_id)["defect"]["check_item"]
        place = rng.choice(PLACES[topic(form)])
        where = location(question_id, facts, place, rng)
        photos = self.photos(site, author, moment - timedelta(minutes=2), check_item, indicator,
                             question_id)
        description = f"{_describe(place, check_item, question_id, rng)}物业已登记，待维修。"
        finding_uuid = stable_uuid(self.seed, "report", *site.key, question_id)
        self.work.findings.append(FindingPlan(
            uuid=finding_uuid, building=site.key, indicator=indicator, question_id=question_id,
            check_item=check_item, author=author, captured_at=moment, photos=photos,
            description=description, report={
                "indicator": indicator, "question_id": question_id, "unit": where["unit"],
                "floor": where["floor"], "location_detail": place, "description": description,
                "photos": photos}))

    def photos(self, site: _Site, author: str, taken: datetime, check_item: str, indicator: int,
               question_id: str, *, after: bool = False) -> list[str]:
        count = 1 if after or self.rng.random() >= TWO_PHOTOS else 2
        hashes = []
        for n in range(count):
            moment = taken + timedelta(seconds=40 * n + self.rng.randint(0, 20))
            exif_time = moment
            day_off = not after and self.taken in DAY_OFF_AT
            if day_off:
                exif_time = moment - timedelta(days=1)  # the phone's clock or the file is off
            self.taken += 0 if after else 1
            latitude = site.building.latitude + self.rng.uniform(-0.0002, 0.0002)
            longitude = site.building.longitude + self.rng.uniform(-0.0002, 0.0002)
            digits = "".join(c for c in site.building.number if c.isdigit())
            caption = Caption(check_item, f"Indicator {indicator} / {question_id}",
                              f"{site.estate.name}{site.building.number}",
                              f"Building No. {digits}", after=after)
            data = scene_jpeg(caption, exif_time, latitude, longitude,
                              seed=self.rng.randrange(1 << 30))
            photo = PhotoPlan(_sha256(data), data, author, moment, round(latitude, 6),
                              round(longitude, 6))
            self.work.photos.setdefault(photo.sha256, photo)
            if day_off:
                self.work.day_off.add(photo.sha256)
            hashes.append(photo.sha256)
        return hashes

    def assign_states(self) -> None:
        findings = self.work.findings
        pinned = {f.uuid for f in findings if self.work.day_off.intersection(f.photos)}
        structural = next((f for f in findings if f.indicator == 1 and f.uuid not in pinned),
                          None)
        if structural is not None:  # an appraisal will say otherwise (see below)
            pinned.add(structural.uuid)
        for finding in findings:
            finding.pinned = finding.uuid in pinned
        free = [f for f in findings if not f.pinned]
        self.rng.shuffle(free)
        position = 0
        for state, share in STATE_SHARES:
            quota = max(2, round(share * len(findings)))
            for finding in free[position:position + quota]:
                finding.state = state
            position += quota
        rectifying = [f for f in findings if f.state == lifecycle.RECTIFYING]
        for finding in rectifying[:OVERDUE]:
            finding.overdue = True
        for finding in findings:
            if finding.state in lifecycle.REPORTED_FIXED:
                site = self._site(finding.building)
                finding.after_photos = self.photos(
                    site, finding.author,
                    datetime(self.work.year, 9, 10, 10, 0, tzinfo=CHINA_TIME)
                    + timedelta(days=self.rng.randint(0, 40), minutes=self.rng.randint(0, 400)),
                    finding.check_item, finding.indicator, finding.question_id, after=True)
        self.plan_appraisals(structural)

    def plan_appraisals(self, structural: FindingPlan | None) -> None:
        if structural is not None:
            self.work.appraisals.append(AppraisalPlan(
                stable_uuid(self.seed, "appraisal", *structural.building), structural.building,
                1, date(self.work.year, 8, 6), contradicts=True))
        confirmed = next((f for f in self.work.findings if f.indicator == 1
                          and f.state in lifecycle.AWAITING_RECTIFICATION
                          and (structural is None or f.building != structural.building)), None)
        if confirmed is not None:
            self.work.appraisals.append(AppraisalPlan(
                stable_uuid(self.seed, "appraisal", *confirmed.building), confirmed.building,
                1, date(self.work.year, 8, 20), contradicts=False))

    def _site(self, key: BuildingKey) -> _Site:
        for community in self.county.communities:
            for estate in community.estates:
                if estate.name == key[0]:
                    building = next(b for b in estate.buildings if b.number == key[1])
                    return _Site(estate, building, community.name)
        raise KeyError(key)


def _describe(place: str, check_item: str, question_id: str, rng: random.Random) -> str:
    return f"{place}：{check_item}。{REMARKS.get(question_id) or rng.choice(NEUTRAL)}。"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _schedule(rng: random.Random, visits: int, year: int, *, per_day: int = 5,
              start_day: int = 1):
    """Visit times: working days of the round's July (not Sundays), from 8:30, ~40 minutes
    apart."""
    day, done_today = date(year, 7, start_day), 0
    for _ in range(visits):
        while day.weekday() == 6:
            day += timedelta(days=1)
        yield datetime(day.year, day.month, day.day, 8, 30, tzinfo=CHINA_TIME) + timedelta(
            minutes=40 * done_today + rng.randint(0, 15))
        done_today += 1
        if done_today >= per_day:
            day, done_today = day + timedelta(days=1), 0
