"""``staff-report-bot demo``: a small office runs a whole ladder in seconds, offline.

Everything real but Telegram: the fake Bot API server runs in this process on 127.0.0.1, the
database is a temporary SQLite file, and the real Application, engine and sender do the
work. Four people register by invite link; the bot reminds two of them; สมชาย confirms with
a file, มาลี stays silent, is followed up twice, and the director hears of it: the memo
(บันทึกข้อความ, a .docx) goes to the coordinator, who proposes it (เสนอ); the director orders
"submit by …" with a few words of their own, and the order goes back to มาลี.

``--lang en``: each person switches to English with ``/language en`` right after registering
(the welcome itself is Thai, as every newcomer's is), and the demo's names are romanised.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bot.app import build_application, polling
from bot.common.i18n import translator
from bot.common.services import Services, system_clock
from bot.offline import FakeTelegram, SentMessage
from jobs.settings import Obligation, OnceRecurrence, Owners, Settings, load_settings
from storage import groups, invites, migrate, outbox
from storage.db import Database
from storage.groups import GroupSpec
from storage.models import Role

DEMO_CONFIG = Path(__file__).with_name("demo") / "demo.toml"
DEMO_TOKEN = "100200300:DEMO-TOKEN-not-a-real-one"  # noqa: S105 (only the local fake knows it)
DUE_IN = timedelta(seconds=12)
TIME_LIMIT = 90.0  # from the report's first reminder; a quiet machine needs 10 s
WAIT = 30.0  # for one answer of the bot, on a busy machine
PEOPLE = (  # user id, first name, last name, group, role
    (5001, "วิชัย", "รักดี", None, Role.DIRECTOR),
    (5002, "วิภา", "ประสานงาน", "policy", Role.COORDINATOR),
    (5003, "สมชาย", "ใจดี", "admin", Role.STAFF),
    (5004, "มาลี", "ศรีสุข", "admin", Role.STAFF),
)
DIRECTOR, COORDINATOR, SOMCHAI, MALEE = (person[0] for person in PEOPLE)
ROMANISED = {  # user id: first and last name, for --lang en
    DIRECTOR: ("Wichai", "Rakdee"),
    COORDINATOR: ("Wipa", "Prasanngan"),
    SOMCHAI: ("Somchai", "Jaidee"),
    MALEE: ("Malee", "Srisuk"),
}
EVIDENCE_FILE = {"th": "รายงานไตรมาส.pdf", "en": "quarterly-report.pdf"}
ORDER_WORDS = {"th": "ขอให้จัดส่งโดยด่วน", "en": "Please send it at once."}


def demo_settings(
    now: datetime,
    *,
    due_in: timedelta = DUE_IN,
    base_url: str = "",
    database_url: str = "sqlite://",
) -> Settings:
    """The demo office, with one report due ``due_in`` after ``now``."""
    settings = load_settings(DEMO_CONFIG)
    due = (now + due_in).astimezone(settings.office.zone)
    report = Obligation(
        key="demo-report",
        title_th="รายงานผลการดำเนินงานโครงการ (ตัวอย่าง)",
        title_en="Project progress report (demo)",
        measure="1.1",
        ita_indicators=["011"],
        owners=Owners(each_member_of=["admin"]),
        recurrence=OnceRecurrence(kind="once", date=due.date()),
        due_time=clock_time(due.hour, due.minute, due.second),
        ladder="demo",
    )
    changed = settings.model_copy(
        update={
            "obligations": [report],
            "telegram": settings.telegram.model_copy(
                update={"base_url": base_url or settings.telegram.base_url}
            ),
            "database": settings.database.model_copy(update={"url": database_url}),
        }
    )
    changed._source = settings.source
    return changed


def prepare_database(settings: Settings) -> Database:
    database = Database.from_url(settings.database.url)
    migrate.upgrade(database.engine)
    with database.transaction() as session:
        groups.sync_groups(
            session,
            (GroupSpec(g.key, g.name_th, g.name_en, g.coordinator) for g in settings.groups),
        )
    return database


def invite_code(database: Database, group: str | None, role: Role, now: datetime) -> str:
    with database.transaction() as session:
        work_group = groups.group_by_key(session, group) if group else None
        return invites.create_invite(
            session,
            group=work_group,
            role=role,
            uses=1,
            valid_for=timedelta(hours=1),
            created_by="demo",
            now=now,
        ).code


class Transcript:
    """Prints the conversation as it happens, from what the fake server saw."""

    def __init__(self, fake: FakeTelegram, names: dict[int, str], out: Callable[[str], None]):
        self.fake, self.names, self.out = fake, names, out
        self.started = time.monotonic()
        self._seen = 0

    def say(self, who: str, what: str) -> None:
        self.out(f"[{time.monotonic() - self.started:5.1f} s] {who}: {what}")

    def flush(self) -> None:
        for message in self.fake.sent[self._seen :]:
            text = (message.text or message.filename or "").replace("\n", "\n" + " " * 12)
            self.say(f"bot → {self.names.get(message.chat_id, message.chat_id)}", text)
            self._seen += 1


def _names(language: str) -> dict[int, tuple[str, str]]:
    if language == "en":
        return dict(ROMANISED)
    return {uid: (first, last) for uid, first, last, _, _ in PEOPLE}


async def run_demo(out: Callable[[str], None] = print, language: str = "th") -> int:
    """Run the demo (the staff reading ``language``); 0 when the director was told of the
    missing report in time.

    Two acts, as an office lives them: the staff register (the bot without its engine), then
    the report falls due ``DUE_IN`` after the last of them has registered, however long that
    took on a busy machine, and the engine runs its whole ladder."""
    with tempfile.TemporaryDirectory() as folder, FakeTelegram(token=DEMO_TOKEN) as fake:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite3'}"
        settings = demo_settings(system_clock(), base_url=fake.base_url, database_url=url)
        database = prepare_database(settings)
        names = {uid: f"{first} {last}" for uid, (first, last) in _names(language).items()}
        transcript = Transcript(fake, names, out)
        try:
            office = Services(settings, database)
            async with polling(build_application(office, DEMO_TOKEN, with_engine=False)):
                await _register(fake, database, transcript, language)
            settings = demo_settings(system_clock(), base_url=fake.base_url, database_url=url)
            name = settings.office.name_en if language == "en" else settings.office.name_th
            out(f"demo: {name}; the report is due in {DUE_IN.seconds} seconds\n")
            office = Services(settings, database)
            async with polling(build_application(office, DEMO_TOKEN, with_engine=True)):
                try:
                    return await _play(fake, database, transcript, language)
                finally:
                    transcript.flush()
        finally:
            database.dispose()


async def _register(
    fake: FakeTelegram, database: Database, transcript: Transcript, language: str
) -> None:
    """Each person opens their invite link (and switches language, for ``--lang en``)."""
    names = _names(language)
    for user_id, _first, _last, group, role in PEOPLE:
        first, last = names[user_id]
        code = invite_code(database, group, role, system_clock())
        transcript.say(f"{first} {last}", f"/start {code}")
        fake.user_sends_text(user_id, f"/start {code}", first_name=first, last_name=last)
        await fake.wait_for_messages(user_id, 1, timeout=WAIT)
        transcript.flush()
        if language != "th":
            transcript.say(f"{first} {last}", f"/language {language}")
            fake.user_sends_text(user_id, f"/language {language}")
            await fake.wait_for_messages(user_id, 2, timeout=WAIT)
            transcript.flush()


async def _play(
    fake: FakeTelegram, database: Database, transcript: Transcript, language: str
) -> int:
    """The report's ladder, from the first reminder to the director's order."""
    deadline = time.monotonic() + TIME_LIMIT
    steps = [_somchai_confirms, _coordinator_proposes, _director_orders, _order_reached]
    while steps and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        transcript.flush()
        if await steps[0](fake, transcript, language):
            steps.pop(0)
    if steps:
        transcript.say("demo", f"the story stopped before {steps[0].__name__.strip('_')}")
        return 1
    if not await _drained(database, deadline):
        transcript.say("demo", "the outbox did not empty in time")
        return 1
    transcript.flush()
    transcript.say("demo", "the memo reached the director and the order came back; done.")
    return 0


async def _drained(database: Database, deadline: float) -> bool:
    """Wait until the outbox holds nothing waiting (the coordinators' copies of the
    escalation come a moment after the director's): the demo stops only when it is empty."""
    while time.monotonic() < deadline:
        with database.transaction() as session:
            if outbox.backlog(session) == 0:
                return True
        await asyncio.sleep(0.1)
    return False


async def _somchai_confirms(fake: FakeTelegram, transcript: Transcript, language: str) -> bool:
    reminders = [m for m in fake.messages_to(SOMCHAI) if m.callback_data]
    if not reminders:
        return False
    reminder: SentMessage = reminders[0]
    somchai = " ".join(_names(language)[SOMCHAI])
    transcript.say(somchai, f"presses «{translator(language)('Report sent')}»")
    count = len(fake.messages_to(SOMCHAI))
    fake.user_presses_button(SOMCHAI, reminder, reminder.callback_data[0])
    await fake.wait_until(lambda: bool(reminder.edits), timeout=WAIT)
    transcript.say(
        f"bot → {somchai}", "(edits the reminder) " + (reminder.text or "").rsplit("\n\n", 2)[-2]
    )
    evidence = EVIDENCE_FILE.get(language, EVIDENCE_FILE["en"])
    transcript.say(somchai, f"sends the evidence file {evidence}")
    fake.user_sends_document(SOMCHAI, evidence, b"%PDF-1.4 demo", "application/pdf")
    await fake.wait_for_messages(SOMCHAI, count + 1, timeout=WAIT)
    return True


def _pressable(fake: FakeTelegram, user_id: int, prefix: str) -> tuple[SentMessage, str] | None:
    """The latest message to ``user_id`` with a button whose data starts with ``prefix``."""
    for message in reversed(fake.messages_to(user_id)):
        for button in message.buttons:
            if str(button.get("callback_data", "")).startswith(prefix):
                return message, str(button["text"])
    return None


async def _press(
    fake: FakeTelegram, transcript: Transcript, user_id: int, found: tuple[SentMessage, str]
) -> None:
    message, label = found
    transcript.say(transcript.names[user_id], f"presses «{label}»")
    count = len(fake.messages_to(user_id))
    fake.user_presses_button(user_id, message, message.button_data(label))
    await fake.wait_for_messages(user_id, count + 1, timeout=WAIT)


async def _coordinator_proposes(fake: FakeTelegram, transcript: Transcript, language: str) -> bool:
    """The memo (.docx) reached the coordinator: "เสนอ" sends it on to the director."""
    found = _pressable(fake, COORDINATOR, "mp:")
    if found is None:
        return False
    await _press(fake, transcript, COORDINATOR, found)
    return True


async def _director_orders(fake: FakeTelegram, transcript: Transcript, language: str) -> bool:
    """The director orders "submit by …", and types the order's words."""
    found = _pressable(fake, DIRECTOR, "mo:d:")
    if found is None:
        return False
    await _press(fake, transcript, DIRECTOR, found)
    transcript.flush()
    words = ORDER_WORDS.get(language, ORDER_WORDS["en"])
    transcript.say(transcript.names[DIRECTOR], words)
    count = len(fake.messages_to(DIRECTOR))
    fake.user_sends_text(DIRECTOR, words)
    await fake.wait_for_messages(DIRECTOR, count + 1, timeout=WAIT)
    return True


async def _order_reached(fake: FakeTelegram, transcript: Transcript, language: str) -> bool:
    """The director's order, with its words, reached the person who stayed silent."""
    words = ORDER_WORDS.get(language, ORDER_WORDS["en"])
    return any(words in (m.text or "") for m in fake.messages_to(MALEE))


def main(language: str = "th") -> int:
    return asyncio.run(run_demo(language=language))
