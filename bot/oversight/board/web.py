"""The board's web server: aiohttp on the bot's own event loop, pages rendered with Jinja2.

Signing in is through Telegram only: a one-time link from /board (exchanged, by a press of the
page's button, for a session cookie) or a Mini App's signed ``initData``. Every request finds
its session in the database and the person again (deactivated or without a role that may see
the board: signed out at once); every form carries the session's CSRF token and must come from
the board's own origin; every action is decided again on the server (``actions``).
"""

from __future__ import annotations

import asyncio
import hmac
import io
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from aiohttp import web
from sqlmodel import Session

from bot.common.i18n import (
    N_,
    format_date,
    format_datetime,
    normalise_language,
    parse_date,
    translator,
)
from bot.common.render import period_label
from bot.common.services import Services
from bot.common.texts import parse_number
from bot.common.words import status_name
from bot.oversight.board import actions, grid, initdata
from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.params import duty_params
from jobs.settings import BoardSettings
from storage import board, office, oversight, people, power, schedule
from storage.models import Role

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
FONTS = HERE.parent.parent / "fonts"
COOKIE = "board_session"
LANGUAGE_COOKIE = "board_lang"
SERVICES = web.AppKey("services", Services)
TOKEN = web.AppKey("token", str)
DIGEST_ROLES = (Role.DIRECTOR, Role.COORDINATOR)  # as /digest and /export

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)

# what the pages say after an action or a refusal (English message ids; Thai in the catalog)
NOTICES = {
    "on_time": N_("Recorded as received on paper (on time)."),
    "late": N_("Recorded as received on paper (late)."),
    "excused": N_("Excused, with the reason given."),
    "reminded": N_("A further reminder is on its way to {names}."),
    "not_open": N_("This report is no longer open. Nothing was changed."),
    "refused": N_("Sorry, your role does not allow this for that report. Nothing was changed."),
    "bad_date": N_("Please give a date that has passed, like 9/1/2569, or “today”."),
    "no_reason": N_("Please give the reason for the excuse."),
    "signed_out": N_("You have signed out."),
}


@dataclass(slots=True)
class Viewer:
    person: people.Person
    session_token: str
    csrf: str
    language: str


class Refused(Exception):
    """A request the board turns down: the page says why, in the viewer's language."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def may_open(person: people.Person, settings: BoardSettings) -> bool:
    """Active, and holding a role ``[board] roles`` lets open the board."""
    return person.staff.active and any(role.value in settings.roles for role in person.roles)


# -- the application ------------------------------------------------------------------------


def make_app(services: Services, token: str) -> web.Application:
    app = web.Application(middlewares=[_headers, _refusals], client_max_size=64 * 1024)
    app[SERVICES] = services
    app[TOKEN] = token
    app.add_routes(
        [
            web.get("/", grid_page),
            web.get("/signin", signin_page),
            web.post("/signin", signin),
            web.get("/app", webapp_page),
            web.post("/app/signin", webapp_signin),
            web.post("/signout", signout),
            web.get("/lang/{language}", switch_language),
            web.get("/person/{staff_id:\\d+}", person_page),
            web.get("/act/{assignment_id:\\d{1,12}}", act_page),
            web.get("/rates", rates_page),
            web.get("/rates.png", rates_chart),
            web.get("/evidence.xlsx", evidence),
            web.post("/paper", paper),
            web.post("/excuse", excuse),
            web.post("/remind", remind),
            web.static("/static", HERE / "static"),
            web.static("/fonts", FONTS),
        ]
    )
    return app


async def start(services: Services, token: str) -> web.AppRunner:
    """Listen where ``[board] listen`` says, on the running event loop."""
    settings = services.settings.board
    assert settings is not None
    runner = web.AppRunner(make_app(services, token), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    log.info("the board listens on %s (%s)", settings.listen, settings.public_url)
    return runner


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self' https://web.telegram.org"
)


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    response = await handler(request)
    elapsed = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"  # read by bench/board_grid.py
    response.headers.setdefault("Content-Security-Policy", _POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith(("/static", "/fonts")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def _refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Refused as refused:
        language = _language(request)
        return _page(
            request,
            "message.html",
            language,
            status=refused.status,
            message=refused.message,
            viewer=None,
        )


# -- helpers --------------------------------------------------------------------------------


def _services(request: web.Request) -> Services:
    return request.app[SERVICES]


def _board_settings(request: web.Request) -> BoardSettings:
    found = _services(request).settings.board
    assert found is not None
    return found


def _language(request: web.Request) -> str:
    """Thai first; English once the header's switch sets the cookie."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return normalise_language(chosen) if chosen in ("th", "en") else "th"


def _page(
    request: web.Request, name: str, language: str, *, status: int = 200, **context: Any
) -> web.Response:
    services = _services(request)
    zone = services.settings.office.zone
    _ = translator(language)
    viewer = context.get("viewer")
    context.setdefault("may_digest", bool(viewer and viewer.person.has_any(*DIGEST_ROLES)))
    html = _templates.get_template(name).render(
        _=_,
        language=language,
        office=services.settings.office,
        date=lambda day: format_date(day, language),
        short_date=lambda moment: format_date(moment.astimezone(zone).date(), language, "short"),
        when=lambda moment: format_datetime(moment.astimezone(zone), language),
        path=request.path_qs,
        **context,
    )
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.enable_compression()  # gzip where the browser takes it: the grid shrinks tenfold
    return response


def _set_session_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    settings = _board_settings(request)
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=settings.secure,
    )


async def _viewer(request: web.Request) -> Viewer:
    """The signed-in person, checked again now: session live, person active, role allowed."""
    token = request.cookies.get(COOKIE, "")
    services, settings = _services(request), _board_settings(request)
    now = services.clock()

    def load(session: Session) -> tuple[Any, people.Person | None]:
        found = board.live_session(session, token, now=now) if token else None
        person = people.by_id(session, found.staff_id) if found else None
        if found is not None and (person is None or not may_open(person, settings)):
            board.end_session(session, token, now=now)
            return None, person
        return found, person

    found, person = await services.db.run(load)
    language = _language(request)
    _ = translator(language)
    if found is None or person is None:
        if person is not None:
            raise Refused(403, _(_NOT_ALLOWED))
        raise Refused(401, _(_SIGN_IN))
    return Viewer(person, token, found.csrf, language)


_SIGN_IN = N_("Please sign in: type /board to the bot in Telegram and open the link it sends.")
_NOT_ALLOWED = N_(
    "Sorry, the board is not open to you (your registration is deactivated, or your role "
    "does not include the board)."
)


async def _form(request: web.Request, viewer: Viewer) -> dict[str, str]:
    """A form's fields, once its CSRF token and origin are checked."""
    form = await request.post()
    sent = str(form.get("csrf", ""))
    if not hmac.compare_digest(sent.encode(), viewer.csrf.encode()) or not _same_origin(request):
        raise Refused(403, translator(viewer.language)(_FORGED))
    return {name: str(value) for name, value in form.items()}


_FORGED = N_("This form did not come from the board. Nothing was changed.")


def _same_origin(request: web.Request) -> bool:
    """A browser sends Origin with every POST; it must be the board's own address (the public
    one, or the one the request was addressed to)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser's cross-site post (those always carry Origin)
    public = urlsplit(_board_settings(request).public_url)
    own = {f"{public.scheme}://{public.netloc}", f"{request.scheme}://{request.host}"}
    return origin in own


def _filters(request: web.Request) -> grid.Filters:
    query = request.query

    def number(name: str) -> int:
        return parse_number(query.get(name, "")) or 0

    return grid.Filters(query.get("obligation", "")[:60], number("group"), number("period"))


# -- sign-in ----------------------------------------------------------------------------------


async def signin_page(request: web.Request) -> web.StreamResponse:
    """The link from /board opens this page; its button exchanges the link (a GET never
    spends it: a link preview or a prefetch must not sign anyone in)."""
    token = request.query.get("t", "")
    return _page(request, "signin.html", _language(request), token=token, viewer=None)


async def signin(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    token = str(form.get("t", ""))[:100]
    services, settings = _services(request), _board_settings(request)
    now = services.clock()
    _ = translator(_language(request))
    if not _same_origin(request):
        raise Refused(403, _(_FORGED))

    def exchange(session: Session) -> tuple[board.NewSession | None, str]:
        taken = board.take_link(session, token, now=now)
        if isinstance(taken, board.LinkRefusal):
            return None, taken.value
        person = people.by_id(session, taken)
        if person is None or not may_open(person, settings):
            return None, "not_allowed"
        valid = timedelta(hours=settings.session_hours)
        return board.open_session(session, taken, via="link", now=now, valid_for=valid), ""

    opened, why = await services.db.run(exchange)
    if opened is None:
        raise Refused(403, _(_LINK_REFUSALS.get(why, _NOT_ALLOWED)))
    response = _redirect("/")
    _set_session_cookie(response, request, opened.token)
    return response


_LINK_REFUSALS = {
    "unknown": N_("This sign-in link is not valid. Type /board to the bot for a new one."),
    "used": N_("This sign-in link has been used already. Type /board to the bot for a new one."),
    "expired": N_("This sign-in link has expired. Type /board to the bot for a new one."),
}


async def webapp_page(request: web.Request) -> web.StreamResponse:
    """The Mini App's entry: its script posts Telegram's signed initData (from the address's
    fragment, where Telegram puts it), then opens the grid."""
    return _page(request, "webapp.html", _language(request), viewer=None)


async def webapp_signin(request: web.Request) -> web.StreamResponse:
    services, settings = _services(request), _board_settings(request)
    now = services.clock()
    _ = translator(_language(request))
    if not _same_origin(request):
        raise Refused(403, _(_FORGED))
    form = await request.post()
    user_id = initdata.telegram_user_id(
        str(form.get("init_data", "")),
        request.app[TOKEN],
        now=now,
        max_age=timedelta(minutes=settings.init_data_minutes),
    )
    if user_id is None:
        raise Refused(403, _(_BAD_INIT_DATA))

    def open_it(session: Session) -> board.NewSession | None:
        person = people.by_telegram_user(session, user_id)
        if person is None or not may_open(person, settings):
            return None
        valid = timedelta(hours=settings.session_hours)
        return board.open_session(session, person.id, via="webapp", now=now, valid_for=valid)

    opened = await services.db.run(open_it)
    if opened is None:
        raise Refused(403, _(_NOT_ALLOWED))
    response = _redirect("/")
    _set_session_cookie(response, request, opened.token)
    return response


_BAD_INIT_DATA = N_("Telegram's sign-in data could not be verified. Please open the board again.")


async def signout(request: web.Request) -> web.StreamResponse:
    viewer = await _viewer(request)
    await _form(request, viewer)
    services = _services(request)
    now = services.clock()
    await services.db.run(lambda s: board.end_session(s, viewer.session_token, now=now))
    response = _page(
        request,
        "message.html",
        viewer.language,
        message=translator(viewer.language)(NOTICES["signed_out"]),
        viewer=None,
    )
    response.del_cookie(COOKIE, path="/")
    return response


async def switch_language(request: web.Request) -> web.StreamResponse:
    language = request.match_info["language"]
    back = request.query.get("next", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = _redirect(back)
    if language in ("th", "en"):
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 86400, path="/", samesite="Strict"
        )
    return response


# -- pages ------------------------------------------------------------------------------------


async def grid_page(request: web.Request) -> web.StreamResponse:
    viewer = await _viewer(request)
    services = _services(request)
    now, zone = services.clock(), services.settings.office.zone
    filters = _filters(request)
    person = viewer.person
    data = await services.db.run(lambda s: grid.load(s, person, filters, now, zone))
    notice = _notice(request, viewer.language)
    return _page(
        request,
        "grid.html",
        viewer.language,
        viewer=viewer,
        grid=data,
        filters=filters,
        notice=notice,
        column_title=lambda o, p: _column_title(o, p, viewer.language, zone),
        cell_labels=lambda cell: _cell_labels(cell, viewer.language),
        may_paper=person.has_any(*actions.PAPER_ROLES),
        may_answer=lambda row, cell: _may_answer(person, data.scope, row, cell),
        may_digest=person.has_any(*DIGEST_ROLES),
        back=request.path_qs,
    )


def _notice(request: web.Request, language: str) -> str:
    code = request.query.get("notice", "")
    if code not in NOTICES:
        return ""
    return translator(language)(NOTICES[code]).format(names=request.query.get("names", "")[:300])


def _column_title(obligation: Any, period: Any, language: str, zone: Any) -> dict[str, str]:
    title = obligation.title_en if language == "en" else obligation.title_th
    return {
        "measure": obligation.measure,
        "title": title,
        "period": period_label(duty_params(obligation, period), language, zone),
        "due": format_datetime(period.due_at.astimezone(zone), language),
    }


def _cell_labels(cell: grid.Cell, language: str) -> list[str]:
    _ = translator(language)
    return [_(message).format(**values) for message, values in cell.labels]


def _may_answer(person: people.Person, scope: grid.Scope, row: grid.Row, cell: grid.Cell) -> bool:
    """Whether to offer excuse and remind (the server decides again, with storage.power)."""
    if not cell.is_open or row.staff_id == person.id:
        return False
    if scope.answers_all:
        return True
    return Role.GROUP_HEAD in person.roles and bool(scope.group_ids)


async def act_page(request: web.Request) -> web.StreamResponse:
    """One cell's actions, as the viewer's role allows them (decided again when posted)."""
    viewer = await _viewer(request)
    services = _services(request)
    now, zone = services.clock(), services.settings.office.zone
    today = now.astimezone(zone).date()
    assignment_id = int(request.match_info["assignment_id"])
    me = viewer.person

    def load(session: Session) -> tuple[Any, ...] | None:
        scope = grid.scope_of(session, me, today)
        rows = board.grid_rows(session, [], assignment_id=assignment_id)
        duty = schedule.duty(session, assignment_id)
        if not rows or duty is None or not scope.covers(rows[0]):
            return None
        facts = board.cell_facts(session, [assignment_id])
        away = office.on_leave(session, today)
        shown = grid.cell(rows[0], duty.period, facts, away, today, zone)
        verdict = power.escalation_answer(session, me, duty.assignment, today, "x")
        return rows[0], duty, shown, verdict is power.Answer.ALLOWED

    found = await services.db.run(load)
    _ = translator(viewer.language)
    if found is None:
        raise Refused(404, _("There is nobody here you may see."))
    row, duty, shown, may_answer = found
    back = request.query.get("back", "/")
    return _page(
        request,
        "act.html",
        viewer.language,
        viewer=viewer,
        owner=row.owner_name_en if viewer.language == "en" else row.owner_name,
        column=_column_title(duty.obligation, duty.period, viewer.language, zone),
        cell=shown,
        labels=_cell_labels(shown, viewer.language),
        may_paper=shown.is_open and me.has_any(*actions.PAPER_ROLES),
        may_answer=shown.is_open and may_answer,
        back=back if back.startswith("/") and not back.startswith("//") else "/",
    )


async def person_page(request: web.Request) -> web.StreamResponse:
    """A person's fiscal year (/history), for whoever may see that person's items."""
    viewer = await _viewer(request)
    services = _services(request)
    now, zone = services.clock(), services.settings.office.zone
    today = now.astimezone(zone).date()
    staff_id = int(request.match_info["staff_id"])
    fiscal_year = fiscal_year_of(today)
    me = viewer.person

    def load(session: Session) -> tuple[people.Person | None, list[Any]]:
        scope = grid.scope_of(session, me, today)
        person = people.by_id(session, staff_id)
        if person is None or not _may_see(scope, me, person):
            return None, []
        return person, list(oversight.person_history(session, staff_id, fiscal_year))

    person, rows = await services.db.run(load)
    _ = translator(viewer.language)
    if person is None:
        raise Refused(404, _("There is nobody here you may see."))
    items = [
        {
            "title": o.title_en if viewer.language == "en" else o.title_th,
            "measure": o.measure,
            "period": period_label(duty_params(o, p), viewer.language, zone),
            "due": format_date(p.due_at.astimezone(zone).date(), viewer.language),
            "state": status_name(a.status, _) if p.due_at <= now else _(grid.NOT_YET_DUE),
            "css": grid.css(a.status) if p.due_at <= now else "pending",
        }
        for o, p, a in rows
    ]
    return _page(
        request,
        "person.html",
        viewer.language,
        viewer=viewer,
        person=person,
        fiscal_year=fiscal_year,
        items=items,
    )


def _may_see(scope: grid.Scope, me: people.Person, person: people.Person) -> bool:
    if scope.office or person.id == me.id:
        return True
    return bool(scope.group_ids & {g.id for g in person.groups})


async def _digest_data(request: web.Request, viewer: Viewer) -> dict[str, Any]:
    from jobs.features import STEPS
    from jobs.oversight.digest import digest_report

    services = _services(request)
    if not viewer.person.has_any(*DIGEST_ROLES):
        raise Refused(403, translator(viewer.language)(_NOT_YOURS))
    calendar = OfficeCalendar.from_office(services.settings.office)
    now = services.clock()
    steps = tuple(step(services.settings) for step in STEPS)
    return await services.db.run(lambda s: digest_report(s, steps, calendar, now, director=False))


_NOT_YOURS = N_("Sorry, this page is for the director and the coordinator.")


async def rates_page(request: web.Request) -> web.StreamResponse:
    """The fiscal year's on-time rates, by group and by report, with the digest's chart."""
    viewer = await _viewer(request)
    data = await _digest_data(request, viewer)
    return _page(request, "rates.html", viewer.language, viewer=viewer, data=data)


async def rates_chart(request: web.Request) -> web.StreamResponse:
    viewer = await _viewer(request)
    data = await _digest_data(request, viewer)
    services = _services(request)
    zone = services.settings.office.zone
    rendered = await asyncio.to_thread(
        services.catalog.render, "digest", data, viewer.language, zone
    )
    if rendered.photo is None:
        raise web.HTTPNotFound()
    return web.Response(body=rendered.photo, content_type="image/png")


async def evidence(request: web.Request) -> web.StreamResponse:
    """The ITA evidence workbook (as /export), for the director and the coordinator."""
    from bot.oversight.export import export_fiscal_year

    viewer = await _viewer(request)
    services = _services(request)
    _ = translator(viewer.language)
    if not viewer.person.has_any(*DIGEST_ROLES):
        raise Refused(403, _(_NOT_YOURS))
    today = services.clock().astimezone(services.settings.office.zone).date()
    text = request.query.get("fy", "")
    fiscal_year = parse_number(text) if text else fiscal_year_of(today)
    if fiscal_year is None or not 2500 <= fiscal_year <= 2700:
        raise Refused(400, _("Please choose a fiscal year in B.E., e.g. 2569."))
    buffer = io.BytesIO()
    await asyncio.to_thread(
        export_fiscal_year,
        services.db,
        services.settings,
        fiscal_year,
        "xlsx",
        buffer,
        actions=services.catalog.audit,
        as_of=services.clock(),
    )
    return web.Response(
        body=buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="ita-evidence-{fiscal_year}.xlsx"'},
    )


# -- actions ----------------------------------------------------------------------------------


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _back(fields: dict[str, str], done: actions.Done) -> web.Response:
    back = fields.get("back", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    path, _, query = back.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith(("notice=", "names="))]
    extra = {"notice": done.outcome.value}
    if done.names:
        extra["names"] = done.names
    return _redirect(f"{path}?{'&'.join([*kept, urlencode(extra)])}")


def _assignment(fields: dict[str, str]) -> int:
    return parse_number(fields.get("assignment", "")) or 0


async def _act(
    request: web.Request, work: Callable[[Session, Viewer, dict[str, str], datetime], actions.Done]
) -> web.StreamResponse:
    viewer = await _viewer(request)
    fields = await _form(request, viewer)
    services = _services(request)
    now = services.clock()
    done = await services.db.run(lambda s: work(s, viewer, fields, now))
    if done.outcome is actions.Outcome.REMINDED:
        services.wake()
    if done.outcome is actions.Outcome.REFUSED:
        raise Refused(403, translator(viewer.language)(NOTICES["refused"]))
    return _back(fields, done)


async def paper(request: web.Request) -> web.StreamResponse:
    calendar = OfficeCalendar.from_office(_services(request).settings.office)

    def work(s: Session, viewer: Viewer, fields: dict[str, str], now: datetime) -> actions.Done:
        text = fields.get("date", "").strip()
        today = now.astimezone(calendar.zone).date()
        day = today if text.lower() in ("", "today", "วันนี้") else parse_date(text)
        return actions.mark_paper(
            s, viewer.person, _assignment(fields), day, now=now, calendar=calendar
        )

    return await _act(request, work)


async def excuse(request: web.Request) -> web.StreamResponse:
    zone = _services(request).settings.office.zone

    def work(s: Session, viewer: Viewer, fields: dict[str, str], now: datetime) -> actions.Done:
        today = now.astimezone(zone).date()
        reason = fields.get("reason", "")
        return actions.excuse(s, viewer.person, _assignment(fields), reason, now=now, today=today)

    return await _act(request, work)


async def remind(request: web.Request) -> web.StreamResponse:
    zone = _services(request).settings.office.zone

    def work(s: Session, viewer: Viewer, fields: dict[str, str], now: datetime) -> actions.Done:
        today = now.astimezone(zone).date()
        return actions.remind(s, viewer.person, _assignment(fields), now=now, today=today)

    return await _act(request, work)
