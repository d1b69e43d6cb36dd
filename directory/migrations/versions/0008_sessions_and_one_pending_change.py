"""session versions, one pending change per listing, shared rate limits: a user's sessions
can all be ended (sign-out, new password, account disabled), two saves at the same moment
cannot leave two pending changes for one listing, and sign-in limits are counted in the
database so every worker shares them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='1', nullable=False)
        )
    # Earlier duplicates (the race this index closes) keep only their latest pending change;
    # the older ones are turned down with a reason the provider can read.
    op.execute(
        "UPDATE listing_changes SET state = 'rejected', "
        "reason = 'Replaced by a later change sent at the same moment.' "
        "WHERE state = 'pending' AND id NOT IN ("
        "SELECT max(id) FROM listing_changes WHERE state = 'pending' GROUP BY service_id)"
    )
    op.create_table('rate_limits',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limits'))
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limits_expires_at'), ['expires_at'], unique=False)
    op.create_index(
        'uq_listing_changes_one_pending', 'listing_changes', ['service_id'], unique=True,
        sqlite_where=PENDING, postgresql_where=PENDING,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('uq_listing_changes_one_pending', table_name='listing_changes')
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limits_expires_at'))
    op.drop_table('rate_limits')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
