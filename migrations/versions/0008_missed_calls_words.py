"""nobody ignored and the agent's own words: departments' missed-call callback setting, the
abandoned calls a callback holds, the lines an agent confirmed on the wrap-up

Revision ID: 0008_missed_calls_words
Revises: 0007_agent_languages
Create Date: 2026-12-04 09:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_missed_calls_words'
down_revision = '0007_agent_languages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missed_call_callbacks', sa.Boolean(),
                                      server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('missed_call_after_seconds', sa.Integer(),
                                      server_default='20', nullable=False))
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('abandoned_calls', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_callbacks_number'), ['number'], unique=False)
    with op.batch_alter_table('wrapups', schema=None) as batch_op:
        # Existing wrap-ups confirmed no line: an empty list, then no default (as `tags`).
        batch_op.add_column(sa.Column('words_confirmed', sa.JSON(),
                                      server_default=sa.text("'[]'"), nullable=False))
    with op.batch_alter_table('wrapups', schema=None) as batch_op:
        batch_op.alter_column('words_confirmed', server_default=None)


def downgrade():
    with op.batch_alter_table('wrapups', schema=None) as batch_op:
        batch_op.drop_column('words_confirmed')
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callbacks_number'))
        batch_op.drop_column('abandoned_calls')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('missed_call_after_seconds')
        batch_op.drop_column('missed_call_callbacks')
