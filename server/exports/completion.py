"""问题整治完成率 as a file beside the lists: per class (限时解决, 尽力解决) for each 社区 and the
county, the confirmed problems of the round by state, the overdue, and the rate — the figures of
the rectification desk (server/findings/completion.py), no other rule."""
from datetime import date

from server.accounts.models import User
from server.findings.completion import completion_table
from server.findings.models import PROBLEM_CLASSES
from server.surveys.models import SurveyRound
from sync import lifecycle

HEADER = ["序号", "范围", "问题分类", "确认问题", *[lifecycle.label(s) for s in lifecycle.CONFIRMED],
          "逾期未整改", "问题整治完成率"]


def completion_rows(user: User, survey_round: SurveyRound, today: date, *, community_id=None):
    table = completion_table(user, survey_round, today)
    places = [(c["name"], c["classes"]) for c in table["communities"]
              if community_id is None or c["id"] == community_id]
    if community_id is None:
        places.append(("全县", table["county"]))
    serial = 0
    for name, classes in places:
        for problem_class in PROBLEM_CLASSES:
            tally = classes[problem_class]
            serial += 1
            yield [serial, name, problem_class, tally.confirmed,
                   *[tally.by_status[s] for s in lifecycle.CONFIRMED], tally.overdue,
                   "—" if tally.rate is None else f"{tally.rate:.1f}%"]
