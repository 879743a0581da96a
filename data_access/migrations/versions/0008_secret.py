"""Secret statistique (issue 16): a value a partner did not publish (« s », « secret », « < 5 »,
or a blank cell of a secret-bearing source) is stored as such, not as a zero nor left out.

- ``observation.secret`` and ``observation_history.secret``: the row is a secret cell; its
  ``value`` is 0, so that every sum leaves it out, and the flag says that the true value is unknown;
- ``observation_rollup.n_secret``: how many secret cells a grouping's sum covers (the sum is then a
  lower bound);
- ``indicator.rounding``: the indicator's source rounds its figures to this multiple (CAF: 5), so
  that sums of communes need not give the published total (``sources_arrondies`` of the catalogue).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-15
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (no batch copy: observation is a WITHOUT ROWID table on SQLite)
    op.add_column('observation', sa.Column('secret', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('observation_history', sa.Column('secret', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('observation_rollup', sa.Column('n_secret', sa.Integer(), server_default='0', nullable=False))
    op.add_column('indicator', sa.Column('rounding', sa.Integer(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN: SQLite 3.35 or later, PostgreSQL
    op.drop_column('indicator', 'rounding')
    op.drop_column('observation_rollup', 'n_secret')
    op.drop_column('observation_history', 'secret')
    op.drop_column('observation', 'secret')
