"""/board in chat: a one-time link to the board (for a PC on the office network) and, where
the board is served over HTTPS, a button that opens it as a Telegram Mini App."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, WebAppInfo

from bot.common.kit import Turn, command
from bot.oversight.board.web import may_open
from storage import board


@command()
async def board_link(turn: Turn) -> None:
    """/board: for whoever ``[board] roles`` lets open it, checked now and again at sign-in."""
    settings = turn.settings.board
    if settings is None:
        await turn.answer(turn._("The board is not set up in this office."))
        return
    if not may_open(turn.person, settings):
        await turn.answer(turn._("Sorry, the board is not open to your role."))
        return
    staff_id, now = turn.person.id, turn.now()
    valid = timedelta(minutes=settings.link_minutes)
    token = await turn.run(lambda s: board.new_link(s, staff_id, now=now, valid_for=valid))
    link = f"{settings.public_url}/signin?t={token}"
    text = turn._(
        "Your link to the board (it works once, within {minutes} minutes; "
        "do not pass it on):\n{link}"
    ).format(minutes=settings.link_minutes, link=link)
    keyboard = None
    if settings.secure:  # Telegram opens Mini Apps over HTTPS only
        label = turn._("Open the board in Telegram")
        button = InlineKeyboardButton(label, web_app=WebAppInfo(f"{settings.public_url}/app"))
        keyboard = InlineKeyboardMarkup([[button]])
    await turn.answer(
        text, reply_markup=keyboard, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
