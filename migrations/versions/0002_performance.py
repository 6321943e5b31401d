"""performance: an index for the board's thread list sorted by top votes

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 17:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # The board page's default order (vote_count, created_at, id, all descending) read straight
    # from the index: no sort of all of a board's threads on every page view.
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index(
            'ix_post_board_parent_votes',
            ['board_id', 'parent_id', 'vote_count', 'created_at', 'id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_board_parent_votes')
