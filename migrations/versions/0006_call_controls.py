"""call controls: wrap-ups, feedback lists, post-call surveys, the supervisors' audit log

Revision ID: 0006_call_controls
Revises: 0005_voicemail
Create Date: 2026-11-23 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_call_controls'
down_revision = '0005_voicemail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wrapups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('agent_identity', sa.String(length=121), nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('anything_else_asked', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_wrapups_customer_id_customers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_wrapups_interaction_id_interactions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wrapups')),
    sa.UniqueConstraint('interaction_id', 'agent_identity', name='uq_wrapups_interaction_agent')
    )
    with op.batch_alter_table('wrapups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wrapups_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wrapups_interaction_id'), ['interaction_id'], unique=False)

    op.create_table('feedback_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wrapup_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_feedback_items_department_id_departments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['wrapup_id'], ['wrapups.id'], name=op.f('fk_feedback_items_wrapup_id_wrapups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_items'))
    )
    with op.batch_alter_table('feedback_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_items_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_items_wrapup_id'), ['wrapup_id'], unique=False)

    op.create_table('department_surveys',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=121), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_department_surveys_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('department_id', name=op.f('pk_department_surveys'))
    )

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='asked', nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_survey_responses_department_id_departments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_survey_responses_interaction_id_interactions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('interaction_id', name=op.f('uq_survey_responses_interaction_id'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_department_id'), ['department_id'], unique=False)

    op.create_table('supervisor_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('supervisor', sa.String(length=121), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisor_audit'))
    )
    with op.batch_alter_table('supervisor_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervisor_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervisor_audit_call_sid'), ['call_sid'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervisor_audit_supervisor'), ['supervisor'], unique=False)


def downgrade():
    with op.batch_alter_table('supervisor_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervisor_audit_supervisor'))
        batch_op.drop_index(batch_op.f('ix_supervisor_audit_call_sid'))
        batch_op.drop_index(batch_op.f('ix_supervisor_audit_at'))
    op.drop_table('supervisor_audit')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_department_id'))
    op.drop_table('survey_responses')
    op.drop_table('department_surveys')
    with op.batch_alter_table('feedback_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_items_wrapup_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_items_department_id'))
    op.drop_table('feedback_items')
    with op.batch_alter_table('wrapups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wrapups_interaction_id'))
        batch_op.drop_index(batch_op.f('ix_wrapups_customer_id'))
    op.drop_table('wrapups')
