"""The page's settings: one row."""

from datetime import datetime

from sqlalchemy import JSON, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.enums import Severity, State
from app.sqltypes import utcnow

# Minutes between updates per severity and state (DESIGN.md, from GitLab's CMOC table,
# PagerDuty's external-comms guide and Statuspage's 30-minute advice).
DEFAULT_CADENCE = {
    State.investigating: (15, 30, 60, 120, 240),
    State.identified: (20, 30, 60, 120, 240),
    State.monitoring: (30, 60, 120, 240, 480),
}


# "JIRA-123", "OPS-42": the shape of a ticket id the checks keep out of public text by default.
DEFAULT_TICKET_PATTERN = r"\b[A-Z][A-Z0-9]{1,9}-\d+\b"


def default_cadence_policy() -> dict[str, dict[str, int]]:
    return {
        sev.value: {state.value: row[i] for state, row in DEFAULT_CADENCE.items()}
        for i, sev in enumerate(Severity)
    }


class Setting(db.Model):
    __tablename__ = "settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_name: Mapped[str] = mapped_column(String(120), default="Status")
    public_url: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    mail_from: Mapped[str | None] = mapped_column(String(254))
    support_url: Mapped[str | None] = mapped_column(String(500))
    brand_color: Mapped[str] = mapped_column(String(7), default="#1f6feb")
    logo_url: Mapped[str | None] = mapped_column(String(500))
    cadence_policy: Mapped[dict] = mapped_column(JSON, default=default_cadence_policy)
    warning_lead_minutes: Mapped[int] = mapped_column(default=5)
    slack_webhook_url: Mapped[str | None] = mapped_column(String(500))
    # Outbound requests (webhooks) may reach loopback and private networks: off by default.
    allow_private_outbound: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What public text must not say (the checks of every text): the admin's words, one a
    # line, and the shape of a ticket id (a regular expression; blank: no ticket check).
    blocked_words: Mapped[str] = mapped_column(Text, default="", server_default="")
    ticket_pattern: Mapped[str] = mapped_column(
        String(200), default=DEFAULT_TICKET_PATTERN, server_default=DEFAULT_TICKET_PATTERN
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def cadence_for(self, severity: Severity, state: State) -> int | None:
        """Minutes until the next update is due, or None if the state has no cadence."""
        return (self.cadence_policy or {}).get(Severity(severity).value, {}).get(State(state).value)

    def __repr__(self) -> str:
        return f"<Setting {self.page_name!r}>"
