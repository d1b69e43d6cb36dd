"""demand counters for the insights page, and the read-only commissioner role

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:30:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = ('admin', 'link_worker', 'provider')
NEW_ROLES = (*OLD_ROLES, 'commissioner')


def _role(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='role', native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    """Upgrade schema."""
    counters = [sa.Column(name, sa.Integer(), nullable=False) for name in (
        'matches', 'few_options', 'too_far', 'not_free', 'not_at_times', 'not_step_free',
        'not_in_language', 'other_rule')]
    op.create_table('demand_counts',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('district', sa.String(length=4), nullable=False),
    sa.Column('kind', sa.Enum('all', 'goal', 'condition', name='needkind', native_enum=False,
                              create_constraint=True, length=20), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('readiness', sa.String(length=20), nullable=False),
    *counters,
    sa.PrimaryKeyConstraint('month', 'district', 'kind', 'code', 'readiness',
                            name=op.f('pk_demand_counts'))
    )
    op.create_table('search_misses',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('word_hash', sa.String(length=64), nullable=False),
    sa.Column('word', sa.String(length=40), nullable=True),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'word_hash', name=op.f('pk_search_misses'))
    )
    # The role's CHECK names one more value (on SQLite the table is copied).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=_role(OLD_ROLES), type_=_role(NEW_ROLES),
                              existing_nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    # The older schema has no commissioner role: those accounts cannot be kept.
    op.execute("DELETE FROM users WHERE role = 'commissioner'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=_role(NEW_ROLES), type_=_role(OLD_ROLES),
                              existing_nullable=False)
    op.drop_table('search_misses')
    op.drop_table('demand_counts')
