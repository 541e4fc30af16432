"""The publication queue (measures 1.2 and 1.3) end to end: the real Application over the fake
Bot API, the real engine (tick → outbox → dispatcher) woken by hand at each instant of an
injected clock, on SQLite and PostgreSQL.

A request walks from /publish (a text and a photo, both channels) to the web officer's queue,
a reminder the next working day, "published" with two links, the sender told; then the
December staff meeting's E-Service report is pre-filled from the queue, confirmed with the
links as its evidence, and the links are in the ITA evidence workbook. Around it: who may do
what, forged presses and bad links changing nothing, a decline with its reason, the ladder up
to the coordinator, and a request surviving a restart of the bot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.features import CATALOG, render
from bot.offline import SentMessage
from bot.oversight.export import export_fiscal_year
from bot.runtime.sender import TelegramSender
from jobs.engine import Engine
from jobs.settings import Settings
from storage import audit
from storage.db import Database
from storage.models import Assignment, Publication, PublicationEvidence, Role
from storage.people import Actor, set_role
from tests.duties.test_tick import bkk, join, only
from tests.harness import Clock, EngineOffice, Harness, office_with_engine, running_bot

SENDER, OFFICER, COORDINATOR, OUTSIDER = 81, 82, 83, 84
START = bkk(11, 11, 10)  # Tuesday 11 November 2568 B.E., 10.00 (after November's meeting)
NEWS = "ขอเชิญร่วมกิจกรรมวันครูจังหวัดพิจิตร 16 มกราคม 2569"
WEB_LINK = "https://www.phichit.moe.go.th/news/2568/123"
SOCIAL_LINK = "https://www.facebook.com/phichit.moe/posts/456"


class Office(EngineOffice):
    """The office of these tests, with the presses they make."""

    async def alert(self, user: int, message: SentMessage, data: str) -> str:
        return await stale_alert(self.bot, user, message, data)

    async def next_to(self, user: int, heard: int) -> SentMessage:
        """The first message to ``user`` after the ``heard`` they had."""
        return (await self.bot.fake.wait_for_messages(user, heard + 1))[heard]


@pytest.fixture
def plan(settings: Settings) -> Settings:
    return only(settings, "eservice-update", "social-update")


def people(db: Database) -> dict[int, int]:
    return {
        user: join(db, user, name, group, role, START).id
        for user, name, group, role in (
            (SENDER, "สมชาย ใจดี", "admin", Role.STAFF),
            (OFFICER, "วิภา ดูแลเว็บ", "development", Role.WEB_OFFICER),
            (COORDINATOR, "สุดา ประสานงาน", "policy", Role.COORDINATOR),
            (OUTSIDER, "มาลี ศรีสุข", "admin", Role.STAFF),
        )
    }


@pytest.fixture
async def office(db: Database, plan: Settings) -> AsyncIterator[Office]:
    ids = people(db)
    async with office_with_engine(db, plan, START, ids, Office) as office:
        yield office


def publication(db: Database, number: int) -> Publication:
    with db.transaction() as session:
        found = session.get(Publication, number)
        assert found is not None
        session.expunge(found)
        return found


def has_heard(office: Office, user: int, heading: str) -> bool:
    return any(text.startswith(heading) for text in office.texts(user))


async def stale_alert(bot: Harness, user: int, message: SentMessage, data: str) -> str:
    """A press answered with a pop-up (no new message): its text."""
    update = bot.fake.user_presses_button(user, message, data)
    await bot.fake.wait_until(lambda: bot.fake.callback_answer(update) is not None)
    found = bot.fake.callback_answer(update)
    assert found is not None
    return str(found.get("text"))


async def send_request(office: Office, text: str, where: str) -> str:
    """The sender's three steps: the text and a photo, where, confirm; the last answer."""
    bot = office.bot
    (ask,) = await bot.say(SENDER, "/publish")
    assert ask.startswith("ขอเผยแพร่ข้อมูลข่าวสาร ขั้นที่ 1 จาก 3")
    (got,) = await bot.say(SENDER, text)
    assert got.startswith("ได้รับแล้ว (รวม 1 รายการ)")
    heard = len(office.texts(SENDER))
    bot.fake.user_sends_photo(SENDER, b"\xff\xd8 a poster", caption="โปสเตอร์")
    photo = await office.next_to(SENDER, heard)
    assert (photo.text or "").startswith("ได้รับแล้ว (รวม 2 รายการ)")  # not a report's evidence
    (where_ask,) = await office.press(SENDER, photo, "ถัดไป")
    assert where_ask == "ขั้นที่ 2 จาก 3: ต้องการเผยแพร่ที่ช่องทางใด"
    assert bot.last(SENDER).callback_data == ["pb:to:web", "pb:to:social", "pb:to:both", "pb:no"]
    (preview,) = await office.press(SENDER, bot.last(SENDER), where)
    assert preview.startswith("ขั้นที่ 3 จาก 3: กรุณาตรวจสอบก่อนส่งถึงเจ้าหน้าที่ดูแลเว็บไซต์")
    assert text in preview and "แนบมา: รูปภาพ 1 รูป ไฟล์ 0 ไฟล์" in preview
    (sent,) = await office.press(SENDER, bot.last(SENDER), "ยืนยัน")
    return sent


async def test_publish_queue_reminded_published_reported_and_exported(
    office: Office, tmp_path: Path
) -> None:
    bot, db = office.bot, office.bot.db
    sent = await send_request(office, NEWS, "ทั้งสองช่องทาง")
    assert sent.startswith("ส่งถึงเจ้าหน้าที่ดูแลเว็บไซต์แล้ว เป็นเรื่องขอเผยแพร่เลขที่ 1")
    assert publication(db, 1).status == "waiting"

    # the queue item reaches the web officer, with its buttons
    await office.at(bkk(11, 11, 10, 1))
    (item,) = await bot.fake.wait_for_messages(OFFICER, 1)
    lines = (item.text or "").splitlines()
    assert lines[:6] == [
        "เรื่องขอเผยแพร่ข้อมูลข่าวสาร",
        "",
        "เรื่องขอเผยแพร่เลขที่ 1",
        "จาก: สมชาย ใจดี",
        "ช่องทางที่ขอเผยแพร่: ทั้งสองช่องทาง",
        "ส่งเมื่อ: 11 พฤศจิกายน 2568 เวลา 10.00 น.",
    ]
    assert NEWS in lines and "แนบมา: รูปภาพ 1 รูป ไฟล์ 0 ไฟล์" in lines
    assert item.callback_data == ["pq:done:1", "pq:no:1", "pq:show:1"]

    # the content and its photo, on request
    heard = len(office.texts(OFFICER))
    bot.fake.user_presses_button(OFFICER, item, "pq:show:1")
    shown = await bot.fake.wait_for_messages(OFFICER, heard + 3)
    assert [m.kind for m in shown[heard:]] == ["text", "text", "photo"]
    assert shown[-1].file_bytes == b"\xff\xd8 a poster" and shown[-1].text == "โปสเตอร์"

    # the next working day at opening: reminded
    heard = len(office.texts(OFFICER))
    await office.at(bkk(11, 12, 8, 30))
    reminder = await office.next_to(OFFICER, heard)
    assert (reminder.text or "").startswith("แจ้งเตือน: เรื่องขอเผยแพร่ยังรอดำเนินการ")
    assert reminder.callback_data == ["pq:done:1", "pq:no:1", "pq:show:1"]

    # someone else, a forged press, an unknown item: nothing changes
    await bot.say(OUTSIDER, "/whoami")
    own = bot.last(OUTSIDER)  # a press can only come from a message in one's own chat
    (refused,) = await bot.press(OUTSIDER, own, "pq:done:1")
    assert refused.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะเจ้าหน้าที่ดูแลเว็บไซต์และเพจสื่อสังคมออนไลน์")
    for forged in ("pq:done:999", "pq:publish:1", "pq:done:1:2", "pq:done:-1"):
        stale = await office.alert(OFFICER, reminder, forged)
        assert stale == "ปุ่มนี้ใช้ไม่ได้แล้ว กรุณาพิมพ์คำสั่งอีกครั้ง"
    assert publication(db, 1).status == "waiting"

    # published: the link asked, a bad one refused politely, then two good ones
    (ask,) = await office.press(OFFICER, reminder, "เผยแพร่แล้ว")
    assert ask.startswith("เรื่องขอเผยแพร่เลขที่ 1: กรุณาส่งลิงก์")
    for bad in ("เผยแพร่แล้วค่ะ", "ftp://files.example.go.th/x", "https://localhost/x", "https://"):
        (polite,) = await bot.say(OFFICER, bad)
        assert polite.startswith("ขออภัย ข้อความนี้ไม่ใช่ลิงก์ที่บันทึกได้")
        assert polite.endswith("ไม่มีการเปลี่ยนแปลงใด ๆ")
    assert publication(db, 1).status == "waiting"
    (done,) = await bot.say(OFFICER, f"{WEB_LINK}\n{SOCIAL_LINK}")
    assert done == "บันทึกว่าเผยแพร่แล้ว ระบบได้แจ้ง สมชาย ใจดี พร้อมลิงก์"
    found = publication(db, 1)
    assert (found.status, found.links, found.next_action_at) == (
        "published",
        [WEB_LINK, SOCIAL_LINK],
        None,
    )

    # the sender is told, with the links
    heard = len(office.texts(SENDER))
    await office.at(bkk(11, 12, 9))
    told = await office.next_to(SENDER, heard)
    assert (told.text or "").splitlines() == [
        "เรื่องขอเผยแพร่เลขที่ 1 ของท่านเผยแพร่เรียบร้อยแล้ว",
        "เผยแพร่โดย วิภา ดูแลเว็บ เมื่อ 12 พฤศจิกายน 2568 เวลา 08.30 น.",
        "ลิงก์:",
        f"• {WEB_LINK}",
        f"• {SOCIAL_LINK}",
    ]
    # answered twice: nothing more; the ladder is over
    (again,) = await office.press(OFFICER, item, "เผยแพร่แล้ว")
    assert again == "เรื่องขอเผยแพร่เลขที่ 1 ได้รับการดำเนินการโดย วิภา ดูแลเว็บ แล้ว ไม่มีการเปลี่ยนแปลงใด ๆ"
    heard = len(office.texts(OFFICER))
    await office.at(bkk(11, 14, 13, 30))
    assert len(office.texts(OFFICER)) == heard
    assert not office.texts(COORDINATOR)

    # a second request, still waiting when the report is written
    await send_request(office, "ประกาศรับสมัครครูอัตราจ้าง", "เว็บไซต์")

    # December's staff meeting (9 ธ.ค. 2568): its E-Service report, pre-filled from November
    await office.at(bkk(12, 1, 10))
    reports = await bot.say(OFFICER, "/pubreport", expect=2)
    eservice = next(text for text in reports if "E-Service" in text.splitlines()[0])
    assert eservice.splitlines() == [
        "รายงานผลการปรับปรุงข้อมูลระบบ E-Service ต่อที่ประชุมเจ้าหน้าที่ประจำเดือน — "
        "สำหรับการประชุมเจ้าหน้าที่ประจำเดือนธันวาคม 2568",
        "ข้อมูลจากคิวการเผยแพร่ ประจำเดือนพฤศจิกายน 2568",
        "",
        "เรื่องที่ขอเผยแพร่ (2 เรื่อง):",
        f"• เลขที่ 1 {NEWS} (สมชาย ใจดี 11 พ.ย. 2568): เผยแพร่แล้ว",
        "• เลขที่ 2 ประกาศรับสมัครครูอัตราจ้าง (สมชาย ใจดี 14 พ.ย. 2568): รอดำเนินการ",
        "เผยแพร่แล้ว พร้อมลิงก์ (1 เรื่อง):",
        f"• เลขที่ 1 {NEWS} เผยแพร่เมื่อ 12 พ.ย. 2568:",
        f"  {WEB_LINK}",
        f"  {SOCIAL_LINK}",
        "ยังรอเผยแพร่ (1 เรื่อง):",
        "• เลขที่ 2 ประกาศรับสมัครครูอัตราจ้าง (สมชาย ใจดี): "
        "รอตั้งแต่ 14 พฤศจิกายน 2568 เวลา 13.30 น. รวม 16 วัน",
        "",
        'กดปุ่ม "ยืนยันรายงานพร้อมลิงก์" เพื่อบันทึกว่าส่งรายงานแล้ว โดยใช้ลิงก์ข้างต้นเป็นหลักฐาน',
    ]
    message = next(m for m in bot.fake.messages_to(OFFICER) if m.text == eservice)
    (assignment_id,) = [int(data.removeprefix("pr:")) for data in message.callback_data]

    # the report is the development group's: someone else may not confirm it, nor a forged one
    (not_yours,) = await bot.press(OUTSIDER, own, f"pr:{assignment_id}")
    assert not_yours == "ท่านไม่ใช่ผู้รับผิดชอบรายงานนี้ จึงไม่สามารถยืนยันได้ ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    (no_such,) = await bot.press(OFFICER, message, "pr:99999")
    assert no_such == "ท่านไม่ใช่ผู้รับผิดชอบรายงานนี้ จึงไม่สามารถยืนยันได้ ไม่มีการเปลี่ยนแปลงข้อมูลใด"

    (confirmed,) = await office.press(OFFICER, message, "ยืนยันรายงานพร้อมลิงก์")
    assert confirmed == "บันทึกการส่งรายงานแล้ว พร้อมลิงก์ 2 รายการเป็นหลักฐาน ขอบคุณที่ให้ความร่วมมือ"
    (twice,) = await office.press(OFFICER, message, "ยืนยันรายงานพร้อมลิงก์")
    assert twice == "รายงานนี้ได้รับการยืนยันไว้แล้ว ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    with db.transaction() as session:
        assignment = session.get(Assignment, assignment_id)
        assert assignment is not None and assignment.status == "submitted_on_time"
        evidence = session.exec(select(PublicationEvidence)).all()
        assert [(e.assignment_id, e.publication_id) for e in evidence] == [(assignment_id, 1)]
        about = audit.events(session, subject_type="assignment", subject_id=assignment_id)
        (event,) = [e for e in about if e.action == "publication.report_evidence"]
        assert event.details == {"links": [WEB_LINK, SOCIAL_LINK]}

    # the social report's first reminder (-3 working days; 5 ธ.ค. is a holiday): its owners
    # get it pre-filled too, once; the E-Service report, confirmed, is not sent again
    await office.at(bkk(12, 2, 9))
    heading = "รายงานประจำเดือน จัดเตรียมจากคิวการเผยแพร่"
    await bot.fake.wait_until(partial(has_heard, office, OFFICER, heading))
    await office.at(bkk(12, 3, 9))
    (prefilled,) = [m for m in bot.fake.messages_to(OFFICER) if (m.text or "").startswith(heading)]
    lines = (prefilled.text or "").splitlines()
    assert lines[0] == f"{heading} (ข้อมูล ณ 2 ธันวาคม 2568 เวลา 09.00 น.):"
    assert lines[2].startswith("รายงานผลการปรับปรุงข้อมูลช่องทาง Social Network")
    assert lines[5:11] == [
        "เรื่องที่ขอเผยแพร่ (1 เรื่อง):",
        f"• เลขที่ 1 {NEWS} (สมชาย ใจดี 11 พ.ย. 2568): เผยแพร่แล้ว",
        "เผยแพร่แล้ว พร้อมลิงก์ (1 เรื่อง):",
        f"• เลขที่ 1 {NEWS} เผยแพร่เมื่อ 12 พ.ย. 2568:",
        f"  {WEB_LINK}",
        f"  {SOCIAL_LINK}",
    ]
    assert lines[11] == "ยังรอเผยแพร่ (0 เรื่อง):"  # the second request is for the website
    assert lines[-1] == "พิมพ์ /pubreport เพื่อดูข้อมูลล่าสุด"
    (social,) = prefilled.callback_data
    assert social.startswith("pr:") and social != f"pr:{assignment_id}"

    # the ITA evidence workbook: a sheet of every published link by month
    out = tmp_path / "ita-2569.xlsx"
    export_fiscal_year(
        db, bot.settings, 2569, "xlsx", out, actions=CATALOG.audit, as_of=bkk(12, 1, 11)
    )
    sheet = load_workbook(out)["ลิงก์ที่เผยแพร่"]
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r[0] == "ลำดับ"))
    body = [row[:10] for row in rows[header + 1 :] if row[0] is not None]
    assert body == [
        [n, *rest]
        for n, rest in enumerate(
            [
                [
                    "พฤศจิกายน 2568",
                    "12 พฤศจิกายน 2568 เวลา 08.30 น.",
                    "ทั้งสองช่องทาง",
                    link,
                    NEWS,
                    "สมชาย ใจดี",
                    "วิภา ดูแลเว็บ",
                    "eservice-update",
                    1,
                ]
                for link in (WEB_LINK, SOCIAL_LINK)
            ],
            start=1,
        )
    ]
    log = load_workbook(out)["บันทึกการดำเนินการ"]
    actions = [row[-1] for row in log.iter_rows(values_only=True)]
    assert {"publication.requested", "publication.published"} <= set(actions)
    assert "publication.report_evidence" in actions


async def test_declined_with_a_reason_after_the_ladder_reached_the_coordinator(
    office: Office,
) -> None:
    bot, db = office.bot, office.bot.db
    await send_request(office, "ข่าวกิจกรรมกลุ่มอำนวยการ", "เพจสื่อสังคมออนไลน์")
    for moment in (bkk(11, 11, 10, 1), bkk(11, 12, 8, 30), bkk(11, 13, 8, 30)):
        await office.at(moment)
    await bot.fake.wait_for_messages(OFFICER, 3)
    heads = [text.split("\n", 1)[0] for text in office.texts(OFFICER)]
    assert heads == [
        "เรื่องขอเผยแพร่ข้อมูลข่าวสาร",
        "แจ้งเตือน: เรื่องขอเผยแพร่ยังรอดำเนินการ",
        "ติดตาม: เรื่องขอเผยแพร่ยังรอดำเนินการ",
    ]
    assert not office.texts(COORDINATOR)
    await office.at(bkk(11, 14, 13))
    (waiting,) = await bot.fake.wait_for_messages(COORDINATOR, 1)
    assert (waiting.text or "").startswith(
        "เพื่อโปรดทราบ: เรื่องขอเผยแพร่ยังไม่ได้รับการดำเนินการ\n\nเรื่องขอเผยแพร่เลขที่ 1"
    )
    assert "ช่องทางที่ขอเผยแพร่: เพจสื่อสังคมออนไลน์" in (waiting.text or "")
    assert not waiting.callback_data  # the coordinator follows it up; the officer answers
    (listed,) = await bot.say(COORDINATOR, "/publications")
    assert listed.splitlines()[:3] == [
        "เรื่องขอเผยแพร่ที่ยังรอดำเนินการ (1 เรื่อง):",
        "",
        "• เลขที่ 1 สมชาย ใจดี เพจสื่อสังคมออนไลน์: รอตั้งแต่ 11 พฤศจิกายน 2568 เวลา 10.00 น.",
    ]
    (refused,) = await bot.say(OUTSIDER, "/publications")
    assert refused.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะ")

    (queue,) = await bot.say(OFFICER, "/publications")
    assert queue.startswith("เรื่องขอเผยแพร่ที่ยังรอดำเนินการ (1 เรื่อง):")
    assert bot.last(OFFICER).callback_data == ["pq:done:1", "pq:no:1"]
    (ask,) = await office.press(OFFICER, bot.last(OFFICER), "ไม่เผยแพร่: เลขที่ 1")
    assert ask == "เรื่องขอเผยแพร่เลขที่ 1: กรุณาพิมพ์เหตุผลที่ไม่เผยแพร่"
    (too_long,) = await bot.say(OFFICER, "ก" * 501)
    assert too_long == "กรุณาพิมพ์เหตุผลในข้อความเดียว ความยาวไม่เกิน 500 ตัวอักษร"
    assert publication(db, 1).status == "waiting"
    (done,) = await bot.say(OFFICER, "ภาพมีข้อมูลส่วนบุคคลของนักเรียน กรุณาส่งภาพใหม่")
    assert done == "บันทึกว่าไม่เผยแพร่แล้ว ระบบได้แจ้งเหตุผลให้ สมชาย ใจดี ทราบ"
    found = publication(db, 1)
    assert (found.status, found.reason) == ("declined", "ภาพมีข้อมูลส่วนบุคคลของนักเรียน กรุณาส่งภาพใหม่")

    heard = len(office.texts(SENDER))
    await office.at(bkk(11, 14, 14))
    told = await office.next_to(SENDER, heard)
    assert (told.text or "").splitlines() == [
        "เรื่องขอเผยแพร่เลขที่ 1 ของท่านไม่ได้รับการเผยแพร่",
        "เหตุผล: ภาพมีข้อมูลส่วนบุคคลของนักเรียน กรุณาส่งภาพใหม่",
        "แจ้งโดย วิภา ดูแลเว็บ เมื่อ 14 พฤศจิกายน 2568 เวลา 13.00 น.",
        "",
        "หากต้องการแก้ไขและส่งใหม่ พิมพ์ /publish",
    ]
    # the web officer's role taken away: an answer pending is refused
    heard = len(office.texts(OFFICER))
    await send_request(office, "ข่าวที่สอง", "เว็บไซต์")
    await office.at(bkk(11, 14, 14, 1))
    item = await office.next_to(OFFICER, heard)
    await office.press(OFFICER, item, "เผยแพร่แล้ว")
    with db.transaction() as session:
        officer, actor = office.ids[OFFICER], Actor(label="test")
        set_role(session, officer, Role.WEB_OFFICER, False, actor=actor, now=START)
    (no_longer,) = await bot.say(OFFICER, WEB_LINK)
    assert no_longer == "เฉพาะเจ้าหน้าที่ดูแลเว็บไซต์เท่านั้นที่ดำเนินการเรื่องขอเผยแพร่ได้ ไม่มีการเปลี่ยนแปลงใด ๆ"
    assert publication(db, 2).status == "waiting"


async def test_who_may_publish_and_a_request_outlives_a_restart(
    db: Database, plan: Settings
) -> None:
    ids = people(db)
    async with running_bot(db, plan, Clock(START)) as bot:
        (unknown,) = await bot.say(999, "/publish")
        assert "ลงทะเบียน" in unknown
        (ask,) = await bot.say(SENDER, "/publish ขอประชาสัมพันธ์การประชุมผู้บริหาร")
        assert ask.startswith("ได้รับแล้ว (รวม 1 รายการ)")
        # a press of another step, or of a forged shape: stale, nothing changes
        for forged in ("pb:ok", "pb:to:elsewhere", "pb:to"):
            alert = await stale_alert(bot, SENDER, bot.last(SENDER), forged)
            assert alert == "ปุ่มนี้ใช้ไม่ได้แล้ว กรุณาพิมพ์คำสั่งอีกครั้ง"
    with db.transaction() as session:
        (draft,) = session.exec(select(Publication)).all()
        assert (draft.status, draft.sender_staff_id) == ("draft", ids[SENDER])

    # another process (or the same after a restart) carries on from the database
    async with running_bot(db, plan, Clock(START)) as bot:
        before = len(bot.fake.messages_to(SENDER))
        bot.fake.user_sends_document(SENDER, "กำหนดการ.pdf", b"%PDF agenda", "application/pdf")
        (got,) = (await bot.fake.wait_for_messages(SENDER, before + 1))[before:]
        assert (got.text or "").startswith("ได้รับแล้ว (รวม 2 รายการ)")
        (where,) = await bot.press(SENDER, got, got.button_data("ถัดไป"))
        assert where.startswith("ขั้นที่ 2 จาก 3")
        (preview,) = await bot.press(SENDER, bot.last(SENDER), "pb:to:web")
        assert "แนบมา: รูปภาพ 0 รูป ไฟล์ 1 ไฟล์" in preview
        # another person's press on this preview: they have no draft, nothing is sent
        alert = await stale_alert(bot, OUTSIDER, bot.last(SENDER), "pb:ok")
        assert alert == "ปุ่มนี้ใช้ไม่ได้แล้ว กรุณาพิมพ์คำสั่งอีกครั้ง"
        (cancelled,) = await bot.press(SENDER, bot.last(SENDER), "pb:no")
        assert cancelled == "ยกเลิกแล้ว ไม่มีการส่งเรื่อง"
    with db.transaction() as session:
        assert session.exec(select(Publication)).all() == []


async def test_the_admin_names_the_web_officer_who_is_told_and_then_receives_the_queue(
    db: Database, plan: Settings
) -> None:
    """The role is given as every role is (/person); a change of power, the person and the
    director are told of it; from then on the queue reaches them."""
    ids = people(db)
    join(db, 85, "อนันต์ ดูแลระบบ", "personnel", Role.ADMIN, START)
    join(db, 86, "วิชัย รักดี", None, Role.DIRECTOR, START)
    newcomer = ids[OUTSIDER]
    clock = Clock(START)
    async with running_bot(db, plan, clock) as bot:
        sender = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
        engine = Engine(db, bot.settings, sender, clock, per_chat_interval=0.0)
        office = Office(bot, engine, ids)
        try:
            (refused,) = await bot.say(OUTSIDER, "/publications")
            assert refused.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะ")
            await bot.say(85, f"/person {newcomer}")
            await bot.press(85, bot.last(85), f"p:{newcomer}:rl")
            labels = [button["text"] for button in bot.last(85).buttons]
            assert "▫️ เจ้าหน้าที่ดูแลเว็บไซต์และเพจสื่อสังคมออนไลน์" in labels
            (saved,) = await bot.press(85, bot.last(85), f"p:{newcomer}:rl:web_officer")
            assert saved.startswith("บันทึกแล้ว")
            await office.at(bkk(11, 11, 10, 1))
            heading = "เรื่อง  แจ้งการเปลี่ยนแปลงบทบาทในระบบ"
            change = "รายการ: มอบหมายให้คุณมาลี ศรีสุข เป็นเจ้าหน้าที่ดูแลเว็บไซต์และเพจสื่อสังคมออนไลน์"
            for user in (OUTSIDER, 86):  # the person, and the director
                await bot.fake.wait_until(partial(has_heard, office, user, heading))
                (notice,) = [t for t in office.texts(user) if t.startswith(heading)]
                assert change in notice
            await send_request(office, NEWS, "เว็บไซต์")
            heard = len(office.texts(OUTSIDER))
            await office.at(bkk(11, 11, 10, 2))
            item = await office.next_to(OUTSIDER, heard)
            assert (item.text or "").startswith("เรื่องขอเผยแพร่ข้อมูลข่าวสาร")
        finally:
            engine.shutdown()


async def test_a_report_confirmed_with_the_reminders_button_keeps_its_links_all_the_same(
    office: Office,
) -> None:
    """ "ส่งรายงานแล้ว" on the E-Service report (the reminder's button, not /pubreport's): the
    next tick keeps November's published links as its evidence, once."""
    bot, db = office.bot, office.bot.db
    await send_request(office, NEWS, "ทั้งสองช่องทาง")
    await office.at(bkk(11, 11, 10, 1))
    (item,) = await bot.fake.wait_for_messages(OFFICER, 1)
    await office.press(OFFICER, item, "เผยแพร่แล้ว")
    (done,) = await bot.say(OFFICER, f"{WEB_LINK}\n{SOCIAL_LINK}")
    assert done.startswith("บันทึกว่าเผยแพร่แล้ว")

    await office.at(bkk(12, 1, 10))
    reports = await bot.say(OFFICER, "/pubreport", expect=2)
    eservice = next(text for text in reports if "E-Service" in text.splitlines()[0])
    message = next(m for m in bot.fake.messages_to(OFFICER) if m.text == eservice)
    (assignment_id,) = [int(data.removeprefix("pr:")) for data in message.callback_data]
    bot.fake.user_presses_button(OFFICER, message, f"done:{assignment_id}")  # the reminder's
    await bot.fake.wait_until(lambda: bool(message.edits))  # confirmed, the message says so

    def kept() -> tuple[list[int], list[dict[str, object]]]:
        with db.transaction() as session:
            rows = session.exec(
                select(PublicationEvidence).where(
                    PublicationEvidence.assignment_id == assignment_id
                )
            ).all()
            about = audit.events(session, subject_type="assignment", subject_id=assignment_id)
            events = [e.details for e in about if e.action == "publication.report_evidence"]
        return [e.publication_id for e in rows], events

    assert kept() == ([], [])  # confirmed; the links are the tick's to keep
    await office.at(bkk(12, 1, 10, 5))
    assert kept() == ([1], [{"links": [WEB_LINK, SOCIAL_LINK]}])
    await office.at(bkk(12, 1, 10, 10))
    assert kept() == ([1], [{"links": [WEB_LINK, SOCIAL_LINK]}])  # once
