"""asked questions: what a chat transport remembers about its open questions (no cap)

Revision ID: 0006b
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = '0006b'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('asked_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transport', sa.String(length=16), nullable=False),
    sa.Column('room_id', sa.String(length=255), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('several', sa.String(length=255), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('poll', sa.Boolean(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('ended', sa.Boolean(), nullable=False),
    sa.Column('asked_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asked_questions')),
    sa.UniqueConstraint('transport', 'event_id', name=op.f('uq_asked_questions_transport_event_id'))
    )
    op.create_index('ix_asked_questions_room', 'asked_questions', ['transport', 'room_id', 'is_open'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_asked_questions_room', table_name='asked_questions')
    op.drop_table('asked_questions')
