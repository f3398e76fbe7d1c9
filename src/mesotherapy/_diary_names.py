"""The names a diary gives the practitioners and rooms of a plan booked in it.

Both exports of a booked plan name its practitioners and rooms (iCalendar's ``ATTENDEE``
and ``LOCATION``, FHIR's participants) and take the names from the diary the caller
passes, which must hold every one the plan's sessions name.
"""

from __future__ import annotations

from ._diary_rows import checked_diary
from ._errors import ClientError
from ._plan import TreatmentPlan

__all__ = ["booked_names"]


def booked_names(plan: TreatmentPlan, diary: object) -> dict[str, str]:
    """Each practitioner's and room's id in *diary*, with its name (``""`` without one).

    Empty without a diary; the rooms come after the practitioners.

    Raises:
        ClientError: *diary* is no `Diary`, or it lacks a practitioner or room of the plan.
    """
    if diary is None:
        return {}
    diary = checked_diary(diary)
    practitioners = {p.id: p.name for p in diary.practitioners}
    rooms = {r.id: r.name for r in diary.rooms}
    for session in plan.sessions:
        for field, value, ids in (
            ("practitioner", session.practitioner, practitioners),
            ("room", session.room, rooms),
        ):
            if value is not None and value not in ids:
                msg = (
                    f"sessions[{session.index - 1}].{field}: {value!r} is no {field} of the "
                    "diary, expected the diary the plan was booked in"
                )
                raise ClientError(msg)
    return practitioners | rooms
