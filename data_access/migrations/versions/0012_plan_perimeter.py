"""The territory an intercommunal plan covers (issue 20): ``plan.perimeter_code``, « perimetre » in
plan.yaml (the PLH of Grenoble-Alpes Métropole: its EPCI), where the plan's pages open; None for a
département's plan.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan') as batch:
        batch.add_column(sa.Column('perimeter_code', sa.String(length=60), nullable=True))
        batch.create_foreign_key(op.f('fk_plan_perimeter_code_territory'), 'territory', ['perimeter_code'], ['code'])


def downgrade() -> None:
    with op.batch_alter_table('plan') as batch:
        batch.drop_constraint(op.f('fk_plan_perimeter_code_territory'), type_='foreignkey')
        batch.drop_column('perimeter_code')
