"""``staff-report-bot demo``: the README's first command works offline and ends by itself,
every time: each message of the story arrives, the coordinator's copy of the escalation
included, the memo goes to the director and the order back to the person who stayed silent,
and nothing is left in the outbox or printed as a traceback."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from bot.cli import _parser
from bot.offline.demo import run_demo

RUNS = 20
STORY = (
    "สมชาย ใจดี: presses «ส่งรายงานแล้ว»",
    "bot → สมชาย ใจดี: (edits the reminder) ✅ ส่งรายงานแล้ว (ตามกำหนด) เมื่อ",
    "bot → สมชาย ใจดี: จัดเก็บไฟล์หลักฐาน รายงานไตรมาส.pdf ไว้กับรายงานเรียบร้อยแล้ว ขอบคุณที่ให้ความร่วมมือ",
    "bot → มาลี ศรีสุข: การติดตาม ครั้งที่ 2: รายงานเลยกำหนดส่งแล้ว",
    # the escalation opens as a memo does: เรื่อง, then เรียน (or สำเนาเรียน for a copy)
    "bot → วิชัย รักดี: เรื่อง  ขอรายงานผู้ยังไม่ส่งรายงานผลการดำเนินงานโครงการ (ตัวอย่าง)\n"
    "            เรียน  ศึกษาธิการจังหวัดตัวอย่าง",
    "bot → วิภา ประสานงาน: เรื่อง  ขอรายงานผู้ยังไม่ส่งรายงานผลการดำเนินงานโครงการ (ตัวอย่าง)\n"
    "            สำเนาเรียน  กลุ่มนโยบายและแผน (เพื่อโปรดทราบ)",
    # seconds after the due instant: not "0 working days late"
    "1. มาลี ศรีสุข (กลุ่มอำนวยการ) ติดตามแล้ว 2 ครั้ง ครบกำหนดส่งวันนี้",
    # the memo: to the coordinator, proposed, ordered on, and the order back to มาลี
    "bot → วิภา ประสานงาน: memo-",
    "bot → วิภา ประสานงาน: บันทึกข้อความเสนอศึกษาธิการจังหวัดตัวอย่าง เพื่อโปรดตรวจทาน",
    "วิภา ประสานงาน: presses «เสนอ»",
    "bot → วิชัย รักดี: memo-",
    "bot → วิชัย รักดี: เรียน ศึกษาธิการจังหวัดตัวอย่าง บันทึกข้อความเพื่อโปรดพิจารณาสั่งการ",
    "วิชัย รักดี: presses «สั่งการให้จัดส่งภายใน ",
    "วิชัย รักดี: ขอให้จัดส่งโดยด่วน",
    "bot → มาลี ศรีสุข: ข้อสั่งการของศึกษาธิการจังหวัดตัวอย่าง",
    "ศึกษาธิการจังหวัดตัวอย่างสั่งการให้จัดส่งรายงานผลการดำเนินงานโครงการ (ตัวอย่าง)",
    "ข้อสั่งการ: “ขอให้จัดส่งโดยด่วน”",
    "-ordered.docx",
    "the memo reached the director and the order came back; done.",
)
DONE = "the memo reached the director and the order came back; done."
WELCOMED = ("วิชัย รักดี", "วิภา ประสานงาน", "สมชาย ใจดี", "มาลี ศรีสุข")


def _check_story(lines: list[str]) -> None:
    transcript = "\n".join(lines)
    for line in STORY:
        assert line in transcript, f"missing from the demo: {line!r}\n{transcript}"
    for name in WELCOMED:
        assert f"bot → {name}: ยินดีต้อนรับ" in transcript, f"{name} was not welcomed"
    # the coordinator's copy of the escalation comes before the demo says it is done, and the
    # memo after it; the version of record reaches both before the end
    assert transcript.index("สำเนาเรียน  กลุ่มนโยบายและแผน (เพื่อโปรดทราบ)") < transcript.index(DONE)
    assert transcript.index("วิภา ประสานงาน: presses «เสนอ»") < transcript.index(
        "bot → วิชัย รักดี: memo-"
    )
    for name in ("วิภา ประสานงาน", "วิชัย รักดี"):
        assert re.search(rf"bot → {name}: memo-\d+-\d+-ordered\.docx", transcript), name
    assert "Traceback" not in transcript


async def test_the_demo_tells_the_whole_story_every_time_of_20(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Twenty demos side by side (each its own fake Telegram, database and engine): the
    same run back to back would take six minutes, and running together only adds timing
    pressure."""
    caplog.set_level(logging.WARNING)
    transcripts: list[list[str]] = [[] for _ in range(RUNS)]
    results = await asyncio.gather(*(run_demo(lines.append) for lines in transcripts))
    failed = ["\n".join(t[-8:]) for t, result in zip(transcripts, results, strict=True) if result]
    assert not failed, "\n\n".join(failed)
    for lines in transcripts:
        _check_story(lines)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]


STORY_EN = (
    "demo: Example Provincial Education Office; the report is due in",
    "Somchai Jaidee: /language en",
    "bot → Somchai Jaidee: From now on I will write to you in English.",
    "Somchai Jaidee: presses «Report sent»",
    "bot → Somchai Jaidee: (edits the reminder) ✅ Report sent on time on",
    "Somchai Jaidee: sends the evidence file quarterly-report.pdf",
    "bot → Malee Srisuk: Follow-up no. 2: the report is overdue",
    "bot → Wichai Rakdee: Subject: those who have not yet sent Project progress report (demo)\n"
    "            To: Example Provincial Education Officer",
    "1. Malee Srisuk (Administration Group): 2 follow-ups unanswered, due today",
    "Copy to: Policy and Planning Group (for your information)",
    "bot → Wipa Prasanngan: A memo to the Example Provincial Education Officer for your review",
    "Wipa Prasanngan: presses «Propose»",
    "Wichai Rakdee: presses «Order them to submit by ",
    "bot → Malee Srisuk: The Example Provincial Education Officer's order",
    'The order reads: "Please send it at once."',
    "the memo reached the director and the order came back; done.",
)


async def test_the_demo_in_english_tells_the_same_story_in_english() -> None:
    """``demo --lang en``: after each welcome (Thai, as every newcomer's) the person switches
    to English, and from then on everything the bot says comes from the English catalog."""
    lines: list[str] = []
    assert await run_demo(lines.append, language="en") == 0, lines[-1]
    transcript = "\n".join(lines)
    for line in STORY_EN:
        assert line in transcript, f"missing from the demo: {line!r}\n{transcript}"
    after_welcomes = transcript[transcript.index("Malee Srisuk: /language en") :]
    assert not re.search("[\u0e00-\u0e7f]", after_welcomes), after_welcomes
    assert "Traceback" not in transcript


def test_demo_takes_lang_on_the_command_line() -> None:
    assert _parser().parse_args(["demo", "--lang", "en"]).lang == "en"
    assert _parser().parse_args(["demo"]).lang == "th"
