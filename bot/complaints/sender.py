"""Notices to a complainant who asked for them: their chat is found, decrypted, only when the
notice is sent, so that no outbox row ever holds it in clear."""

from __future__ import annotations

from bot.runtime.complaint_keys import ComplaintKeys
from jobs.complaints.ladder import CONTACT_CHAT
from jobs.dispatch import Outcome, Sender, Undeliverable
from storage import complaints
from storage.db import Database
from storage.models import OutboxMessage

TEMPLATE = "complaint_notice"


class ComplainantSender:
    """Implements ``jobs.dispatch.Sender``: a complaint notice goes to the chat kept encrypted
    in its complaint, in the language chosen then; every other message to the inner sender."""

    def __init__(self, inner: Sender, db: Database, keys: ComplaintKeys | None) -> None:
        self.inner = inner
        self.db = db
        self.keys = keys

    async def send(self, message: OutboxMessage, language: str) -> Outcome:
        if message.template != TEMPLATE or message.chat_id != CONTACT_CHAT:
            return await self.inner.send(message, language)
        complaint_id = int(message.params.get("complaint_id") or 0)
        complaint = await self.db.run(lambda s: complaints.by_id(s, complaint_id))
        token = complaint.notify_token if complaint is not None else None
        contact = self.keys.open_contact(token) if self.keys is not None and token else None
        if complaint is None or contact is None or self.keys is None:
            # erased meanwhile (the case closed long ago), or the key was changed
            return Undeliverable("the complainant's contact is no longer kept", False)
        chat_id, chosen = contact
        answer = complaints.content(complaint, self.keys).outcome_text
        params = {**message.params, "outcome_text": answer}
        resolved = message.model_copy(update={"chat_id": chat_id, "params": params})
        return await self.inner.send(resolved, chosen)
