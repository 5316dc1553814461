"""audiences: private components and incidents for named audiences, and who belongs to them

Revision ID: a7d3c9e2b410
Revises: 5d8c2a7e4f19
Create Date: 2026-12-03 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.sqltypes


# revision identifiers, used by Alembic.
revision = 'a7d3c9e2b410'
down_revision = '5d8c2a7e4f19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audiences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("customer", "internal", name="audiencekind", native_enum=False,
                    create_constraint=True, length=8),
            nullable=False,
        ),
        sa.Column("created_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audiences")),
        sa.UniqueConstraint("name", name=op.f("uq_audiences_name")),
        sa.UniqueConstraint("public_id", name=op.f("uq_audiences_public_id")),
    )
    op.create_table(
        "audience_admissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("email", "domain", "claim", "network", name="admissionkind",
                    native_enum=False, create_constraint=True, length=7),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audiences.id"],
            name=op.f("fk_audience_admissions_audience_id_audiences"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audience_admissions")),
        sa.UniqueConstraint(
            "audience_id", "kind", "value",
            name=op.f("uq_audience_admissions_audience_id_kind_value"),
        ),
    )
    op.create_index("ix_audience_admissions_kind_value", "audience_admissions", ["kind", "value"])
    op.create_table(
        "audience_components",
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audiences.id"],
            name=op.f("fk_audience_components_audience_id_audiences"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"],
            name=op.f("fk_audience_components_component_id_components"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("audience_id", "component_id", name=op.f("pk_audience_components")),
    )
    op.create_index(
        op.f("ix_audience_components_component_id"), "audience_components", ["component_id"]
    )
    op.create_table(
        "audience_groups",
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audiences.id"],
            name=op.f("fk_audience_groups_audience_id_audiences"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["component_groups.id"],
            name=op.f("fk_audience_groups_group_id_component_groups"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("audience_id", "group_id", name=op.f("pk_audience_groups")),
    )
    op.create_index(op.f("ix_audience_groups_group_id"), "audience_groups", ["group_id"])
    op.create_table(
        "incident_audiences",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"],
            name=op.f("fk_incident_audiences_incident_id_incidents"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audiences.id"],
            name=op.f("fk_incident_audiences_audience_id_audiences"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "audience_id", name=op.f("pk_incident_audiences")),
    )
    op.create_index(
        op.f("ix_incident_audiences_audience_id"), "incident_audiences", ["audience_id"]
    )
    op.create_table(
        "audience_artifacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=2000), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("updated_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audience_artifacts")),
        sa.UniqueConstraint("key", "path", name=op.f("uq_audience_artifacts_key_path")),
    )
    op.create_table(
        "viewer_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("next_path", sa.String(length=512), nullable=True),
        sa.Column("created_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", app.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_viewer_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_viewer_links_token_hash")),
    )
    op.create_index(op.f("ix_viewer_links_email"), "viewer_links", ["email"])
    op.create_table(
        "viewer_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=12), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("created_at", app.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", app.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_viewer_sessions")),
        sa.UniqueConstraint("public_id", name=op.f("uq_viewer_sessions_public_id")),
    )
    op.create_index(op.f("ix_viewer_sessions_email"), "viewer_sessions", ["email"])
    op.create_index(op.f("ix_viewer_sessions_created_at"), "viewer_sessions", ["created_at"])
    op.create_index(op.f("ix_viewer_sessions_revoked_at"), "viewer_sessions", ["revoked_at"])


def downgrade():
    op.drop_table("audience_artifacts")
    op.drop_table("viewer_sessions")
    op.drop_table("viewer_links")
    op.drop_index(op.f("ix_incident_audiences_audience_id"), table_name="incident_audiences")
    op.drop_table("incident_audiences")
    op.drop_index(op.f("ix_audience_groups_group_id"), table_name="audience_groups")
    op.drop_table("audience_groups")
    op.drop_index(op.f("ix_audience_components_component_id"), table_name="audience_components")
    op.drop_table("audience_components")
    op.drop_index("ix_audience_admissions_kind_value", table_name="audience_admissions")
    op.drop_table("audience_admissions")
    op.drop_table("audiences")
