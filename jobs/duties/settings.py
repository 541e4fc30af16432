"""The config's ``[memo]``: how the office writes the memo (บันทึกข้อความ) to the director.

A section of :class:`jobs.settings.Settings` (``memo: MemoSettings = MemoSettings()``); kept
in its own module, beside the memo's other code. Every key has a default, so a config without
``[memo]`` still writes a memo (numbered without a prefix, until the office gives its own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff")


class MemoSettings(BaseModel):
    """What the memo says of the office, and who sees it first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str = Field(default="", max_length=60)  # ที่: "ศธ 0262/" — the number follows
    thai_digits: bool = True  # ๑๔ มกราคม ๒๕๖๙ (the plan's own style); false: 14 มกราคม 2569
    template: Path | None = None  # the office's own .docx; unset: the bot's (bot/duties)
    emblem: Path | None = None  # the ครุฑ image at the top left, 1.5 cm high; unset: none
    section: str | None = Field(default=None, max_length=300)  # ส่วนราชการ; unset: group, office
    director_title: str | None = Field(default=None, max_length=200)  # เรียน; unset: [director]
    signer_name: str | None = Field(default=None, max_length=200)  # unset: the coordinator's
    signer_position: list[str] = Field(default_factory=list, max_length=4)  # lines under it
    review: Literal["coordinator", "director"] = "coordinator"  # who receives it first

    @field_validator("template")
    @classmethod
    def _a_word_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if value.suffix.lower() != ".docx":
            raise ValueError(f"{value} is not a Word file: give the path of a .docx template")
        return _existing(value, "the office's .docx template")

    @field_validator("emblem")
    @classmethod
    def _an_image(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if value.suffix.lower() not in IMAGE_SUFFIXES:
            raise ValueError(f"{value} is not an image Word takes ({', '.join(IMAGE_SUFFIXES)})")
        return _existing(value, "the emblem's image")


def _existing(path: Path, what: str) -> Path:
    if not path.is_file():
        raise ValueError(f"{path}: no such file (the path of {what}, or remove the key)")
    return path
