"""estates and communities: their basics (小区类型, 建成年代, areas, 户数, 常住人口; a contact)

Revision ID: e5b7c3a1d904
Revises: d0cc32b694a7
Create Date: 2026-12-03 16:05:47

Every basic is nullable (not known until the bureau's list or the desk says so), each column
carrying its CHECK constraints. They are written out here, not read from the models, so later
model changes cannot change what this migration does.

Plain ALTER TABLE … ADD / DROP COLUMN on both databases (SQLite ≥ 3.35 takes a named CHECK on an
added column): Alembic's batch mode would rebuild these tables on SQLite, and with foreign keys
enforced dropping the old `communities` or `estates` fails as soon as a row refers to it.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b7c3a1d904'
down_revision = 'd0cc32b694a7'
branch_labels = None
depends_on = None

ESTATE_KINDS = "('商品房', '房改房', '单位宿舍', '安置房', '自建房', '里弄', '其他')"
# table -> its new columns in order, as `name type [constraints]`; dropped in reverse order
# (built_to first: its CHECK of the order names built_from).
COLUMNS = {
    'communities': [
        "households INTEGER CONSTRAINT ck_communities_households_not_negative "
        "CHECK (households >= 0)",
        "population INTEGER CONSTRAINT ck_communities_population_not_negative "
        "CHECK (population >= 0)",
        "area FLOAT CONSTRAINT ck_communities_area_positive CHECK (area > 0)",
        "contact_name VARCHAR(30)",
        "contact_phone VARCHAR(30)",
        "basics_version INTEGER DEFAULT '0' NOT NULL",
    ],
    'estates': [
        f"kind VARCHAR(8) CONSTRAINT ck_estates_kind CHECK (kind IN {ESTATE_KINDS})",
        "built_from INTEGER CONSTRAINT ck_estates_built_from "
        "CHECK (built_from BETWEEN 1900 AND 2100)",
        "built_to INTEGER CONSTRAINT ck_estates_built_to CHECK (built_to BETWEEN 1900 AND 2100) "
        "CONSTRAINT ck_estates_built_in_order CHECK (built_from <= built_to)",
        "land_area FLOAT CONSTRAINT ck_estates_land_area_positive CHECK (land_area > 0)",
        "floor_area FLOAT CONSTRAINT ck_estates_floor_area_positive CHECK (floor_area > 0)",
        "households INTEGER CONSTRAINT ck_estates_households_not_negative "
        "CHECK (households >= 0)",
        "population INTEGER CONSTRAINT ck_estates_population_not_negative "
        "CHECK (population >= 0)",
        "basics_version INTEGER DEFAULT '0' NOT NULL",
    ],
}


def upgrade():
    for table, columns in COLUMNS.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def downgrade():
    for table, columns in reversed(COLUMNS.items()):
        for column in reversed(columns):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}")
