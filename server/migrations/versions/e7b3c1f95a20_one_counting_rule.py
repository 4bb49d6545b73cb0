"""one counting rule: building_statuses keep a state (是/待审核/否); hazard appraisals become findings

Revision ID: e7b3c1f95a20
Revises: c41e7a9d2b10
Create Date: 2026-12-03 16:30:00.000000

"""
import uuid
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b3c1f95a20'
down_revision = 'c41e7a9d2b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appraisal_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_findings_appraisal_id'), ['appraisal_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_findings_appraisal_id_appraisals'),
                                    'appraisals', ['appraisal_id'], ['id'])
    connection = op.get_bind()
    _findings_for_hazard_appraisals(connection)
    op.drop_table('building_statuses')
    _create_statuses('state', sa.String(length=16))
    connection.execute(sa.text(DERIVE_STATES))


def downgrade():
    connection = op.get_bind()
    connection.execute(sa.text(
        "DELETE FROM reviews WHERE finding_id IN "
        "(SELECT id FROM findings WHERE appraisal_id IS NOT NULL)"))
    connection.execute(sa.text("DELETE FROM findings WHERE appraisal_id IS NOT NULL"))
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_findings_appraisal_id_appraisals'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_findings_appraisal_id'))
        batch_op.drop_column('appraisal_id')
    op.drop_table('building_statuses')
    _create_statuses('counts', sa.Boolean())
    connection.execute(sa.text(DERIVE_OLD_STATUSES))


def _create_statuses(column: str, column_type) -> None:
    op.create_table(
        'building_statuses',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.Integer(), nullable=False),
        sa.Column(column, column_type, nullable=False),
        sa.ForeignKeyConstraint(['building_id'], ['buildings.id'],
                                name=op.f('fk_building_statuses_building_id_buildings')),
        sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'],
                                name=op.f('fk_building_statuses_round_id_survey_rounds')),
        sa.PrimaryKeyConstraint('round_id', 'building_id', 'indicator',
                                name=op.f('pk_building_statuses')))
    op.create_index(f'ix_building_statuses_round_indicator_{column}', 'building_statuses',
                    ['round_id', 'indicator', column], unique=False)


# The governing appraisal (latest by date, then id) of each building, indicator and round that
# found a hazard gets its confirmed finding, as server/appraisals/findings.py does from now on.
HAZARDS = {
    1: ("结构安全隐患（经专业机构鉴定）", "非常严重", "限时解决", "住建局", "难",
        "按鉴定报告采取解危、加固或拆除重建措施，限时消除结构安全隐患"),
    2: ("燃气安全隐患（经专业机构检测）", "非常严重", "限时解决", "燃气公司", "较难",
        "按检测报告维修或更换燃气立管、引入管等设施，限时消除燃气安全隐患"),
}
GOVERNING_HAZARDS = """
SELECT a.id, a.round_id, a.building_id, a.indicator, a.author_id, a.grade, a.summary,
       a.appraised_on, ag.name AS agency
FROM appraisals a JOIN agencies ag ON ag.id = a.agency_id
WHERE a.conclusion = 'hazard' AND NOT EXISTS (
  SELECT 1 FROM appraisals later
  WHERE later.building_id = a.building_id AND later.indicator = a.indicator
    AND later.round_id = a.round_id
    AND (later.appraised_on > a.appraised_on
         OR (later.appraised_on = a.appraised_on AND later.id > a.id)))
"""
INSERT_FINDING = """
INSERT INTO findings (uuid, appraisal_id, round_id, building_id, indicator, check_item,
                      description, severity, problem_class, responsible_unit, difficulty,
                      suggestion, status, author_id, created_at, updated_at)
VALUES (:uuid, :appraisal_id, :round_id, :building_id, :indicator, :check_item, :description,
        :severity, :problem_class, :responsible_unit, :difficulty, :suggestion, 'accepted',
        :author_id, :now, :now)
"""


def _findings_for_hazard_appraisals(connection) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for a in connection.execute(sa.text(GOVERNING_HAZARDS)).mappings().all():
        check_item, severity, problem_class, unit, difficulty, suggestion = HAZARDS[a["indicator"]]
        grade = f"，{a['grade']}级" if a["grade"] else ""
        appraised_on = str(a["appraised_on"])[:10]
        connection.execute(sa.text(INSERT_FINDING), {
            "uuid": str(uuid.uuid4()), "appraisal_id": a["id"], "round_id": a["round_id"],
            "building_id": a["building_id"], "indicator": a["indicator"],
            "check_item": check_item,
            "description": f"{a['agency']} {appraised_on} 鉴定：存在安全隐患{grade}。"
                           f"{a['summary'] or ''}".strip(),
            "severity": severity, "problem_class": problem_class, "responsible_unit": unit,
            "difficulty": difficulty, "suggestion": suggestion, "author_id": a["author_id"],
            "now": now})


# The counting rule as it stands in this revision (sync/counting.py), written out so that later
# changes to the application cannot change what this migration does. A finding counts for its
# indicator unless the 2024 forms say otherwise (5: only a missing kitchen or toilet; 8: only
# water quality or pressure).
COUNTING = """(f.question_id IS NULL OR f.indicator NOT IN (5, 8)
  OR r.system <> '2024'
  OR (f.indicator = 5 AND f.question_id IN ('no_own_kitchen', 'no_own_toilet'))
  OR (f.indicator = 8 AND f.question_id IN ('water_quality_poor', 'water_pressure_low')))"""
DERIVE_STATES = f"""
INSERT INTO building_statuses (round_id, building_id, indicator, state)
SELECT round_id, building_id, indicator,
       CASE WHEN MIN(rank) = 1 THEN 'counts' WHEN MIN(rank) = 2 THEN 'pending' ELSE 'clear' END
FROM (
  SELECT f.round_id, f.building_id, f.indicator,
         CASE WHEN f.status IN ('accepted', 'rectifying', 'rectified', 'verified')
                   AND {COUNTING} THEN 1
              WHEN f.status IN ('pending', 'resurvey') AND {COUNTING} THEN 2 END AS rank,
         0 AS surveyed
  FROM findings f JOIN survey_rounds r ON r.id = f.round_id
  UNION ALL
  SELECT s.round_id, s.building_id, s.indicator, NULL, 1 FROM submissions s
  UNION ALL
  SELECT a.round_id, a.building_id, a.indicator, NULL, 1 FROM appraisals a
) AS sources
GROUP BY round_id, building_id, indicator
HAVING MIN(rank) IS NOT NULL OR MAX(surveyed) = 1
"""
# The rule before this revision (a2545e7d7262's), for the way back.
DERIVE_OLD_STATUSES = """
INSERT INTO building_statuses (round_id, building_id, indicator, counts)
SELECT round_id, building_id, indicator, counts FROM (
  SELECT round_id, building_id, indicator, counts,
         row_number() OVER (PARTITION BY round_id, building_id, indicator
                            ORDER BY priority, has_time DESC, moment DESC, tiebreak DESC) AS rank
  FROM (
    SELECT s.round_id, s.building_id, s.indicator, TRUE AS counts, 1 AS priority,
           CASE WHEN s.captured_at IS NULL THEN 0 ELSE 1 END AS has_time,
           s.captured_at AS moment, s.id AS tiebreak
    FROM submissions s
    WHERE EXISTS (SELECT 1 FROM findings f WHERE f.submission_id = s.id
                  AND f.status IN ('accepted', 'rectifying', 'rectified', 'verified'))
    UNION ALL
    SELECT a.round_id, a.building_id, a.indicator, a.conclusion = 'hazard', 2,
           CASE WHEN a.appraised_on IS NULL THEN 0 ELSE 1 END, a.appraised_on, a.id
    FROM appraisals a WHERE a.indicator IN (1, 2)
    UNION ALL
    SELECT s.round_id, s.building_id, s.indicator, s.counts, 3,
           CASE WHEN s.captured_at IS NULL THEN 0 ELSE 1 END, s.captured_at, s.id
    FROM submissions s
  ) AS sources
) AS ranked
WHERE rank = 1
"""
