"""follow_ups: answers asking for an agency (需专业机构评估) as work; appraisals of every indicator
the round's system has agencies appraise

Revision ID: b6d2f0a4c871
Revises: b8d2f4a6c1e3
Create Date: 2026-12-05 10:00:00

- `follow_ups`: one row per follow-up a survey's form asked for, open / appraised (by the
  appraisal that closed it) / withdrawn (a later survey no longer asked), with the agency the
  bureau assigned.
- `appraisals.indicator`: the check `indicator IN (1, 2)` becomes `indicator >= 1`; which
  indicators take an appraisal is the round's system's (forms/<system>/system.json), checked
  when one is recorded.
- Data: the latest survey of each building, indicator and round that asked for an agency gets its
  follow-ups, appraised by the first appraisal of that building, indicator and round recorded
  after it (if any). Earlier surveys' requests were answered or superseded by the latest survey.

Downgrade drops the table and puts the old check back; appraisals of other indicators than 1
and 2 (made since) would violate it, so the downgrade refuses while any exists.
"""
import json
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6d2f0a4c871'
down_revision = 'b8d2f4a6c1e3'
branch_labels = None
depends_on = None

LATEST_ASKING = """
SELECT s.id, s.round_id, s.building_id, s.indicator, s.follow_ups, s.received_at,
       (SELECT a.id FROM appraisals a
         WHERE a.round_id = s.round_id AND a.building_id = s.building_id
           AND a.indicator = s.indicator AND a.created_at > s.received_at
         ORDER BY a.created_at, a.id LIMIT 1) AS appraisal_id,
       (SELECT a.created_at FROM appraisals a
         WHERE a.round_id = s.round_id AND a.building_id = s.building_id
           AND a.indicator = s.indicator AND a.created_at > s.received_at
         ORDER BY a.created_at, a.id LIMIT 1) AS appraised_at
FROM submissions s
WHERE s.follow_ups IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM submissions t
                   WHERE t.round_id = s.round_id AND t.building_id = s.building_id
                     AND t.indicator = s.indicator AND t.id > s.id)
ORDER BY s.id
"""


def upgrade():
    op.create_table(
        'follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('appraisal_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'appraised', 'withdrawn')",
                           name=op.f('ck_follow_ups_status')),
        sa.CheckConstraint("status != 'appraised' OR appraisal_id IS NOT NULL",
                           name=op.f('ck_follow_ups_appraised_by')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                                name=op.f('fk_follow_ups_agency_id_agencies')),
        sa.ForeignKeyConstraint(['appraisal_id'], ['appraisals.id'],
                                name=op.f('fk_follow_ups_appraisal_id_appraisals')),
        sa.ForeignKeyConstraint(['building_id'], ['buildings.id'],
                                name=op.f('fk_follow_ups_building_id_buildings')),
        sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'],
                                name=op.f('fk_follow_ups_round_id_survey_rounds')),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                                name=op.f('fk_follow_ups_submission_id_submissions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
        sa.UniqueConstraint('submission_id', 'question_id',
                            name=op.f('uq_follow_ups_submission_id_question_id')),
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_open',
                              ['round_id', 'building_id', 'indicator', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_building_id'), ['building_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_agency_id'), ['agency_id'], unique=False)
    _set_indicator_check('indicator >= 1')
    _make_follow_ups(op.get_bind())


def downgrade():
    connection = op.get_bind()
    others = connection.execute(sa.text(
        "SELECT count(*) FROM appraisals WHERE indicator NOT IN (1, 2)")).scalar()
    if others:
        raise RuntimeError(f"{others} appraisals of indicators other than 1 and 2 exist: the "
                           "schema before this revision cannot hold them")
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_agency_id'))
        batch_op.drop_index(batch_op.f('ix_follow_ups_building_id'))
        batch_op.drop_index('ix_follow_ups_open')
    op.drop_table('follow_ups')
    _set_indicator_check('indicator IN (1, 2)')


def _set_indicator_check(condition: str) -> None:
    with _foreign_keys_off_on_sqlite():
        with op.batch_alter_table('appraisals', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_appraisals_indicator'), type_='check')
            batch_op.create_check_constraint(batch_op.f('ck_appraisals_indicator'), condition)


@contextmanager
def _foreign_keys_off_on_sqlite():
    """SQLite changes a CHECK by copying the table, dropping it and renaming the copy; with
    foreign keys on, dropping `appraisals` fails while findings refer to it. SQLite's documented
    procedure: foreign keys off (only possible between transactions, so the migration's
    transaction is committed first), the copy, then a foreign_key_check before they are on again."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    bind.exec_driver_sql("BEGIN")
    yield
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken by the copy of appraisals: {broken[:5]}")
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = ON")
    bind.exec_driver_sql("BEGIN")


def _make_follow_ups(connection) -> None:
    insert = sa.text("""
        INSERT INTO follow_ups (submission_id, round_id, building_id, indicator, question_id,
                                reason, status, appraisal_id, created_at, closed_at)
        VALUES (:submission_id, :round_id, :building_id, :indicator, :question_id, :reason,
                :status, :appraisal_id, :created_at, :closed_at)""")
    for row in connection.execute(sa.text(LATEST_ASKING)).mappings().all():
        asked = row["follow_ups"]
        asked = json.loads(asked) if isinstance(asked, str) else asked
        seen = set()
        for item in asked or []:
            if item["question_id"] in seen:
                continue
            seen.add(item["question_id"])
            connection.execute(insert, {
                "submission_id": row["id"], "round_id": row["round_id"],
                "building_id": row["building_id"], "indicator": row["indicator"],
                "question_id": item["question_id"], "reason": item["reason"],
                "status": "appraised" if row["appraisal_id"] else "open",
                "appraisal_id": row["appraisal_id"], "created_at": row["received_at"],
                "closed_at": row["appraised_at"]})
