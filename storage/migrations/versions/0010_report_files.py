"""report files: the PDF delivered along a reporting line, for OParl once released (issue #21)

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 15:00:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('reporting_line_id', sa.Integer(), nullable=True),
    sa.Column('from_body_id', sa.Integer(), nullable=False),
    sa.Column('to_body_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha1', sa.String(length=40), nullable=False),
    sa.Column('sha512', sa.String(length=128), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('data_state', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reporting_line_id'], ['reporting_lines.id'], name=op.f('fk_report_files_reporting_line_id_reporting_lines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_body_id'], ['bodies.id'], name=op.f('fk_report_files_from_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_body_id'], ['bodies.id'], name=op.f('fk_report_files_to_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['released_by_id'], ['people.id'], name=op.f('fk_report_files_released_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_files')),
    sa.UniqueConstraint('reporting_line_id', 'period', 'mime_type', name=op.f('uq_report_files_reporting_line_id_period_mime_type'))
    )
    with op.batch_alter_table('report_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_files_to_body_id'), ['to_body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_files_released_at'), ['released_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_files_released_at'))
        batch_op.drop_index(batch_op.f('ix_report_files_to_body_id'))
    op.drop_table('report_files')
