"""A stock indicator (issue 20): a count at a date (« places d'hébergement au 31 décembre »,
« référents en poste au 31 décembre »), whose yearly values are never added up over years.

- ``indicator.stock``: set by ``stock: true`` in ``plans/indicateurs.yaml``; Tendances then gives
  no « Total » of the period and Comparer maps the period's last year (« au 31 décembre 2020 »),
  never a sum nor an average of years.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('indicator', sa.Column('stock', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column('indicator', 'stock')
