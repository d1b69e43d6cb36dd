"""warm referrals: referrals and their messages (personal fields Fernet-sealed), and whether a
listing accepts referrals with the group's "what we need to know"

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:40:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ('sent', 'accepted', 'declined', 'attended', 'did_not_attend', 'withdrawn', 'closed')
METHODS = ('phone', 'text', 'email', 'link_worker')


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepts_referrals', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('referral_needs', sa.Text(), server_default='',
                                      nullable=False))
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum(*STATUSES, name='referralstatus', native_enum=False,
                                create_constraint=True, length=20), nullable=False),
    sa.Column('form_key', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    *[_when(name) for name in ('answered_at', 'accepted_at', 'declined_at', 'attended_at',
                               'did_not_attend_at', 'withdrawn_at', 'closed_at', 'erased_at',
                               'reminded_at', 'escalated_at')],
    sa.Column('first_session', sa.Date(), nullable=True),
    sa.Column('meet_at_door', sa.Boolean(), nullable=False),
    sa.Column('contact_method', sa.Enum(*METHODS, name='contactmethod', native_enum=False,
                                        create_constraint=True, length=20), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('consent_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('person_name', sa.Text(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'],
                            name=op.f('fk_referrals_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_referrals_organization_id_organizations'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'],
                            name=op.f('fk_referrals_sender_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consent_by_id'], ['users.id'],
                            name=op.f('fk_referrals_consent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('public_id', name=op.f('uq_referrals_public_id')),
    sa.UniqueConstraint('form_key', name=op.f('uq_referrals_form_key')),
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_organization_id'), ['organization_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_sender_id'), ['sender_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index('ix_referrals_status_sent', ['status', 'sent_at'], unique=False)
    op.create_table('referral_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('from_group', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'],
                            name=op.f('fk_referral_messages_referral_id_referrals'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                            name=op.f('fk_referral_messages_author_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_messages')),
    )
    with op.batch_alter_table('referral_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_messages_referral_id'), ['referral_id'],
                              unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    # The older schema has no referrals: they (and their sealed personal fields) go.
    op.drop_table('referral_messages')
    op.drop_table('referrals')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('referral_needs')
        batch_op.drop_column('accepts_referrals')
