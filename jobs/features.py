"""The features' shares of the tick, listed once (``jobs.steps.Step``): the planner runs
them in this order after the reports' own ladder, the dispatcher applies their rules before
sending. Adding a feature: its step in its package, and one line here."""

from __future__ import annotations

from jobs.complaints.step import ComplaintStep
from jobs.duties.memos import MemoOrderStep
from jobs.loans.step import LoanStep
from jobs.power import PowerStep
from jobs.publishing.step import PublishingStep
from jobs.questions import QuestionStep
from jobs.steps import Step
from jobs.yearplan.step import YearPlanStep

STEPS: tuple[type[Step], ...] = (
    LoanStep,
    ComplaintStep,
    PowerStep,
    QuestionStep,
    MemoOrderStep,
    YearPlanStep,
    PublishingStep,
)
