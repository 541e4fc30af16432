"""The config's ``[projects]``: how the office's action-plan sheet names its columns.

A section of :class:`jobs.settings.Settings` (``projects: ProjectSettings = ProjectSettings()``).
The defaults are the headings an office's sheet has in Thai (data, not the bot's words); an
office whose sheet says otherwise maps its own, e.g. ``[projects.columns] budget = "งบ (บาท)"``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ProjectColumns(BaseModel):
    """The heading of each column the import reads, as written in the sheet's header row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(default="รหัสโครงการ", min_length=1, max_length=200)
    name: str = Field(default="ชื่อโครงการ", min_length=1, max_length=200)
    budget: str = Field(default="งบประมาณ", min_length=1, max_length=200)
    group: str = Field(default="กลุ่ม", min_length=1, max_length=200)
    responsible: str = Field(default="ผู้รับผิดชอบ", min_length=1, max_length=200)

    @model_validator(mode="after")
    def _distinct(self) -> ProjectColumns:
        headings = [" ".join(h.split()) for h in self.model_dump().values()]
        if len(set(headings)) != len(headings):
            raise ValueError("two columns are mapped to the same heading")
        return self


class ProjectSettings(BaseModel):
    """The project register's import."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: ProjectColumns = ProjectColumns()
