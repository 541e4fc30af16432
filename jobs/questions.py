"""Questions the bot asked in chat (``storage.questions``): the tick forgets those nobody
answered in time."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from jobs.steps import Step, TickContext
from storage import questions


class QuestionStep(Step):
    name = "questions"

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        questions.purge_expired(session, now)
        return 0
