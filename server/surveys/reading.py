"""A stored submission read as the worker filled it: the form's sections and questions by label,
each answer in words, the questions the rules skipped marked as such. Plain Python over forms/
(no request, no database): the desk's submission page renders what this returns."""
from typing import NamedTuple

from forms import derive_defects, relevance

YES_NO = {True: "是", False: "否"}
SKIPPED = "skipped"   # not asked: the form's rules left it out for these answers and facts
BLANK = "blank"       # asked, not answered (an optional question)
ANSWERED = "answered"


class Row(NamedTuple):
    question_id: str
    label: str
    state: str
    text: str = ""          # the answer in words ("" for photos, skipped and blank)
    photos: tuple = ()      # SHA-256 of the photos answered
    defect: bool = False    # the answer revealed this question's defect


class Section(NamedTuple):
    title: str
    rows: list


def read_answers(form, answers: dict, facts: dict, context: dict | None = None) -> list[Section]:
    """Every question of the form, in order, with its answer in words or why it has none.
    `context`: the submission's round's (server.catalog.round_context), as when it was recorded."""
    asked = relevance(form, answers, facts, context)
    defects = {d["question_id"] for d in derive_defects(form, answers, facts, context)}
    sections = []
    for section in form.sections:
        rows = [_row(question, asked, defects) for question in section["questions"]]
        sections.append(Section(section["title"], rows))
    return sections


def read_unknown_form(answers: dict) -> list[Section]:
    """The answers of a form this server no longer has: by question id, as stored."""
    rows = [Row(qid, qid, ANSWERED, str(value)) for qid, value in answers.items()]
    return [Section("答案（表单定义缺失，按题目编号列出）", rows)]


def _row(question: dict, asked, defects: set) -> Row:
    qid, label = question["id"], question["label"]
    if qid not in asked.question_ids:
        return Row(qid, label, SKIPPED)
    value = asked.answers.get(qid)
    if value is None or value == [] or value == "":
        return Row(qid, label, BLANK)
    if question["type"] == "photos":
        return Row(qid, label, ANSWERED, photos=tuple(value), defect=qid in defects)
    return Row(qid, label, ANSWERED, answer_text(question, value), defect=qid in defects)


def answer_text(question: dict, value) -> str:
    """One answer in words: 是/否, a choice by its label, a place as unit · floor · detail.
    Numbers as given: the 2024 forms carry their units in the label (e.g. 实测入户水压（MPa）),
    and forms/schema.py has no unit key."""
    kind = question["type"]
    if kind == "yes_no":
        return YES_NO.get(value, str(value))
    if kind in ("single_choice", "multiple_choice"):
        labels = {c["value"]: c["label"] for c in question.get("choices", [])}
        chosen = value if isinstance(value, list) else [value]
        return "、".join(labels.get(v, str(v)) for v in chosen)
    if kind == "location" and isinstance(value, dict):
        floor = value.get("floor")
        parts = [value.get("unit"), f"{floor}层" if floor is not None else None,
                 value.get("detail")]
        return " · ".join(str(p) for p in parts if p not in (None, ""))
    return str(value)
