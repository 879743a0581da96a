"""Default plan as data (« plan facts out of code »): ``plan.is_default``.

The plan a visitor lands on is the one whose ``plan.yaml`` says ``defaut: true`` (written by
``data_access.plans.load_plan``; read by ``data_access.plans.default_plan``). Existing rows get
false: the next ``load-plan`` writes the flag.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan') as batch_op:
        batch_op.add_column(sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('plan') as batch_op:
        batch_op.drop_column('is_default')
