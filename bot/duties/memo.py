"""The memo (บันทึกข้อความ) to the director about a report still missing: its words, and the
.docx rendered from a Word template.

Two pure steps. :func:`write_memo` turns the facts (what was due when, who is missing, the
days each was followed up) and the config's ``[memo]`` into :class:`MemoData`, every field
already written as the memo shows it: the words from the catalogs, the dates in B.E. with
Thai month names, Thai digits throughout when the office chooses them. :func:`render_memo`
fills a template with it — the bot's own (``memo_template.docx``, built by
``make_memo_template.py``) or the office's — through docxtpl. ``MemoData.to_json()`` is what
``storage.memos.store_document`` keeps, so that the version with the director's order
(:func:`write_order`, ``MemoData.with_order``) is rendered from the very words proposed.

No word is written here in Thai: the catalogs hold them (``tests/duties/test_memo_document.py``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from docx.image.exceptions import UnrecognizedImageError
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from bot.common.i18n import N_, Translate, format_date, thai_digits, translator
from bot.common.roles import ROLE_NAMES
from jobs.duties.settings import MemoSettings
from storage.models import Role

DEFAULT_TEMPLATE = Path(__file__).with_name("memo_template.docx")
EMBLEM_HEIGHT = Mm(15)  # the ครุฑ of a บันทึกข้อความ: 1.5 cm high


class MemoTemplateError(Exception):
    """The template (or the emblem) cannot make a memo; the message is one sentence to show
    the office as it is."""


# -- what the memo says ---------------------------------------------------------------------


@dataclass(frozen=True)
class MissingPerson:
    """One person missing, as written: the parts, and the whole line of the default layout."""

    number: str
    name: str
    group: str
    position: str
    due: str
    followups: tuple[str, ...]
    line: str
    project: str = ""  # a report owed per project: the project (code and name), as written


@dataclass(frozen=True)
class Signer:
    """The signature block: the name (in parentheses on the page) and the position's lines."""

    name: str
    position: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemoOrder:
    """The director's order, as written into the box: what is ordered (``kind``), the
    director's own words (``text``), the new due date's line, who ordered it and when."""

    kind: str
    text: str
    new_due: str
    director: str
    title: str
    date: str


@dataclass(frozen=True)
class MemoLabels:
    """The memo's fixed words: บันทึกข้อความ, ส่วนราชการ, ที่, วันที่, เรื่อง, เรียน, the box."""

    memorandum: str
    section: str
    number: str
    date: str
    subject: str
    to: str
    order_box: str


@dataclass(frozen=True)
class MemoData:
    """Everything a memo writes, each field as it appears (the template places them)."""

    section: str  # ส่วนราชการ
    number: str  # ที่: the office's prefix and the number
    date: str  # วันที่
    subject: str  # เรื่อง
    to: str  # เรียน: the director's title
    facts: tuple[str, ...]  # the paragraphs before the list of people
    missing: tuple[MissingPerson, ...]
    measure: str  # the plan's measure, as written (๑.๑)
    grounds: str  # the paragraph citing the measure
    request: str  # จึงเรียนมาเพื่อโปรดพิจารณาสั่งการ
    signer: Signer
    labels: MemoLabels
    order: MemoOrder | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain data (the template's context, and what storage keeps)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MemoData:
        order = data.get("order")
        return cls(
            **{key: data[key] for key in _PLAIN},
            facts=tuple(data["facts"]),
            missing=tuple(
                MissingPerson(**{**p, "followups": tuple(p["followups"])}) for p in data["missing"]
            ),
            signer=Signer(data["signer"]["name"], tuple(data["signer"]["position"])),
            labels=MemoLabels(**data["labels"]),
            order=MemoOrder(**order) if order else None,
        )

    def with_order(self, order: MemoOrder) -> MemoData:
        """The same memo with the director's order in its box (the version of record)."""
        return replace(self, order=order)


_PLAIN = ("section", "number", "date", "subject", "to", "measure", "grounds", "request")


@dataclass(frozen=True)
class MissingFacts:
    """One person missing, from the database: name, group, position (ตำแหน่ง, may be empty),
    their due date and the office days they were followed up."""

    name: str
    group: str
    position: str
    due: date
    followups: Sequence[date] = ()
    project: str = ""  # a report owed per project: ``P-01 ชื่อโครงการ``


@dataclass(frozen=True)
class MemoFacts:
    """What a memo is about. ``office`` and ``group`` make ส่วนราชการ unless ``[memo]
    section`` is set; ``group`` (the coordinating group) is who followed up; ``director_title``
    and ``signer_name`` are used when ``[memo]`` does not give them (the config's
    ``[director] title_th``, the registered coordinator's name)."""

    number: int
    dated: date
    title: str  # the obligation's title
    period: str  # the period, as bot.common.render.period_label writes it
    measure: str  # the plan's measure, "1.1"
    due: date
    missing: Sequence[MissingFacts]
    office: str
    group: str
    director_title: str
    signer_name: str
    extra_facts: Sequence[str] = field(default_factory=tuple)  # more paragraphs, as written


def _digits(settings: MemoSettings) -> Callable[[str], str]:
    return thai_digits if settings.thai_digits else str


def memo_date(day: date, settings: MemoSettings, language: str = "th") -> str:
    """A date as the memo writes it: ``14 มกราคม 2569``, or ``๑๔ มกราคม ๒๕๖๙``."""
    return _digits(settings)(format_date(day, language, "long"))


def memo_labels(director_title: str, language: str = "th") -> MemoLabels:
    _ = translator(language)
    return MemoLabels(
        memorandum=_("Memorandum"),
        section=_("Government agency"),
        number=_("Ref. no."),
        date=_("Date"),
        subject=_("Subject"),
        to=_("To"),
        order_box=_("Opinion and order of the {title}").format(title=director_title),
    )


def write_memo(facts: MemoFacts, settings: MemoSettings, language: str = "th") -> MemoData:
    """The memo's words, from its facts and the office's ``[memo]``."""
    _ = translator(language)
    digits = _digits(settings)
    to = digits(settings.director_title or facts.director_title)
    words = {
        "title": facts.title,
        "period": facts.period,
        "group": facts.group,
        "due": memo_date(facts.due, settings, language),
    }
    missing = tuple(
        _person(number, person, settings, language)
        for number, person in enumerate(facts.missing, 1)
    )
    subject = _("Report of those who have not yet submitted the {title}, {period}")
    return MemoData(
        section=digits(settings.section or f"{facts.group} {facts.office}"),
        number=digits(f"{settings.prefix}{facts.number}"),
        date=memo_date(facts.dated, settings, language),
        subject=digits(subject.format(**words)),
        to=to,
        facts=tuple(digits(text) for text in _facts(facts, words, len(missing), _)),
        missing=missing,
        measure=digits(facts.measure),
        grounds=digits(_(_GROUNDS).format(measure=facts.measure)),
        request=_("For your consideration and order."),
        signer=signer(settings, facts.signer_name, language),
        labels=memo_labels(to, language),
    )


_GROUNDS = N_(
    "Measure {measure} of the office's integrity and transparency measures requires that "
    "the superior be told, for an order, when those responsible do not act in time."
)


def _facts(facts: MemoFacts, words: dict[str, str], count: int, _: Translate) -> list[str]:
    """What was asked, by when; that it has not come from ``count`` people (listed next)."""
    return [
        _("As {group} asked those responsible to submit the {title}, {period}, by {due},").format(
            **words
        ),
        _(
            "The due date has passed and {group} has followed up, but the report has still not "
            "been received from {count} of those responsible:"
        ).format(group=facts.group, count=count),
        *facts.extra_facts,
    ]


def _person(
    number: int, person: MissingFacts, settings: MemoSettings, language: str
) -> MissingPerson:
    _ = translator(language)
    digits = _digits(settings)
    due = memo_date(person.due, settings, language)
    followups = tuple(memo_date(day, settings, language) for day in person.followups)
    who = (
        _("{name}, {position}").format(name=person.name, position=person.position)
        if person.position
        else person.name
    )
    words = {"number": number, "who": who, "group": person.group, "due": due}
    if person.project:  # the line names the project as well as its person
        words["group"] = _("{group}, project {project}").format(
            group=person.group, project=person.project
        )
    if followups:
        line = _("{number}. {who}, {group}: due {due}, followed up on {followups}").format(
            **words, followups=_listed(followups, _)
        )
    else:
        line = _("{number}. {who}, {group}: due {due}").format(**words)
    return MissingPerson(
        number=digits(str(number)),
        name=digits(person.name),
        group=digits(person.group),
        position=digits(person.position),
        due=due,
        followups=followups,
        line=digits(line),
        project=digits(person.project),
    )


def _listed(items: Sequence[str], _: Translate) -> str:
    """``a``; ``a และ b``; ``a, b และ c``."""
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def signer(settings: MemoSettings, registered_name: str, language: str = "th") -> Signer:
    """The signature block: ``[memo] signer_name`` and ``signer_position``, else the
    registered coordinator's name and the role's name."""
    _ = translator(language)
    digits = _digits(settings)
    lines = settings.signer_position or [_(ROLE_NAMES[Role.COORDINATOR])]
    return Signer(
        digits(settings.signer_name or registered_name), tuple(digits(line) for line in lines)
    )


def write_order(
    *,
    kind: str,
    text: str,
    new_due: date | None,
    director: str,
    title: str,
    ordered_on: date,
    settings: MemoSettings,
    language: str = "th",
) -> MemoOrder:
    """The director's order as the box writes it; ``kind`` is the order in words (the
    button's meaning), ``text`` the director's own words if any."""
    _ = translator(language)
    digits = _digits(settings)
    due_line = ""
    if new_due is not None:
        due_line = _("To be submitted by {date}").format(
            date=memo_date(new_due, settings, language)
        )
    return MemoOrder(
        kind=digits(kind),
        text=digits(text),
        new_due=digits(due_line),
        director=digits(director),
        title=digits(title),
        date=memo_date(ordered_on, settings, language),
    )


# -- the .docx ------------------------------------------------------------------------------

# The office's template is the office's own file, but it is still code run on the server:
# sandboxed; a misspelt name is an error, not a blank; every value escaped for the XML.
_ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def render_memo(
    data: MemoData, template: Path | None = None, *, emblem: Path | None = None
) -> bytes:
    """The memo as a .docx: ``template`` (the office's; None: the bot's own) filled in with
    ``data`` (its fields by name, ``labels.*``, and ``emblem``: the image, or empty)."""
    source = template or DEFAULT_TEMPLATE
    document = _open(source)
    context = data.to_json() | {"emblem": _emblem(document, emblem)}
    try:
        document.render(context, _ENVIRONMENT)
    except (TemplateError, UnrecognizedImageError, OSError) as error:
        raise _refusal(error, source, emblem) from error
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _refusal(error: Exception, source: Path, emblem: Path | None) -> MemoTemplateError:
    """What went wrong, in one sentence the office can act on."""
    if isinstance(error, UnrecognizedImageError | OSError) and emblem is not None:
        return MemoTemplateError(f"The emblem image {emblem} is not a picture Word can show.")
    if isinstance(error, UndefinedError):
        reason = f"uses a name the bot does not provide ({error})"
    elif isinstance(error, TemplateSyntaxError):
        reason = f"has a mistake in its {{{{ }}}} or {{% %}} tags ({error.message})"
    else:
        reason = f"cannot be filled in ({error})"
    return MemoTemplateError(f"The memo template {source} {reason}.")


def _open(source: Path) -> DocxTemplate:
    if not source.is_file():
        raise MemoTemplateError(f"The memo template {source} does not exist.")
    try:
        document = DocxTemplate(str(source))
        document.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise MemoTemplateError(
            f"The memo template {source} is not a Word document (.docx) that can be read."
        ) from error
    return document


def _emblem(document: DocxTemplate, emblem: Path | None) -> InlineImage | str:
    if emblem is None:
        return ""
    if not emblem.is_file():
        raise MemoTemplateError(f"The emblem image {emblem} does not exist.")
    return InlineImage(document, str(emblem), height=EMBLEM_HEIGHT)


def check_template(template: Path | None, *, emblem: Path | None = None) -> None:
    """Render a sample memo from ``template``, without an order and with one: raises
    :class:`MemoTemplateError` with the reason when the office's file cannot make a memo (for
    the config check at start, and the CLI)."""
    blank = MemoData(
        section="-",
        number="1",
        date="-",
        subject="-",
        to="-",
        facts=("-",),
        missing=(MissingPerson("1", "-", "-", "-", "-", ("-",), "-"),),
        measure="1.1",
        grounds="-",
        request="-",
        signer=Signer("-", ("-",)),
        labels=MemoLabels(*("-",) * 7),
    )
    render_memo(blank, template, emblem=emblem)
    render_memo(blank.with_order(MemoOrder(*("-",) * 6)), template, emblem=emblem)
