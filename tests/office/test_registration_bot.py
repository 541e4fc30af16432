"""Registration and the roster, through the real Application over the fake Bot API server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jobs.settings import Settings
from storage import audit, people
from storage.db import Database
from storage.models import Role
from tests.harness import Harness, running_bot
from tests.office.test_invites import row_counts
from tests.support import invite_code, with_changes

SOMCHAI, MALEE, ADMIN, DIRECTOR = 1001, 1002, 9001, 7001


def make_code(
    bot: Harness,
    group: str | None = "admin",
    role: Role = Role.STAFF,
    uses: int = 1,
    valid_for: timedelta = timedelta(days=7),
) -> str:
    return invite_code(bot.db, group, role, uses=uses, valid_for=valid_for)


async def register(
    bot: Harness, user_id: int, group: str | None = "admin", role: Role = Role.STAFF, **user: Any
) -> str:
    (answer,) = await bot.say(user_id, f"/start {make_code(bot, group, role)}", **user)
    return answer


async def test_a_deep_link_registers_a_person_and_answers_in_thai(bot: Harness) -> None:
    answer = await register(bot, SOMCHAI, "admin", first_name="สมชาย", last_name="ใจดี")
    assert answer.startswith("ยินดีต้อนรับ คุณสมชาย ใจดี\n")
    assert "สังกัดกลุ่มอำนวยการ ในฐานะเจ้าหน้าที่" in answer
    assert "ต่อจากนี้ระบบจะแจ้งเตือนรายงานที่ท่านต้องส่ง" in answer
    with bot.db.transaction() as session:
        person = people.by_telegram_user(session, SOMCHAI)
    assert person is not None and person.name == "สมชาย ใจดี"
    assert [g.key for g in person.groups] == ["admin"] and person.roles == {Role.STAFF}
    await bot.fake.wait_until(
        lambda: any("scope" in c.params for c in bot.fake.calls_to("setMyCommands"))
    )
    (menu,) = [c for c in bot.fake.calls_to("setMyCommands") if "scope" in c.params]
    assert menu.params["scope"]["chat_id"] == SOMCHAI


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("unknown", "รหัสลงทะเบียนนี้ไม่ถูกต้อง"),
        ("expired", "รหัสลงทะเบียนนี้หมดอายุแล้ว"),
        ("used_up", "รหัสลงทะเบียนนี้ถูกใช้ครบจำนวนแล้ว"),
        ("no_code", "ท่านยังไม่ได้ลงทะเบียน"),
    ],
)
async def test_bad_codes_get_a_polite_thai_answer_and_write_nothing(
    bot: Harness, setup: str, expected: str
) -> None:
    code = {"unknown": "WRONGCODE1", "no_code": ""}.get(setup, "")
    if setup == "expired":
        code = make_code(bot, valid_for=timedelta(minutes=5))
        bot.clock.advance(minutes=6)
    if setup == "used_up":
        code = make_code(bot)
        await bot.say(MALEE, f"/start {code}")
    before = row_counts(bot.db)
    (answer,) = await bot.say(SOMCHAI, f"/start {code}".strip())
    assert expected in answer
    assert row_counts(bot.db) == before


async def test_registering_twice_does_not_duplicate(bot: Harness) -> None:
    code = make_code(bot, uses=3)
    await bot.say(SOMCHAI, f"/start {code}")
    before = row_counts(bot.db)
    (answer,) = await bot.say(SOMCHAI, f"/start {code}")
    assert "ลงทะเบียนไว้แล้วในกลุ่มอำนวยการ" in answer and "ไม่ต้องลงทะเบียนซ้ำ" in answer
    assert row_counts(bot.db) == before
    (hello,) = await bot.say(SOMCHAI, "/start")
    assert hello.startswith("สวัสดี คุณสมชาย ใจดี ท่านลงทะเบียนไว้แล้ว")


async def test_unregistered_people_are_told_how_to_register_for_any_command(bot: Harness) -> None:
    for command in ("/help", "/whoami", "/staff", "/person 1", "/language en"):
        (answer,) = await bot.say(SOMCHAI, command)
        assert "ท่านยังไม่ได้ลงทะเบียน" in answer, command
        assert "สำนักงานศึกษาธิการจังหวัดพิจิตร" in answer
    assert row_counts(bot.db)["staff"] == 0


async def test_help_lists_only_what_the_roles_allow(bot: Harness) -> None:
    await register(bot, SOMCHAI)
    (staff_help,) = await bot.say(SOMCHAI, "/help")
    assert "/whoami" in staff_help and "/staff" not in staff_help and "/person" not in staff_help
    await register(bot, ADMIN, "policy", Role.ADMIN)
    (admin_help,) = await bot.say(ADMIN, "/help")
    assert "/staff" in admin_help and "/person" in admin_help
    assert "/complain —" in staff_help  # the channel is open in the example
    assert "/board" not in staff_help + admin_help  # no [board] in the example: no door shown


async def test_help_leaves_out_the_complaint_channel_when_the_office_closes_it(
    db: Database, settings: Settings
) -> None:
    closed = with_changes(settings, complaints={"enabled": False})
    async with running_bot(db, closed) as bot:
        await register(bot, SOMCHAI)
        (staff_help,) = await bot.say(SOMCHAI, "/help")
    assert "/whoami" in staff_help and "/complain" not in staff_help


async def test_whoami_shows_the_registration_with_a_buddhist_era_date(bot: Harness) -> None:
    await register(bot, DIRECTOR, None, Role.DIRECTOR, first_name="วิชัย", last_name="รักดี")
    (answer,) = await bot.say(DIRECTOR, "/whoami")
    assert "ชื่อ: วิชัย รักดี" in answer
    assert "บทบาท: ศึกษาธิการจังหวัด" in answer
    assert "ลงทะเบียนเมื่อ: 6 มกราคม 2568" in answer


async def test_language_is_stored_per_person(bot: Harness) -> None:
    await register(bot, SOMCHAI)
    (choose,) = await bot.say(SOMCHAI, "/language")
    assert choose == "กรุณาเลือกภาษา:"
    (switched,) = await bot.press(SOMCHAI, bot.last(SOMCHAI), "lang:en")
    assert switched == "From now on I will write to you in English."
    (help_text,) = await bot.say(SOMCHAI, "/help")
    assert help_text.startswith("What you can do here:")
    (bad,) = await bot.say(SOMCHAI, "/language fr")
    assert bad.startswith("Please choose th")
    (back,) = await bot.say(SOMCHAI, "/language th")
    assert back == "ต่อจากนี้ระบบจะแจ้งข้อความถึงท่านเป็นภาษาไทย"


async def test_a_name_from_telegram_is_cleaned_like_any_typed_text(bot: Harness) -> None:
    """Telegram lets a name hold a direction override (U+202E) or a line break: kept out."""
    answer = await register(bot, SOMCHAI, first_name="สมชาย\u202e", last_name="ใจดี\n\u200bx")
    with bot.db.transaction() as session:
        person = people.by_telegram_user(session, SOMCHAI)
    assert person is not None and person.name == "สมชาย ใจดี x"
    assert "\u202e" not in answer


async def test_a_person_can_correct_their_name(bot: Harness) -> None:
    await register(bot, SOMCHAI, first_name="Som")
    (answer,) = await bot.say(SOMCHAI, "/name สมชาย ใจดี")
    assert answer == "บันทึกชื่อของท่านเป็น สมชาย ใจดี เรียบร้อยแล้ว"
    (empty,) = await bot.say(SOMCHAI, "/name")
    assert empty.startswith("กรุณาพิมพ์ /name ตามด้วยชื่อ-นามสกุล")
    with bot.db.transaction() as session:
        person = people.by_telegram_user(session, SOMCHAI)
        events = audit.events(session, subject_type="staff")
    assert person is not None and person.name == "สมชาย ใจดี"
    assert events[-1].action == "staff.renamed"


async def test_the_roster_is_for_the_coordinator_and_admins_only(bot: Harness) -> None:
    await register(bot, SOMCHAI, "admin", first_name="สมชาย", last_name="ใจดี")
    await register(bot, MALEE, "policy", Role.COORDINATOR, first_name="มาลี", last_name="ศรีสุข")
    (refusal,) = await bot.say(SOMCHAI, "/staff")
    assert refusal.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะผู้ประสานงานติดตามการรายงาน, ผู้ดูแลระบบ")
    bot.fake.block_chat(SOMCHAI)
    with bot.db.transaction() as session:  # as the sender will, when Telegram says "blocked"
        somchai = people.by_telegram_user(session, SOMCHAI)
        assert somchai is not None
        somchai.staff.reachable = False
        session.add(somchai.staff)
    (roster,) = await bot.say(MALEE, "/staff")
    assert "กลุ่มอำนวยการ (1)" in roster
    assert "สมชาย ใจดี — เจ้าหน้าที่ — ติดต่อไม่ได้" in roster
    assert "มาลี ศรีสุข — ผู้ประสานงานติดตามการรายงาน" in roster
    assert "/person" not in roster  # the coordinator sees, but does not change


async def test_an_admin_moves_a_person_changes_roles_and_deactivates_with_buttons(
    bot: Harness,
) -> None:
    await register(bot, ADMIN, "policy", Role.ADMIN)
    await register(bot, SOMCHAI, "admin", first_name="สมชาย", last_name="ใจดี")
    with bot.db.transaction() as session:
        somchai = people.by_telegram_user(session, SOMCHAI)
        admin = people.by_telegram_user(session, ADMIN)
    assert somchai and admin
    (card,) = await bot.say(ADMIN, f"/person {somchai.id}")
    assert "กลุ่มงาน: กลุ่มอำนวยการ" in card
    card_message = bot.last(ADMIN)
    (question,) = await bot.press(ADMIN, card_message, card_message.button_data("ย้ายกลุ่มงาน"))
    assert question == "ย้ายคุณสมชาย ใจดี ไปสังกัดกลุ่มงานใด"
    (moved,) = await bot.press(ADMIN, bot.last(ADMIN), f"p:{somchai.id}:mv:development")
    assert moved.startswith("บันทึกแล้ว คุณสมชาย ใจดี: กลุ่มพัฒนาการศึกษา")
    (made_head,) = await bot.press(ADMIN, card_message, f"p:{somchai.id}:rl:group_head")
    assert "ผู้อำนวยการกลุ่ม" in made_head
    (off,) = await bot.press(ADMIN, card_message, card_message.button_data("ระงับการใช้งาน"))
    assert "สถานะระงับการใช้งานแล้ว" in off
    with bot.db.transaction() as session:
        events = audit.events(session, subject_type="staff", subject_id=somchai.id)
    assert [e.action for e in events][-3:] == [
        "staff.moved",
        "staff.role_granted",
        "staff.deactivated",
    ]
    assert {e.actor_staff_id for e in events[-3:]} == {admin.id}
    (gone,) = await bot.say(SOMCHAI, "/whoami")
    assert gone.startswith("บัญชีของท่านถูกระงับการใช้งานแล้ว")


async def test_admin_buttons_refuse_non_admins_and_forged_data_changes_nothing(
    bot: Harness,
) -> None:
    await register(bot, ADMIN, "policy", Role.ADMIN)
    await register(bot, SOMCHAI, "admin")
    with bot.db.transaction() as session:
        somchai = people.by_telegram_user(session, SOMCHAI)
    assert somchai
    await bot.say(ADMIN, f"/person {somchai.id}")
    card = bot.last(ADMIN)
    before = row_counts(bot.db)
    # a forged press from Somchai's own chat (a modified client can send any data)
    (refused,) = await bot.press(SOMCHAI, bot.last(SOMCHAI), f"p:{somchai.id}:rl:admin")
    assert refused.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะผู้ดูแลระบบ")
    for forged in (
        f"p:{somchai.id}:rl:emperor",
        "p:99999:off",
        "p:x:mv",
        f"p:{somchai.id}:mv:nowhere",
    ):
        (answer,) = await bot.press(ADMIN, card, forged)
        assert answer == "ปุ่มนี้ใช้ไม่ได้แล้ว กรุณาพิมพ์คำสั่งอีกครั้ง", forged
    (last_admin,) = await bot.press(ADMIN, card, f"p:{admin_id(bot)}:rl:admin")
    assert last_admin.startswith("บุคคลนี้เป็นผู้ดูแลระบบคนสุดท้าย")
    assert row_counts(bot.db) == before


def admin_id(bot: Harness) -> int:
    with bot.db.transaction() as session:
        admin = people.by_telegram_user(session, ADMIN)
    assert admin is not None
    return admin.id


async def test_unknown_commands_stray_messages_and_group_chats_get_polite_answers(
    bot: Harness,
) -> None:
    await register(bot, SOMCHAI)
    (unknown,) = await bot.say(SOMCHAI, "/fly")
    assert unknown == "ไม่พบคำสั่งนี้ พิมพ์ /help เพื่อดูคำสั่งที่ท่านใช้ได้"
    (stray,) = await bot.say(SOMCHAI, "สวัสดีครับ")
    assert stray.startswith("ระบบไม่ทราบว่าข้อความนี้ใช้สำหรับเรื่องใด")
    before = len(bot.fake.messages_to(-100500))
    bot.fake.user_sends_text(SOMCHAI, "/start ABC", chat_id=-100500, chat_type="supergroup")
    (in_group, *_) = (await bot.fake.wait_for_messages(-100500, before + 1))[before:]
    assert in_group.text == "กรุณาส่งข้อความถึงระบบโดยตรง (แชตส่วนตัว) ระบบไม่รับคำสั่งในกลุ่มสนทนา"


async def test_an_unreachable_person_who_writes_again_is_reachable_again(bot: Harness) -> None:
    await register(bot, SOMCHAI)
    with bot.db.transaction() as session:
        person = people.by_telegram_user(session, SOMCHAI)
        assert person is not None
        people.mark_unreachable(session, person.id, "403: Forbidden: bot was blocked by the user")
    await bot.say(SOMCHAI, "/whoami")
    with bot.db.transaction() as session:
        person = people.by_telegram_user(session, SOMCHAI)
    assert person is not None and person.staff.reachable and person.staff.unreachable_reason is None
