"""/projects: the open projects of a fiscal year by group, for those who oversee the plan."""

from __future__ import annotations

from itertools import groupby

from bot.common.kit import Turn, command
from bot.common.roles import OVERSEEING
from storage import projects
from storage.projects import ProjectLine


@command(*OVERSEEING)
async def projects_command(turn: Turn) -> None:
    """/projects [fiscal year]: each open project's code, name, budget and person, by group."""
    fiscal_year = turn.fiscal_year_asked()
    if fiscal_year is None:
        await turn.answer(
            turn._(
                "Please give the fiscal year in the Buddhist Era, for example /projects 2569, "
                "or nothing for this year. Nothing was changed."
            )
        )
        return
    lines = await turn.run(lambda s: projects.register_of_year(s, fiscal_year))
    if not lines:
        await turn.answer(
            turn._("No project is registered for fiscal year {year}.").format(year=fiscal_year)
        )
        return
    parts = [turn._("Projects of fiscal year {year}").format(year=fiscal_year)]
    for _group, members in groupby(lines, key=lambda line: line.group_id):
        shown = list(members)
        parts.append("\n" + _group_name(turn, shown[0]))
        parts.extend(_line(turn, line) for line in shown)
    await turn.answer("\n".join(parts))


def _group_name(turn: Turn, line: ProjectLine) -> str:
    if line.group_th is None:
        return turn._("No group")
    return line.group_en if turn.language == "en" and line.group_en else line.group_th


def _line(turn: Turn, line: ProjectLine) -> str:
    person = line.person or turn._("no one matched")
    return turn._("• {code} {name}: {budget} baht, {person}").format(
        code=line.code, name=line.name, budget=f"{line.budget_satang / 100:,.2f}", person=person
    )
