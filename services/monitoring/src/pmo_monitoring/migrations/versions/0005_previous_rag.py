"""The RAG each stored health replaced (project_health.previous_rag), so that storing an
assessment and learning the transition it makes take one statement: the upsert sets it from
the row it overwrites and returns it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    # Null for rows stored before it: their next assessment fills it.
    with op.batch_alter_table("project_health") as batch:
        batch.add_column(sa.Column("previous_rag", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project_health") as batch:
        batch.drop_column("previous_rag")
