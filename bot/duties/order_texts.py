"""The memo's messages (issue 15): the memo itself (a .docx with a few lines and the buttons
its reader needs), the version of record with the director's order, the order to each
person concerned with its new deadline, the reminder on that day, the excuse, and the
director told again when the order is missed.

The documents are Thai (the office's record, whoever reads them); the lines around them are
in the reader's language. The memo's words come from its frozen facts (``jobs.duties.memos``), so
that these templates need nothing but their parameters.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.i18n import N_, Translate, format_date, format_datetime, translator
from bot.common.render import Keyboard, Rendered, period_label, project_of
from bot.duties.buttons import DONE, ESCALATION, MEMO_ORDER, MEMO_PROPOSE
from bot.duties.memo_loop import (
    ORDER_WORDS,
    memo_document,
    memo_settings,
    number_text,
    ordered_document,
)
from storage.models import MemoOrderKind

NO_WORDS = N_("No further words")


def director_title(facts: dict[str, Any], language: str) -> str:
    """The director as the memo addresses them (``[memo] director_title``, else
    ``[director]``'s), in English from ``[director] title_en``."""
    if language == "en":
        return str(facts.get("director_title_en") or facts.get("director_title") or "")
    kept = memo_settings(facts.get("settings", {}))
    return kept.director_title or str(facts.get("director_title") or "")


def _memo_line(facts: dict[str, Any], _: Translate, language: str) -> str:
    dated = date.fromisoformat(str(facts["dated"]))
    return _("Memo no. {number} of {date}").format(
        number=number_text(facts), date=format_date(dated, language)
    )


def _report(facts: dict[str, Any], _: Translate, language: str, zone: ZoneInfo) -> list[str]:
    title = facts.get("title_en") if language == "en" else facts.get("title")
    return [
        _("Report: {title}").format(title=title or facts.get("title") or ""),
        _("Period: {period}").format(period=period_label(dict(facts["period"]), language, zone)),
    ]


def _subject(facts: dict[str, Any], language: str, zone: ZoneInfo) -> str:
    """``the report's title, its period`` as the order's sentences name it."""
    title = facts.get("title_en") if language == "en" else facts.get("title")
    period = period_label(dict(facts["period"]), language, zone)
    return f"{title or facts.get('title') or ''} {period}"


def _due(params: dict[str, Any], language: str, zone: ZoneInfo) -> str:
    iso = params.get("new_due_at")
    if not iso:
        return "-"
    return format_datetime(datetime.fromisoformat(str(iso)).astimezone(zone), language)


def _words(params: dict[str, Any], _: Translate) -> list[str]:
    words = str(params.get("order_text") or "").strip()
    return [_('The order reads: "{words}"').format(words=words)] if words else []


# -- the memo ---------------------------------------------------------------------------------


def _memo(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """A copy of the memo: the coordinator's to review (``เสนอ``), the director's to order on,
    or a copy for information."""
    _ = translator(language)
    facts, role = dict(params["memo"]), str(params.get("role") or "copy")
    director = director_title(facts, language)
    head = {
        "review": _("A memo to the {director} for your review"),
        "decide": _("To the {director}: a memo for your order"),
    }.get(role, _("For your information: a memo to the {director}"))
    key = "name_en" if language == "en" else "name"
    names = ", ".join(_named(p, key, _) for p in facts["missing"]) or "-"
    lines = [
        head.format(director=director),
        _memo_line(facts, _, language),
        "",
        *_report(facts, _, language, zone),
        _("Still missing after the follow-ups ({count}): {names}").format(
            count=len(facts["missing"]), names=names
        ),
        "",
    ]
    keyboard: Keyboard = []
    memo_id = int(facts["memo_id"])
    if role == "review":
        lines.append(
            _(
                'Please check the attached memo, then press "Propose" to send it on to the '
                "{director}."
            ).format(director=director)
        )
        keyboard.append([(_("Propose"), MEMO_PROPOSE(memo_id))])
    elif role == "decide":
        lines.append(
            _(
                "Please order on it with a button below: the order is written into the memo's "
                "box and sent to those concerned."
            )
        )
        keyboard += _decide_buttons(facts, memo_id, _, language, zone)
    return Rendered("\n".join(lines), keyboard, document=memo_document(facts, zone))


def _decide_buttons(
    facts: dict[str, Any], memo_id: int, _: Translate, language: str, zone: ZoneInfo
) -> Keyboard:
    deadline = datetime.fromisoformat(str(facts["deadline"])).astimezone(zone).date()
    by = format_date(deadline, language, "short")
    return [
        [(_("Order them to submit by {date}").format(date=by), MEMO_ORDER("d", memo_id))],
        [(_("Exempt"), MEMO_ORDER("x", memo_id))],
        [(_(ORDER_WORDS[MemoOrderKind.DIRECTOR.value]), MEMO_ORDER("o", memo_id))],
    ]


def _memo_ordered(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """The version of record: the memo with the director's order in its box."""
    _ = translator(language)
    facts = dict(params["memo"])
    director = director_title(facts, language)
    kind = str(params.get("order_kind") or "")
    lines = [
        _("The {director}'s order on memo no. {number}").format(
            director=director, number=number_text(facts)
        ),
        *_report(facts, _, language, zone),
        "",
        _ordered_line(params, kind, _, language, zone),
        *_words(params, _),
        "",
        _("Attached: the memo with the order in its box, the version of record."),
    ]
    document = ordered_document(facts, params["content"])
    return Rendered("\n".join(lines), document=document)


def _ordered_line(
    params: dict[str, Any], kind: str, _: Translate, language: str, zone: ZoneInfo
) -> str:
    if kind == MemoOrderKind.DEADLINE.value:
        return _("Ordered: submit by {due}").format(due=_due(params, language, zone))
    if kind == MemoOrderKind.EXCUSED.value:
        return _("Exempted")
    return _(ORDER_WORDS[MemoOrderKind.DIRECTOR.value])


# -- to each person concerned ----------------------------------------------------------------


def _director_order(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """``ศึกษาธิการจังหวัดสั่งการให้จัดส่ง{title} … ภายในวันที่ …``, the words quoted, the memo
    cited, and "Report sent"."""
    _ = translator(language)
    facts = dict(params["memo"])
    director = director_title(facts, language)
    lines = [
        _("The {director}'s order").format(director=director),
        "",
        _("The {director} orders that the {report} be submitted by {due}.").format(
            director=director,
            report=_subject(facts, language, zone),
            due=_due(params, language, zone),
        ),
        *_words(params, _),
        _("(Memo no. {number} of {date})").format(
            number=number_text(facts),
            date=format_date(date.fromisoformat(str(facts["dated"])), language),
        ),
        "",
        _('Please send the report by then, and press "Report sent" below.'),
    ]
    keyboard: Keyboard = [[(_("Report sent"), DONE(int(params["assignment_id"])))]]
    return Rendered("\n".join(lines), keyboard)


def _order_reminder(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """The morning of the order's new due day."""
    _ = translator(language)
    facts = dict(params["memo"])
    director = director_title(facts, language)
    lines = [
        _("Today is the due date the {director} ordered").format(director=director),
        "",
        _("Please send the {report} by {due}, as ordered on memo no. {number}.").format(
            report=_subject(facts, language, zone),
            due=_due(params, language, zone),
            number=number_text(facts),
        ),
        *_line_project(facts, params, _),
        *_words(params, _),
        _("If it is still missing after that, the {director} is told again.").format(
            director=director
        ),
        "",
        _('When you have sent it, press "Report sent" below.'),
    ]
    keyboard: Keyboard = [[(_("Report sent"), DONE(int(params["assignment_id"])))]]
    return Rendered("\n".join(lines), keyboard)


def _order_excused(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    facts = dict(params["memo"])
    lines = [
        _("The {director} has exempted you from sending the {report}.").format(
            director=director_title(facts, language), report=_subject(facts, language, zone)
        ),
        _("Reason: {reason}").format(reason=str(params.get("order_text") or "-")),
        "",
        _("Nothing more is asked of you for this report."),
    ]
    return Rendered("\n".join(lines))


# -- the director told again --------------------------------------------------------------


def _order_missed(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """The order's deadline has passed and some are still missing: back to the director,
    citing the memo, with the escalation's buttons for each person (remind again, exempt)."""
    _ = translator(language)
    facts = dict(params["memo"])
    director = director_title(facts, language)
    missing = params.get("missing") or []
    lines = [  # as a memo opens: the subject, then the salutation (THAI-REVIEW item 1)
        _("Subject: the order on memo no. {number} of {date}").format(
            number=number_text(facts),
            date=format_date(date.fromisoformat(str(facts["dated"])), language),
        ),
        _("To: {director}").format(director=director),
        "",
        _(
            "You ordered that the {report} be submitted by {due}. That time has passed and the "
            "report has still not come from {count} of those responsible:"
        ).format(
            report=_subject(facts, language, zone),
            due=_due(params, language, zone),
            count=len(missing),
        ),
    ]
    keyboard: Keyboard = []
    english = language == "en"
    for number, person in enumerate(missing, start=1):
        name = str(person.get("name_en" if english else "name") or person["name"])
        group = person.get("group_en" if english else "group") or person.get("group") or "-"
        project = project_of(person)
        lines.append(
            f"{number}. {name} ({group})"
            + (" — " + _("project {project}").format(project=project) if project else "")
        )
        name += f" ({person['project_code']})" if person.get("project_code") else ""
        aid = int(person["assignment_id"])
        keyboard.append(
            [
                (_("Remind again now: {name}").format(name=name), ESCALATION("r", aid)),
                (_("Excuse: {name}").format(name=name), ESCALATION("x", aid)),
            ]
        )
    lines += ["", _("For your consideration.")]
    return Rendered("\n".join(lines), keyboard)


def _line_project(facts: dict[str, Any], params: dict[str, Any], _: Translate) -> list[str]:
    """The project of the memo's line this reminder is about, when owed per project."""
    aid = params.get("assignment_id")
    for person in facts.get("missing") or []:
        if person.get("assignment_id") == aid and project_of(person):
            return [_("Project: {project}").format(project=project_of(person))]
    return []


def _named(person: dict[str, Any], key: str, _: Translate) -> str:
    """A line of a memo in chat: the name, and the project when the report is per project."""
    name, project = str(person.get(key) or person["name"]), project_of(person)
    return _("{name} (project {project})").format(name=name, project=project) if project else name


ORDER_TEMPLATES = {
    "memo": _memo,
    "memo_ordered": _memo_ordered,
    "director_order": _director_order,
    "order_reminder": _order_reminder,
    "order_excused": _order_excused,
    "order_missed": _order_missed,
}
