"""What a stolen database (and the channel's key) can and cannot tell about a complainant.

The attacker of these tests holds the database and the channel's key — the IT admin, or whoever
holds a backup and the key kept with it — and knows the code. They hash every candidate
Telegram id (the complainant's among them) with every key they can make or read, and look for
the result in every column of every table.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.complaints.admin import prepare
from bot.runtime.complaint_keys import ENV_VAR, ComplaintKeys
from jobs.settings import Settings
from storage import complaints, groups, migrate, people
from storage.db import Database
from storage.groups import GroupSpec
from storage.models import ComplaintSecret, ComplaintThrottle, Role
from tests.complaints.test_complaints_bot import (
    COMPLAINANT,
    DIRECTOR,
    HANDLER,
    KEY,
    STAFF,
    WHAT,
    every_value,
    file_complaint,
    press,
    wake,
)
from tests.duties.test_tick import bkk, only
from tests.harness import Clock, Harness, running_bot
from tests.support import enrol

ADDED = "มีพยานอีก 2 คนที่เห็นเหตุการณ์ในวันนั้น"
CONTACT = "นายสมศักดิ์ โทร 081-234-5678"
NOTE = "สอบข้อเท็จจริงเจ้าหน้าที่การเงินแล้ว"
ANSWER = "สำนักงานได้ตั้งกรรมการสอบข้อเท็จจริงแล้ว"
LABELS = ("writer", "tracking-code", "contact", "draft")


@pytest.fixture(autouse=True)
def _complaint_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, KEY)


async def _office(db: Database, settings: Settings) -> AsyncIterator[Harness]:
    for user_id, name, group, role in (
        (DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR),
        (STAFF, "สมชาย ใจดี", "admin", Role.STAFF),
        (HANDLER, "มาลี ศรีสุข", "admin", Role.STAFF),
    ):
        enrol(db, user_id, name, group, role, now=bkk(1, 2))
    with db.transaction() as session:
        handler = people.by_telegram_user(session, HANDLER)
        assert handler is not None
        complaints.name_handler(session, handler.id, actor=people.Actor("test"), now=bkk(1, 2))
    async with running_bot(db, only(settings), Clock(bkk(1, 6, 9))) as harness:
        yield harness


@pytest.fixture
async def office(db: Database, settings: Settings) -> AsyncIterator[Harness]:
    async for harness in _office(db, settings):
        yield harness


async def file_and_add(bot: Harness, user_id: int = COMPLAINANT) -> str:
    """File a complaint (a file, contact details), type a wrong code, then add information
    and a second file with the right one; return the code."""
    code = await file_complaint(bot, user_id, contact=CONTACT)
    await bot.say(user_id, "/complaint ZZZZ-ZZZZ")  # a wrong code: counted under the day's tag
    await bot.say(user_id, f"/complaint {code}")
    (ask,) = await press(bot, user_id, f"cm:add:{code.replace('-', '')}")
    assert "ชื่อไฟล์และเนื้อหาในไฟล์จะถึง" in ask  # warned again before any file
    (added,) = await bot.say(user_id, ADDED)
    assert added.startswith("เพิ่มข้อมูลในเรื่องร้องเรียนของท่านแล้ว")
    await bot.send_file(user_id, "ภาพถ่ายเพิ่มเติม.pdf", b"%PDF more")
    await press(bot, user_id, "cm:end")
    return code


# -- the attacker ------------------------------------------------------------------------------


def _hmac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def attacker_keys(db: Database, channel_key: str) -> list[bytes]:
    """Every key the attacker can make from the channel's key, or read from the database
    with it, and the keys made from those as the code makes them."""
    master = channel_key.encode()
    made = [master] + [
        hmac.new(master, f"staff-report-bot/complaints/{label}".encode(), "sha256").digest()
        for label in LABELS
    ]
    keys = ComplaintKeys.from_secret(channel_key)
    with db.transaction() as session:
        stored = session.exec(select(ComplaintSecret)).all()
    for row in stored:
        plain = keys.open(row.value)
        assert plain is not None  # the attacker reads every stored key
        raw = base64.urlsafe_b64decode(plain)
        made += [raw] + [
            hmac.new(raw, f"staff-report-bot/complaints/{label}".encode(), "sha256").digest()
            for label in LABELS
        ]
    return made


def candidates(db: Database) -> list[int]:
    """Every registered person's Telegram id, the complainant's, and a range around it (as
    someone trying ids would)."""
    with db.engine.connect() as connection:
        staff = [
            int(row[0]) for row in connection.execute(text("SELECT telegram_user_id FROM staff"))
        ]
    return sorted({*staff, *range(COMPLAINANT - 50, COMPLAINANT + 50)})


def matches(db: Database, channel_key: str) -> list[tuple[str, str, int]]:
    """(table, column, Telegram id) of every stored value a hashed candidate id matches."""
    values = every_value(db)
    found = []
    for key in attacker_keys(db, channel_key):
        for candidate in candidates(db):
            digest = _hmac(key, str(candidate))
            for table, column, stored in values:
                if digest in stored:
                    found.append((table, column, candidate))
    return found


async def test_after_a_day_no_stored_value_can_be_tied_to_the_complainant(
    office: Harness,
) -> None:
    bot = office
    await file_and_add(bot)
    await bot.say(COMPLAINANT, "/complain", expect=2)  # and a new one begun, not sent
    await bot.say(COMPLAINANT, WHAT)
    await wake(bot)

    # the same day: the day's key is in the database (encrypted with the channel's key), so
    # the attacker ties the day's limits and the conversation in progress to the complainant
    # — that someone with this Telegram id filed or tried a code today, and is writing one
    # now — though not to which complaint: no row holds a complaint number beside the tag
    same_day = matches(bot.db, KEY)
    assert {(table, who) for table, _, who in same_day} == {
        ("complaint_throttle", COMPLAINANT),
        ("complaint_draft", COMPLAINANT),
    }
    with bot.db.transaction() as session:
        assert sorted(row.name for row in session.exec(select(ComplaintSecret))) == [
            "day:2025-01-06",
            "tracking-code",
        ]
    # without the channel's key, the stored day's key opens to nothing
    with pytest.raises(AssertionError):
        attacker_keys(bot.db, KEY + "-guessed")

    # a day later (the key kept until 01.00 for a conversation begun before midnight)
    await wake(bot, bkk(1, 7, 1, 0))
    with bot.db.transaction() as session:
        assert sorted(row.name for row in session.exec(select(ComplaintSecret))) == [
            "tracking-code"
        ]
    assert matches(bot.db, KEY) == []
    for table, column, stored in every_value(bot.db):
        assert str(COMPLAINANT) not in stored, (table, column)
    # … and the channel works on: the complaint is read, a new day has a new key
    (listing,) = await bot.say(HANDLER, "/complaints")
    assert "เรื่องร้องเรียนที่ 1" in listing and "เรื่องร้องเรียนที่ 2" not in listing
    (card,) = await press(bot, HANDLER, "cp:1:open")
    assert WHAT in card and ADDED in card and CONTACT in card
    await file_complaint(bot)
    with bot.db.transaction() as session:
        names = sorted(row.name for row in session.exec(select(ComplaintSecret)))
    assert names == ["day:2025-01-07", "tracking-code"]


async def test_a_conversation_begun_before_midnight_goes_on_after_it(office: Harness) -> None:
    bot = office
    bot.clock.now = bkk(1, 6, 23, 50)
    await bot.say(COMPLAINANT, "/complain", expect=2)
    (who,) = await bot.say(COMPLAINANT, WHAT)
    assert who.startswith("2/4 ")
    bot.clock.now = bkk(1, 7, 0, 20)  # the next day: a new key, the old one still finds it
    (when,) = await bot.say(COMPLAINANT, "นางสาว ข. เจ้าหน้าที่การเงิน")
    assert when.startswith("3/4 ")
    await wake(bot, bkk(1, 7, 1, 0))  # the old day's key is gone, and the draft with it
    (answer,) = await bot.say(COMPLAINANT, "ที่สำนักงาน")
    assert not answer.startswith("4/4 ")  # nothing of it can be found any more


# -- the raw bytes --------------------------------------------------------------------------


def raw_bytes(database_file: Path) -> bytes:
    """The SQLite file and its write-ahead log and shared memory, as a thief copies them."""
    found = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(f"{database_file}{suffix}")
        if path.exists():
            found += path.read_bytes()
    return found


WORDS = (
    "เจ้าหน้าที่การเงินเรียกเงิน",
    "เร่งการเบิกจ่าย",
    "นางสาว ข.",
    "ห้องการเงิน",
    "081-234-5678",
    "นายสมศักดิ์",
    "สลิปโอนเงิน",
    "ภาพถ่ายเพิ่มเติม",
    "มีพยานอีก 2 คน",
    NOTE,
    ANSWER,
)


@pytest.fixture
def sqlite_db(tmp_path: Path, settings: Settings) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'office.sqlite3'}")
    migrate.upgrade(database.engine)
    with database.transaction() as session:
        groups.sync_groups(
            session,
            [GroupSpec(g.key, g.name_th, g.name_en, g.coordinator) for g in settings.groups],
        )
    yield database
    database.dispose()


async def test_the_raw_database_file_holds_none_of_a_complaints_words(
    sqlite_db: Database, settings: Settings, tmp_path: Path
) -> None:
    async for bot in _office(sqlite_db, settings):
        await file_and_add(bot)
        await bot.say(COMPLAINANT, "/complain", expect=2)  # a draft, answered and cancelled
        await bot.say(COMPLAINANT, WHAT)
        await bot.say(COMPLAINANT, "/cancel")
        await bot.say(HANDLER, "/complaints")
        await press(bot, HANDLER, "cp:1:open")
        await press(bot, HANDLER, "cp:1:note")
        await bot.say(HANDLER, NOTE)
        await press(bot, HANDLER, "cp:1:open")
        await press(bot, HANDLER, "cp:1:close")
        await press(bot, HANDLER, "cp:1:outcome:substantiated")
        await bot.say(HANDLER, ANSWER)
        await press(bot, HANDLER, "cp:1:confirm")
        (card,) = await press(bot, HANDLER, "cp:1:open")
        assert NOTE in card and ANSWER in card  # all of it read through the bot
        raw = raw_bytes(tmp_path / "office.sqlite3")
        assert "มาลี ศรีสุข".encode() in raw  # the file is read: a staff name is in clear
        for word in WORDS:
            assert word.encode() not in raw, word
        with bot.db.transaction() as session:
            day_key = session.exec(
                select(ComplaintSecret.value).where(ComplaintSecret.name == "day:2025-01-06")
            ).one()
        assert day_key.encode() in raw
        await wake(bot, bkk(1, 7, 2, 0))  # deleted, and not left in free pages or the log
        assert day_key.encode() not in raw_bytes(tmp_path / "office.sqlite3")


# -- rows from before revision 0009 ----------------------------------------------------------


async def test_a_complaint_written_in_clear_before_the_upgrade_is_encrypted_at_first_start(
    sqlite_db: Database, settings: Settings, tmp_path: Path
) -> None:
    engine = sqlite_db.engine
    migrate.downgrade(engine, "0008")
    code_key = hmac.new(
        KEY.encode(), b"staff-report-bot/complaints/tracking-code", "sha256"
    ).digest()
    with engine.begin() as connection:  # as revision 0006 wrote them: in clear
        connection.execute(
            text(
                "INSERT INTO complaint (id, code_hash, status, filed_at, what, who, contact, "
                "acknowledge_by, result_by, next_step) VALUES (1, :hash, 'received', "
                "'2025-01-03 02:00:00', :what, 'นางสาว ข.', '081-234-5678', "
                "'2025-01-14 09:30:00', '2025-04-03 09:30:00', 1)"
            ),
            {"hash": _hmac(code_key, "7K3M9QXA"), "what": WHAT},
        )
        connection.execute(
            text(
                "INSERT INTO complaint_entry (complaint_id, at, kind, file_id, file_name, "
                "file_kind) VALUES (1, '2025-01-03 02:00:00', 'filed', 'FILE-1', "
                "'สลิปโอนเงิน.pdf', 'document')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO complaint_throttle (owner_tag, action, window_start, count) "
                "VALUES (:tag, 'file', '2025-01-02 17:00:00', 1)"
            ),
            {"tag": "a" * 64},
        )
    migrate.upgrade(engine)
    assert WHAT.encode() in raw_bytes(tmp_path / "office.sqlite3")  # the migration has no key
    keys = ComplaintKeys.from_secret(KEY)
    assert prepare(sqlite_db, keys) == 2  # what `run` does at its start with the key
    assert prepare(sqlite_db, keys) == 0
    raw = raw_bytes(tmp_path / "office.sqlite3")
    for word in ("เจ้าหน้าที่การเงินเรียกเงิน", "นางสาว ข.", "081-234-5678", "สลิปโอนเงิน"):
        assert word.encode() not in raw, word
    with sqlite_db.transaction() as session:
        row = complaints.by_id(session, 1)
        assert row is not None and row.sealed
        words = complaints.content(row, keys)
        assert (words.what, words.who, words.contact) == (WHAT, "นางสาว ข.", "081-234-5678")
        assert session.exec(select(ComplaintThrottle)).all() == []  # deleted by the migration
    async for bot in _office(sqlite_db, settings):
        (status,) = await bot.say(COMPLAINANT, "/complaint 7K3M-9QXA")  # the old code works
        assert status.startswith("เรื่องร้องเรียนของท่าน")
        await bot.say(DIRECTOR, "/complaints")
        (card,) = await press(bot, DIRECTOR, "cp:1:open")
        assert WHAT in card and "แนบมากับเรื่องร้องเรียน: ไฟล์แนบ 1" in card


def test_the_day_key_is_shared_by_every_process(db: Database) -> None:
    """Two processes (two key objects, one database) make the same tag the same day."""
    first, second = ComplaintKeys.from_secret(KEY), ComplaintKeys.from_secret(KEY)
    start = bkk(1, 6, 0, 0)
    day = {"now": bkk(1, 6, 9), "day_start": start, "day_end": start + timedelta(days=1)}
    with db.transaction() as session:
        one = first.writer(session, COMPLAINANT, create=True, **day)
    with db.transaction() as session:
        two = second.writer(session, COMPLAINANT, create=True, **day)
        other = second.writer(session, COMPLAINANT + 1, create=False, **day)
    assert one[0].tag == two[0].tag != other[0].tag
    assert str(COMPLAINANT) not in one[0].tag
    sealed = one[0].cipher.seal("ร่าง")
    assert two[0].cipher.open(sealed) == "ร่าง"
    with db.transaction() as session:
        assert (
            second.writer(session, COMPLAINANT, create=False, **{**day, "now": bkk(1, 7, 3)}) == []
        )
