"""``staff-report-bot demo``: the README's first command works offline and ends by itself."""

from __future__ import annotations

from bot.demo import run_demo


async def test_the_demo_runs_a_whole_ladder_and_exits_0() -> None:
    lines: list[str] = []
    assert await run_demo(lines.append) == 0
    transcript = "\n".join(lines)
    assert "สมชาย ใจดี: presses «ส่งรายงานแล้ว»" in transcript
    assert "bot → สมชาย ใจดี: (edits the reminder) ✅ ส่งรายงานแล้ว (ตามกำหนด) เมื่อ" in transcript
    assert "bot → สมชาย ใจดี: จัดเก็บไฟล์หลักฐาน รายงานไตรมาส.pdf ไว้กับรายงานแล้ว ขอบคุณ" in transcript
    assert "bot → มาลี ศรีสุข: การติดตาม ครั้งที่ 2: รายงานเลยกำหนดส่งแล้ว" in transcript
    assert "bot → วิชัย รักดี: เรียน ศึกษาธิการจังหวัด" in transcript
    assert "1. มาลี ศรีสุข (กลุ่มอำนวยการ) ติดตามแล้ว 2 ครั้ง" in transcript
    assert "the director has been told; done." in transcript
