"""`emails preview`: the emails a sync would send now, rendered, without sending or recording anything."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..settings.config_file import Config
from ..sheet.loaded import Loaded
from .delivery import Drafts
from .journal import Journal, journal_path
from .message import one_line


@dataclass
class PreviewEmail:
    return_id: str
    kind: str
    sender: str  # From header as it will be written (before encoding)
    to: str
    reply_to: str | None
    subject: str
    text: str
    html: str
    over_cap: bool  # would wait for a later run (over max_emails_per_run)
    error: str = ""  # why it could not be sent (e.g. an address that cannot be used)

    def as_dict(self) -> dict:
        return {"return_id": self.return_id, "kind": self.kind, "from": self.sender, "to": self.to,
                "reply_to": self.reply_to, "subject": self.subject, "text": self.text, "html": self.html,
                "over_cap": self.over_cap, "error": self.error,
                "outcome": "failed" if self.error else "waiting" if self.over_cap else "would-send",
                "detail": self.error or ("over the per-run cap" if self.over_cap else "")}


@dataclass
class Preview:
    source: str
    as_of: date
    emails: list[PreviewEmail] = field(default_factory=list)


def preview(loaded: Loaded, config: Config, *, as_of: date, now: datetime, return_id: str | None = None,
            kind: str | None = None) -> Preview:
    """Render the emails a sync of the loaded sheet would send now (optionally one return's, or one kind)."""
    def wanted(due) -> bool:
        return (return_id is None or due.return_id.lower() == return_id.strip().lower()) and \
            (kind is None or str(due.kind) == kind)

    with Journal(journal_path(config.state_dir, loaded.source), readonly=True) as journal:
        drafts = Drafts(loaded, config, journal, now, everything=True)
    sender = drafts.sender
    prepared = drafts.prepare_all(wanted)
    result = Preview(loaded.workbook.name, as_of)
    for item in prepared:
        due = item.due
        name = one_line(due.customer or "", 120)
        to = f"{name} <{due.to}>" if name else due.to
        result.emails.append(PreviewEmail(
            due.return_id, str(due.kind), f"{sender.name} <{sender.address}>", to, sender.reply_to,
            item.rendered.subject, item.rendered.text, item.rendered.html, item.over_cap, item.error,
        ))
    return result
