"""content generation: the counter in every cached fragment's key (app.fragments); an index
of members' held and hidden posts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 20:50:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('content_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_generation'))
    )
    # A random start: see app.models.cache.fresh_start.
    op.bulk_insert(table, [{'id': 1, 'value': secrets.randbits(48)}])
    unpublished = sa.text('held_at IS NOT NULL OR hidden_at IS NOT NULL')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index('ix_post_author_unpublished', ['author_id'], unique=False,
                              sqlite_where=unpublished, postgresql_where=unpublished)


def downgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_author_unpublished')
    op.drop_table('content_generation')
