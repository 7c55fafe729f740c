"""asked questions: a topic per question, so questions of different things stay open side by side

An invitation's attendance poll, a body's date poll and a conversation's step are independent:
a new question replaces only the open one of its own topic ("" is the conversation's step).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 22:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('asked_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=100), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('asked_questions', schema=None) as batch_op:
        batch_op.drop_column('topic')
