"""The caseworker's pages about their citizens' meetings (``/borgere``; issue 19).

- ``/borgere``: the caseload (the logic of ``GET /caseload``: a caseworker sees their own
  citizens, an admin all), each with a link to the meetings;
- ``/borgere/{citizen_id}/moeder``: the citizen's upcoming meetings and those of the last
  ``RECENT_DAYS`` days, each with whether an SMS reminder went out (when, or why not), the
  citizen's answer to it and the meeting's confirmation (``api.services.reminder_status``, the
  same as ``GET /citizens/{id}/meeting-reminders``).

Who may see a citizen is decided by ``api.services.access.get_readable_citizen``, the check of
the JSON API (caseload; audited reads): a citizen outside the caseworker's caseload is the same 404
page as an unknown id. Server-rendered (Jinja2, ``api/templates/meetings/``), Danish, no
JavaScript. Sign-in, CSRF and rendering: ``api.security.page_routes`` with this area's cookie
(``kk_borgere_session``, Path=/borgere); without a session a page redirects to
``/borgere/login``; other roles (citizens, editors, jurists) get a 403 page. Not part of the JSON
API (hidden from /openapi.json).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import Response

from api.core.clock import now_utc
from api.deps import SessionDep, SettingsDep
from api.models.meetings import MEETING_TYPE_LABELS, MeetingStatus
from api.models.reminders import ReminderOptIn
from api.models.users import Role
from api.routes.citizens import read_caseload
from api.security.page_routes import NavLink, StaffPages, add_sign_in_routes
from api.security.pages import PageArea
from api.services.access import get_readable_citizen
from api.services.reminder_status import MeetingReminders, ReminderState, meeting_reminders
from kkshared.formatting import format_time, to_local

router = APIRouter(include_in_schema=False)

AREA = PageArea.at("borgere", frozenset({Role.STAFF, Role.ADMIN}))
HOME = "/borgere"
NO_ACCESS = "Siderne om borgernes samtaler er kun for sagsbehandlere og administratorer."
PAGES = StaffPages(
    area=AREA,
    title="Borgere",
    home=HOME,
    home_label="Til dine borgere",
    login_heading="Log ind for at se dine borgeres samtaler",
    demo_users=("demo-sagsbehandler", "demo-admin"),
    no_access=NO_ACCESS,
    login_refused=NO_ACCESS,
    nav_label="Borgere",
    nav=(NavLink(HOME, "Dine borgere"),),
)
add_sign_in_routes(router, PAGES)

RECENT_DAYS = 60

MEETING_STATUS = {
    MeetingStatus.PLANNED: "Planlagt",
    MeetingStatus.CANCELLED: "Aflyst",
    MeetingStatus.HELD: "Afholdt",
}
FORMS = {"fysisk": "fremmøde", "telefon": "telefon", "video": "video"}
NOT_SENT = {
    "no_phone": "Ikke sendt: intet telefonnummer registreret",
    "sms_stopped": "Ikke sendt: borgeren har skrevet STOP",
    "not_opted_in": "Ikke sendt: borgeren har ikke bedt om påmindelser",
    "meeting_cancelled": "Ikke sendt: samtalen er aflyst",
    "skipped_stop": "Ikke sendt: nummeret har skrevet STOP",
    "skipped": "Ikke sendt: sprunget over",
    "failed": "Ikke sendt: fejl ved afsendelsen",
    "none_recorded": "Ikke sendt: ingen påmindelse registreret (fx booket eller tilmeldt for sent)",
}
REPLIES = {
    "confirmed": "Bekræftet",
    "cannot_attend": "Kan ikke komme",
    "new_time": "Ønsker ny tid",
    "no_reply": "Intet svar",
    "awaiting_reply": "Intet svar endnu",
}
CONFIRMATIONS = {
    "confirmed": "Bekræftet",
    "cannot_attend": "Meldt afbud",
    "new_time": "Ønsker ny tid",
}
CHANNELS = {"sms": "sms", "chat": "chat"}


def _short(moment: datetime) -> str:
    return f"{to_local(moment).strftime('%d.%m.%Y')} kl. {format_time(moment)}"


def reminder_text(state: ReminderState) -> str:
    if state.state == "sent" and state.sent_at is not None:
        return f"Sendt {_short(state.sent_at)}"
    if state.state == "closure_alert" and state.sent_at is not None:
        return f"Besked om lukning sendt {_short(state.sent_at)}"
    if state.state == "sending":
        return "Sendes nu"
    if state.state == "pending":
        return "Ikke sendt endnu: sendes arbejdsdagen før samtalen"
    return NOT_SENT.get(state.reason or "", "Ikke sendt")


def _row(item: MeetingReminders) -> dict[str, str]:
    meeting, summary = item.meeting, item.summary
    place = meeting.location.name if meeting.location else ""
    form = FORMS.get(str(meeting.form), str(meeting.form))
    confirmation = "Ikke bekræftet"
    if item.confirmation is not None:
        c = item.confirmation
        word = CONFIRMATIONS.get(str(c.answer), str(c.answer))
        confirmation = f"{word} ({CHANNELS.get(c.channel, c.channel)}, {_short(c.answered_at)})"
    return {
        "when": _short(meeting.starts_at),
        "what": MEETING_TYPE_LABELS[meeting.meeting_type].capitalize(),
        "where": f"{place} ({form})" if place else form.capitalize(),
        "status": MEETING_STATUS[meeting.status],
        "reminder": reminder_text(summary),
        "reply": REPLIES.get(summary.reply or "", "–"),
        "confirmation": confirmation,
    }


@router.get("/borgere")
def caseload_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    entries = read_caseload(user.principal, session, request)
    citizens = [
        {
            "id": e.citizen_id,
            "name": e.name,
            "group": e.target_group_label,
            "next": _short(e.next_meeting_at) if e.next_meeting_at else "Ingen planlagt",
        }
        for e in entries
    ]
    return PAGES.render(request, "meetings/caseload.html", {"citizens": citizens}, user=user)


@router.get("/borgere/{citizen_id}/moeder")
def meetings_page(
    citizen_id: Annotated[str, Path(max_length=40)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    try:  # the JSON API's check: caseload (404 for another caseworker's citizen), audited
        citizen = get_readable_citizen(citizen_id, user.principal, session, request)
    except HTTPException:
        return PAGES.error_page(
            request,
            status.HTTP_404_NOT_FOUND,
            "Borgeren findes ikke",
            "Der er ingen borger med det id blandt dem, du har adgang til.",
            user=user,
        )
    now = now_utc()
    items = meeting_reminders(session, citizen, now, since=now - timedelta(days=RECENT_DAYS))
    upcoming = [_row(i) for i in items if i.meeting.starts_at > now]
    recent = [_row(i) for i in reversed(items) if i.meeting.starts_at <= now]
    opt_in = session.get(ReminderOptIn, citizen.id)
    if opt_in is not None and opt_in.opted_in:
        wish = f"Tilmeldt siden {to_local(opt_in.changed_at).strftime('%d.%m.%Y')}"
    elif opt_in is not None:
        wish = f"Afmeldt {to_local(opt_in.changed_at).strftime('%d.%m.%Y')}"
    else:
        wish = "Ikke tilmeldt"
    context = {
        "citizen": {"id": citizen.id, "name": citizen.name},
        "sms": [
            ("Påmindelser", wish),
            ("Telefonnummer", "Registreret" if citizen.phone else "Ikke registreret"),
            ("STOP", "Har skrevet STOP: får ingen sms" if citizen.sms_opt_out else "Nej"),
        ],
        "upcoming": upcoming,
        "recent": recent,
        "recent_days": RECENT_DAYS,
    }
    return PAGES.render(request, "meetings/meetings.html", context, user=user)
