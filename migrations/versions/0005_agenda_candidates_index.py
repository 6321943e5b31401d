"""agenda candidates: an index that counts and ranks a meeting's candidate questions alone

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 21:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Every column the candidates' filter and order read: ranking the questions of a busy
    # board then sorts narrow index entries instead of whole post rows (app.agenda.queries).
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index(
            'ix_post_board_candidates',
            ['board_id', 'kind', 'parent_id', 'removed_at', 'held_at', 'hidden_at',
             'vote_count', 'created_at', 'id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_board_candidates')
