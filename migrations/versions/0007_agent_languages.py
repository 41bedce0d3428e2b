"""agents' languages: the languages an agent speaks, a routing skill (issue 17)

Revision ID: 0007_agent_languages
Revises: 0006_call_controls
Create Date: 2026-12-04 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from config.settings import from_environment


# revision identifiers, used by Alembic.
revision = '0007_agent_languages'
down_revision = '0006_call_controls'
branch_labels = None
depends_on = None


def upgrade():
    # Agents who exist already speak the floor's default language, as a new agent does
    # unless told otherwise; a supervisor adds the others on the agent's page.
    default = str(from_environment('DEFAULT_LANGUAGE') or 'en')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.String(length=64), server_default='',
                                      nullable=False))
    op.execute(sa.text("UPDATE agents SET languages = :default WHERE languages = ''")
               .bindparams(default=default))


def downgrade():
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('languages')
