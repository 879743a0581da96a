"""Historic perimeters (issue 20): a grouping's composition at a past date, and the date of the
composition an objective was set on.

- ``historic_perimeter``: the communes of a grouping (an EPCI) from ``valid_from`` to ``valid_to``,
  declared by a plan (``perimetres`` in plan.yaml); Grenoble-Alpes-Métropole had 28 communes
  until its merger of 1 January 2014.
- ``objective.perimeter_date``: « perimetre_au » in plan.yaml; an objective set on a past
  perimeter is evaluated on that perimeter's communes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('historic_perimeter',
    sa.Column('group_code', sa.String(length=60), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('member_code', sa.String(length=60), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['group_code'], ['territory.code'], name=op.f('fk_historic_perimeter_group_code_territory')),
    sa.ForeignKeyConstraint(['member_code'], ['territory.code'], name=op.f('fk_historic_perimeter_member_code_territory')),
    sa.PrimaryKeyConstraint('group_code', 'valid_from', 'member_code', name=op.f('pk_historic_perimeter'))
    )
    with op.batch_alter_table('objective') as batch:
        batch.add_column(sa.Column('perimeter_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('objective') as batch:
        batch.drop_column('perimeter_date')
    op.drop_table('historic_perimeter')
