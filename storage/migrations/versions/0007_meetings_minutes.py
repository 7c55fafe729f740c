"""meetings and minutes: stable numbers of meetings and agenda items, guests, apologies,
approval of the minutes, action items

Revision ID: 0007
Revises: 0006b
Create Date: 2026-12-02 15:00:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = '0007'
down_revision = '0006b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('number', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('guests', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('minutes_approved_at', storage.models.base.UTCDateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table('agenda_items') as batch:
        batch.add_column(sa.Column('number', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default=''))
    with op.batch_alter_table('rsvps') as batch:
        batch.add_column(sa.Column('excused', sa.Boolean(), nullable=True))
    # existing rows: items keep the order they had, numbered from 1; the standing item is marked
    op.execute("UPDATE agenda_items SET number = (SELECT COUNT(*) FROM agenda_items AS a "
               "WHERE a.meeting_id = agenda_items.meeting_id AND (a.position < agenda_items.position "
               "OR (a.position = agenda_items.position AND a.id <= agenda_items.id)))")
    op.execute("UPDATE agenda_items SET kind = 'standing' WHERE title = 'Sachstand der Empfehlungen'")
    op.execute("UPDATE meetings SET number = (SELECT COUNT(*) FROM meetings AS m "
               "WHERE m.body_id = meetings.body_id AND (m.starts_at < meetings.starts_at "
               "OR (m.starts_at = meetings.starts_at AND m.id <= meetings.id)))")
    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('owner_person_id', sa.Integer(), nullable=True),
    sa.Column('owner_body_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('done_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'],
                            name=op.f('fk_action_items_agenda_item_id_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                            name=op.f('fk_action_items_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_body_id'], ['bodies.id'],
                            name=op.f('fk_action_items_owner_body_id_bodies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_person_id'], ['people.id'],
                            name=op.f('fk_action_items_owner_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items'))
    )
    op.create_index(op.f('ix_action_items_meeting_id'), 'action_items', ['meeting_id'], unique=False)
    op.create_index(op.f('ix_action_items_owner_person_id'), 'action_items', ['owner_person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_action_items_owner_person_id'), table_name='action_items')
    op.drop_index(op.f('ix_action_items_meeting_id'), table_name='action_items')
    op.drop_table('action_items')
    with op.batch_alter_table('rsvps') as batch:
        batch.drop_column('excused')
    with op.batch_alter_table('agenda_items') as batch:
        batch.drop_column('kind')
        batch.drop_column('number')
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('minutes_approved_at')
        batch.drop_column('guests')
        batch.drop_column('number')
