"""Write docs/sample-action-plan.xlsx: a small action-plan sheet, as an office keeps one.

    python docs/make_sample_action_plan.py [OUT.xlsx]

A title row above the header (the import finds the header by its headings), the five columns
the default ``[projects] columns`` name, budgets with commas, a group by its Thai name or its
key, the responsible person by the name they registered with or a staff number, and one name
no one registered with (the import lists it; it does not guess).
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook

HEADINGS = ["ลำดับ", "รหัสโครงการ", "ชื่อโครงการ", "งบประมาณ", "กลุ่ม", "ผู้รับผิดชอบ"]
ROWS = [
    [
        1,
        "P69-001",
        "โครงการพัฒนาระบบติดตามการรายงานผล",
        "120,000",
        "กลุ่มนโยบายและแผน",
        "นางวิภา ประสานงาน",
    ],
    [2, "P69-002", "โครงการประชุมเชิงปฏิบัติการจัดทำแผนปฏิบัติราชการ", 85500.5, "policy", "นายสมชาย ใจดี"],
    [
        3,
        "P69-003",
        "โครงการส่งเสริมการเรียนรู้ตลอดชีวิต",
        "250,000.00",
        "กลุ่มพัฒนาการศึกษา",
        "นางสาวมาลี ไม่มีชื่อ",
    ],
    [4, "P69-004", "โครงการพัฒนาสมรรถนะบุคลากร", "-", "personnel", "นายสมชาย  ใจดี"],
]
TITLE = "แผนปฏิบัติราชการ ประจำปีงบประมาณ พ.ศ. 2569"


def write_sample(
    out: Path, headings: list[str] = HEADINGS, rows: list[list[object]] = ROWS
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "แผนปฏิบัติราชการ"
    sheet.append([TITLE])
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    workbook.save(out)
    return out


if __name__ == "__main__":
    target = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).with_name("sample-action-plan.xlsx")
    )
    print(write_sample(target))
