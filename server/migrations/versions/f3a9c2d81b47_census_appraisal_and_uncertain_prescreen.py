"""buildings: 是否经过安全鉴定 (appraised) from the census, and indicator 1's 待核实 pre-screen

Revision ID: f3a9c2d81b47
Revises: e5b7c3a1d904
Create Date: 2026-12-04 10:20:00

`appraised` is nullable (not known until a census file or the desk says so). `prescreen_uncertain`
starts false for every building: it is set when a building's pre-screen is next refreshed (an
import, a correction of its facts, the demo seed). Plain ALTER TABLE, as in e5b7c3a1d904: batch
mode would rebuild `buildings` on SQLite, which every finding and submission refers to.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f3a9c2d81b47'
down_revision = 'e5b7c3a1d904'
branch_labels = None
depends_on = None

COLUMNS = [
    "appraised BOOLEAN",
    "prescreen_uncertain BOOLEAN DEFAULT false NOT NULL",
]


def upgrade():
    for column in COLUMNS:
        op.execute(f"ALTER TABLE buildings ADD COLUMN {column}")


def downgrade():
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE buildings DROP COLUMN {column.split()[0]}")
