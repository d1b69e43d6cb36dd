"""catalogue change log: which services each catalogue version changed, so that every
machine's search index can catch up with writes made elsewhere.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 21:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('catalogue_changes',
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('service_id', sa.String(length=36), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('version', 'service_id', name=op.f('pk_catalogue_changes'))
    )
    with op.batch_alter_table('catalogue_changes', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_catalogue_changes_changed_at'), ['changed_at'], unique=False
        )
    with op.batch_alter_table('catalogue_version', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('pruned_through', sa.BigInteger(), server_default='0', nullable=False)
        )
    # Nothing before this revision was logged: an index built earlier is rebuilt once.
    op.execute("UPDATE catalogue_version SET pruned_through = value")
    # The counter's row exists from the start, so the first two writers cannot both insert it.
    op.execute(
        "INSERT INTO catalogue_version (id, value, pruned_through) "
        "SELECT 1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM catalogue_version)"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('catalogue_version', schema=None) as batch_op:
        batch_op.drop_column('pruned_through')
    with op.batch_alter_table('catalogue_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_changes_changed_at'))
    op.drop_table('catalogue_changes')
