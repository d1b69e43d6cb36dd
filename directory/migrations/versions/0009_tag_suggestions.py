"""tag suggestions, and the feed's own words kept on services (details)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.Text(), server_default='', nullable=False))
    op.create_table('tag_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('evidence', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('rule', sa.String(length=120), nullable=False),
    sa.Column('state', sa.Enum('suggested', 'accepted', 'rejected', name='suggestionstate',
                      native_enum=False, create_constraint=True, length=20),
              nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('confidence >= 0 AND confidence <= 1',
                       name=op.f('ck_tag_suggestions_confidence_range')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'],
                            name=op.f('fk_tag_suggestions_service_id_services'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'],
                            name=op.f('fk_tag_suggestions_term_id_terms'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_suggestions')),
    sa.UniqueConstraint('service_id', 'term_id', name='uq_tag_suggestions_service_term')
    )
    with op.batch_alter_table('tag_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tag_suggestions_service_id'), ['service_id'])
        batch_op.create_index(batch_op.f('ix_tag_suggestions_rule'), ['rule'])
        batch_op.create_index(batch_op.f('ix_tag_suggestions_state'), ['state'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('tag_suggestions')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('details')
