"""releases.proposed_by_id: who reported what waits for release (`freigabe` shows it, issue #18)

Revision ID: 0008
Revises: 0006b
Create Date: 2026-12-02 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_releases_proposed_by_id_people'), 'people', ['proposed_by_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_releases_proposed_by_id_people'), type_='foreignkey')
        batch_op.drop_column('proposed_by_id')
