"""The exports written as text give the very bytes of the generic writers (issue 14).

`to_json` writes a plan's windows and milestones from templates of their rules and the
rows of an unread `Aftercare`; `to_ics` writes its events as lines of text rather than
through ``icalendar``'s objects. Each is compared here, byte for byte, with the generic
writer it stands for, on generated plans of every zone and state (DST changes, cancelled,
missed and rescheduled sessions), booked in a diary with awkward names, and read back
from their JSON.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy._aftercare import aftercare
from mesotherapy._deferred import unbuilt_rows
from mesotherapy._export_rows import care_rows, milestone_rows
from mesotherapy._json import _document
from mesotherapy._timeline import expected_timeline
from tests.conftest import examples
from tests.integrations.extras import needs_fhir, needs_ical
from tests.plan_strategies import plans_in_any_state

_NAMES = st.sampled_from(
    [
        ("Dr. H.", "Room 1"),
        ('Dr "Élise" Ng, MD; \\ Nord', "Salle: 2, étage^1"),
        ("Dr. " + "Very Long Name " * 8, "R" * 90),
    ]
)
_CLINIC_NAMES = st.sampled_from(
    ["Example Clinic", "Clinique Élise, Montréal; \\Nord", "Lakeside " * 12]
)


def _booked(plan: meso.TreatmentPlan, names: tuple[str, str]) -> tuple[meso.TreatmentPlan, Any]:
    """*plan* with every session booked with one practitioner and room, and their diary."""
    diary = meso.Diary(
        clinic=plan.clinic,
        practitioners=[meso.Practitioner(id="dr-h", name=names[0], areas=list(meso.Area))],
        rooms=[meso.Room(id="room.1:b", name=names[1])],
    )
    sessions = tuple(attrs.evolve(s, practitioner="dr-h", room="room.1:b") for s in plan.sessions)
    return attrs.evolve(plan, sessions=sessions), diary


def _variants(plan: meso.TreatmentPlan, clinic_name: str) -> list[meso.TreatmentPlan]:
    renamed = attrs.evolve(plan, clinic=attrs.evolve(plan.clinic, name=clinic_name))
    return [plan, renamed, meso.from_json(meso.to_json(renamed), meso.TreatmentPlan)]


@settings(max_examples=examples(50), deadline=None)
@given(plans_in_any_state(max_operations=4), _CLINIC_NAMES, _NAMES)
def test_to_json_is_the_plan_document_written_out(
    plan: meso.TreatmentPlan, clinic_name: str, names: tuple[str, str]
) -> None:
    for version in [*_variants(plan, clinic_name), _booked(plan, names)[0]]:
        reference = json.dumps(_document(version, None), ensure_ascii=False, indent=2)
        assert meso.to_json(version) == reference
        assert meso.to_json(version) == reference  # the templates it kept give the same


@needs_ical
@settings(max_examples=examples(50), deadline=None)
@given(plans_in_any_state(max_operations=4), _CLINIC_NAMES, _NAMES)
def test_to_ics_is_the_calendar_object_written_out(
    plan: meso.TreatmentPlan, clinic_name: str, names: tuple[str, str]
) -> None:
    from mesotherapy.ical import _generic_ics, ical_calendar, to_ics  # noqa: PLC0415 - extra

    stamp = pendulum.datetime(2026, 1, 2, 3, 4, 5, tz="Asia/Kathmandu")
    for version in _variants(plan, clinic_name):
        reference = ical_calendar(version).to_ical().decode("utf-8")
        assert to_ics(version) == _generic_ics(version) == reference
        options: dict[str, Any] = {"stamp": stamp, "organizer": "mailto:desk@clinic.example"}
        assert to_ics(version, **options) == _generic_ics(version, **options)
    booked, diary = _booked(plan, names)
    for options in ({"diary": diary}, {"diary": diary, "organizer": "urn:x:a;b,c", "stamp": stamp}):
        assert to_ics(booked, **options) == _generic_ics(booked, **options)


@settings(max_examples=examples(50), deadline=None)
@given(plans_in_any_state(max_operations=4))
def test_the_rows_of_an_unread_aftercare_are_its_windows(plan: meso.TreatmentPlan) -> None:
    def written(rows: list[Any]) -> list[tuple[Any, ...]]:
        return [(*row[:5], row[5].isoformat(), row[6].isoformat()) for row in rows]

    care = aftercare(plan)
    unread = care_rows(care)
    windows = care.windows  # read: built now
    assert written(unread) == written(care_rows(care))
    assert [(w.session, w.activity, w.kind) for w in windows] == [row[:3] for row in unread]


@given(
    st.datetimes(
        min_value=dt.datetime(1970, 1, 2),  # noqa: DTZ001 - hypothesis's bounds are naive
        max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.sampled_from(["America/Toronto", "Australia/Lord_Howe", "Asia/Kathmandu"]).map(
            pendulum.timezone
        ),
    ),
    st.integers(min_value=-(10**7), max_value=10**9),
)
def test_an_appointments_minutes_are_pendulums(start: dt.datetime, microseconds: int) -> None:
    from mesotherapy._fhir_plan import _minutes  # noqa: PLC0415 - its one rule

    begin = pendulum.instance(start)
    end = begin.add(microseconds=microseconds).in_timezone(str(begin.timezone_name))
    assert _minutes(begin, end) == max(1, (end - begin).in_minutes())


@settings(max_examples=examples(50), deadline=None)
@given(plans_in_any_state(max_operations=4))
def test_the_rows_of_an_unread_timeline_are_its_milestones(plan: meso.TreatmentPlan) -> None:
    def written(rows: list[Any]) -> list[tuple[Any, ...]]:
        return [(*row[:4], row[4].isoformat(), row[5].isoformat(), *row[6:]) for row in rows]

    timeline = expected_timeline(plan)
    unread = milestone_rows(timeline)
    assert unbuilt_rows(timeline, "milestones") is unread  # the rows themselves, unbuilt
    milestones = timeline.milestones  # read: built now
    assert unbuilt_rows(timeline, "milestones") is None
    assert written(unread) == written(milestone_rows(timeline))
    assert [(m.code, m.kind, m.order, m.session) for m in milestones] == [
        (row[0], row[1], row[2], row[7]) for row in unread
    ]
    assert timeline == expected_timeline(plan)  # built either way, the same values


def _emptied(node: object) -> None:
    """Empty every dict and list of *node*, innermost first: what a caller may do to its own."""
    if isinstance(node, dict):
        for value in node.values():
            _emptied(value)
        node.clear()
    elif isinstance(node, list):
        for value in node:
            _emptied(value)
        node.clear()


@needs_fhir
@settings(max_examples=examples(30), deadline=None)
@given(plans_in_any_state(max_operations=3), _NAMES)
def test_to_fhir_of_a_booked_plan_is_the_dump_and_the_callers_own(
    plan: meso.TreatmentPlan, names: tuple[str, str]
) -> None:
    from mesotherapy.fhir import fhir_bundle, to_fhir  # noqa: PLC0415 - the extra

    booked, diary = _booked(plan, names)
    reference = json.dumps(fhir_bundle(booked, diary=diary).model_dump(mode="json"))
    first = to_fhir(booked, diary=diary)
    assert json.dumps(first) == reference
    _emptied(first)  # nothing to_fhir keeps may be in the bundle it gave
    assert json.dumps(to_fhir(booked, diary=diary)) == reference
    assert json.dumps(to_fhir(plan)) == json.dumps(fhir_bundle(plan).model_dump(mode="json"))


@settings(max_examples=examples(40), deadline=None)
@given(plans_in_any_state(max_operations=3), _NAMES, _CLINIC_NAMES, st.booleans())
def test_the_bundles_identifier_is_the_uuid5_of_its_whole_snapshot(
    plan: meso.TreatmentPlan, names: tuple[str, str], clinic_name: str, include: bool
) -> None:
    # The snapshot is written with the clinic's and protocol's texts kept: it must be the
    # canonical JSON of the whole, written here in one call, as it was before they were.
    # A clinic of few closures is written in one call too: both ways are taken here.
    from mesotherapy import fhir  # noqa: PLC0415

    booked, diary = _booked(_variants(plan, clinic_name)[1], names)
    kept_from = fhir.SPLICED_FROM
    try:
        for fhir.SPLICED_FROM in (kept_from, 0):
            _snapshots_are_whole(fhir, ((booked, diary), (plan, None)), include=include)
    finally:
        fhir.SPLICED_FROM = kept_from


def test_a_clinic_of_many_closures_gives_the_identifier_of_its_whole_snapshot() -> None:
    from mesotherapy import fhir  # noqa: PLC0415
    from mesotherapy._clinic_file import clinic_to_dict  # noqa: PLC0415
    from mesotherapy._fhir_base import canonical_json  # noqa: PLC0415

    day = pendulum.date(2030, 1, 7)
    closed = [
        meso.Closure(start=day.add(days=3 * n), end=day.add(days=3 * n), reason=f"works {n}")
        for n in range(300)
    ]
    clinic = attrs.evolve(meso.example_clinic(), closures=closed)
    assert len(canonical_json(clinic_to_dict(clinic))) >= fhir.SPLICED_FROM  # kept apart
    result = meso.assess(meso.Client(id="c-9", birth_date="1985-03-02"), ["face"], on="2026-10-01")
    plan = meso.plan_series(result, ["face"], clinic=clinic, start=clinic.at("2026-10-20", "09:00"))
    _snapshots_are_whole(fhir, ((plan, None),), include=True)


def _snapshots_are_whole(
    fhir: Any, plans: tuple[tuple[meso.TreatmentPlan, Any], ...], *, include: bool
) -> None:
    from mesotherapy._fhir_base import canonical_json, unkept_urn  # noqa: PLC0415
    from mesotherapy._json import plan_snapshot  # noqa: PLC0415

    for shown, staff in plans:
        known = fhir._staff(shown, staff)
        whole = {
            "plan": plan_snapshot(shown),
            "include_rules": include,
            "base": fhir.DEFAULT_BASE,
            "patient_system": None,
        } | ({"staff": known} if known else {})
        _, names_of, _, snapshot = fhir._plan_part(
            shown, None, include_rules=include, base_uri=None, patient_system=None, diary=staff
        )
        assert names_of.base == fhir.DEFAULT_BASE
        assert snapshot == canonical_json(whole)
        bundle_id = fhir._collection([], snapshot)["identifier"]["value"]
        assert bundle_id == unkept_urn(f"Bundle/{canonical_json(whole)}")


_SHAPES_OF: dict[object, object] = {}
"""The shape (the whole walk) each signature of a plan's resources was met with."""


@needs_fhir
@settings(max_examples=examples(60), deadline=None)
@given(plans_in_any_state(max_operations=4), _NAMES, st.booleans())
def test_a_resources_signature_sets_its_shape(
    plan: meso.TreatmentPlan, names: tuple[str, str], booked: bool
) -> None:
    # `as_dumped` finds an entry's learnt order by its signature once the walk has found
    # it for that signature: entries with one signature must have one shape.
    from mesotherapy._fhir_base import _shape, _signature  # noqa: PLC0415 - the rule
    from mesotherapy.fhir import _plan_part  # noqa: PLC0415

    diary = None
    if booked:
        plan, diary = _booked(plan, names)
    for anonymous in (plan, attrs.evolve(plan, client_id=None)):
        head = _plan_part(
            anonymous, None, include_rules=True, base_uri=None, patient_system=None, diary=diary
        )[0]
        for item in head:
            signature = _signature(item)
            if signature is not None:
                assert _SHAPES_OF.setdefault(signature, _shape(item)) == _shape(item)


def _plan_in(zone: str, client_id: str | None = "c-1") -> meso.TreatmentPlan:
    clinic = attrs.evolve(meso.example_clinic(holidays=None), timezone=zone)
    result = meso.assess(
        meso.Client(id=client_id, birth_date="1985-03-02"), ["face"], on="2027-01-11"
    )
    start = pendulum.datetime(2027, 1, 11, 9, tz=zone)
    return meso.plan_series(result, ["face"], start=start, clinic=clinic)


@needs_fhir
@pytest.mark.parametrize("zones", [("Europe/London", "America/Toronto"), ("UTC", "Asia/Kathmandu")])
def test_instants_in_utc_are_the_dumps_whichever_plan_taught_the_order(
    zones: tuple[str, str],
) -> None:
    # The builders write an instant at UTC with `Z` (the dump's form) and the order learnt
    # of a plan elsewhere changes no instant: both ways round, to_fhir is the dump.
    from mesotherapy import _fhir_base  # noqa: PLC0415 - its kept orders, cleared
    from mesotherapy.fhir import fhir_bundle, to_fhir  # noqa: PLC0415 - the extra

    for first, second in (zones, zones[::-1]):
        _fhir_base._orders.clear()  # learnt from the first plan alone
        _fhir_base._by_signature.clear()
        for zone in (first, second):
            plan = _plan_in(zone)
            dumped = fhir_bundle(plan).model_dump(mode="json")
            assert json.dumps(to_fhir(plan)) == json.dumps(dumped)
            assert json.dumps(to_fhir(plan)) == json.dumps(dumped)  # the learnt way too
        assert len(_fhir_base._by_signature) == 3  # the plan's three, kept
    utc = to_fhir(_plan_in("Europe/London"))["entry"][2]["resource"]
    assert utc["start"] == "2027-01-11T09:00:00Z"


@given(st.text())
def test_a_urn_is_uuid5s(name: str) -> None:
    import uuid  # noqa: PLC0415

    from mesotherapy._fhir_base import URN_NAMESPACE, urn  # noqa: PLC0415

    try:
        expected = f"urn:uuid:{uuid.uuid5(URN_NAMESPACE, name)}"
    except UnicodeEncodeError:  # a lone surrogate: neither takes it
        with pytest.raises(UnicodeEncodeError):
            urn(name)
        return
    assert urn(name) == expected


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=60))
def test_a_uid_is_the_uuid5_of_its_name(name: str) -> None:
    import uuid  # noqa: PLC0415

    from mesotherapy import ical  # noqa: PLC0415

    ical._uid.cache_clear()
    try:
        expected = str(uuid.uuid5(ical._UID_NAMESPACE, name))
    except UnicodeEncodeError:  # a lone surrogate: neither can encode it
        with pytest.raises(UnicodeEncodeError):
            ical._uid(name)
        return
    assert ical._uid(name) == expected


_CHANGES = [  # days the clocks change in _ZONES
    dt.date(2026, 3, 8),
    dt.date(2026, 11, 1),
    dt.date(2026, 3, 29),
    dt.date(2026, 10, 25),
    dt.date(2026, 4, 5),
    dt.date(2026, 10, 4),
]
_ZONE_KEYS = ["America/Toronto", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@needs_ical
def test_a_sessions_time_line_is_its_wall_time_in_the_zone() -> None:
    """`_when_text` (its shortcut for a time given in the zone) is `_wall` written out.

    A table: every quarter hour of the nights the clocks change in five zones (a repeated
    hour, a skipped one, Lord Howe's half hour), and of ordinary days, either pass, given
    in every zone, as a pendulum or a standard-library datetime.
    """
    import zoneinfo  # noqa: PLC0415

    from mesotherapy._ical_events import _wall  # noqa: PLC0415
    from mesotherapy._ical_text import _utc_text, _when_text, _zone_form  # noqa: PLC0415

    days = [*_CHANGES, dt.date(2026, 1, 15), dt.date(2026, 7, 15)]
    walls = [
        dt.datetime.combine(day, dt.time(0)) + dt.timedelta(minutes=15 * n, seconds=7)
        for day in days
        for n in range(20)
    ]
    zones = [zoneinfo.ZoneInfo(key) for key in _ZONE_KEYS]
    checked = set()
    for wall, given_in, zone, fold, as_pendulum in itertools.product(
        walls, zones, zones, (0, 1), (False, True)
    ):
        moment = wall.replace(tzinfo=given_in, fold=fold)
        if as_pendulum:
            moment = pendulum.instance(moment)
        expected = _wall(moment, zone)
        if expected.tzinfo is dt.UTC:
            text, tzid = f"DTSTART:{_utc_text(expected)}\r\n", None
        else:
            prefix, suffix, tzid = _zone_form("DTSTART", zone.key)
            text = f"{prefix}{expected:%Y%m%dT%H%M%S}{suffix}\r\n"
        assert _when_text("DTSTART", moment, zone) == (text, tzid), (moment, zone)
        checked.add(tzid is None)
    assert checked == {True, False}  # both forms were met


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(
        st.datetimes(
            min_value=dt.datetime(1000, 1, 1),  # noqa: DTZ001 - hypothesis's bounds are naive
            timezones=st.just(dt.UTC),
        ),
        max_size=4,
    ),
    st.lists(st.sampled_from(list(meso.Area)), min_size=1, max_size=3),
)
def test_pre_care_lines_are_pendulums_format(
    starts: list[dt.datetime], areas: list[meso.Area]
) -> None:
    """A description's instants are ``format("YYYY-MM-DD HH:mm")``, its areas `area_names`."""
    from mesotherapy._html import area_names as joined  # noqa: PLC0415
    from mesotherapy._ical_events import area_names, precare_text  # noqa: PLC0415

    text = precare_text([], [(start, "x") for start in starts], "UTC")
    expected = [f"- from {pendulum.instance(s).format('YYYY-MM-DD HH:mm')}: x" for s in starts]
    assert text.split("\n")[1:] == expected
    assert area_names(tuple(areas)) == area_names(tuple(areas)) == joined(areas)
    assert area_names(areas) == joined(areas)


_AWKWARD_TEXT = st.text(alphabet=st.sampled_from("aN \\;,\r\n^é:-"), max_size=40)
_INSTANTS = st.lists(
    st.datetimes(
        min_value=dt.datetime(1, 1, 1),  # noqa: DTZ001 - hypothesis's bounds are naive
        timezones=st.just(dt.UTC),
    ),
    min_size=1,
    max_size=3,
)


@needs_ical
@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(_AWKWARD_TEXT | st.text(max_size=90), max_size=4),
    _INSTANTS,
    st.lists(st.tuples(st.integers(0, 2), _AWKWARD_TEXT | st.text(max_size=90)), max_size=6),
    st.sampled_from(["UTC", "America/Toronto", "Zone\r", "a\\"]),
)
def test_a_description_from_kept_parts_is_the_whole_escaped(
    lines: list[str],
    instants: list[dt.datetime],
    windows: list[tuple[int, str]],
    zone: str,
) -> None:
    r"""`_description_line` (kept escaped parts, instants filled in) is `_line` of the whole.

    Texts of escapes and their halves (``\r``, ``\n``, ``\``, ``N``), long or not ASCII;
    instants shared by several windows (the same object) or not; and parts ending with
    ``\r``, which take the fallback.
    """
    from mesotherapy._ical_events import precare_text  # noqa: PLC0415
    from mesotherapy._ical_text import _description_line, _escaped, folded  # noqa: PLC0415

    precare = [(instants[n % len(instants)], text) for n, text in windows]
    expected = folded("DESCRIPTION:" + _escaped(precare_text(list(lines), precare, zone)))
    assert _description_line(list(lines), precare, zone) == expected + "\r\n"


@needs_ical
def test_a_part_ending_with_cr_is_escaped_with_what_follows() -> None:
    r"""A part ending with ``\r`` joins the ``\n`` after it into one ``\n``: the fallback."""
    from mesotherapy._ical_text import _description_line, _escaped  # noqa: PLC0415

    moment = dt.datetime(2026, 3, 8, 9, 30, tzinfo=dt.UTC)
    for lines, text in [(["Areas: face\r"], "x"), (["Areas: face"], "No sun\r")]:
        precare = [(moment, text), (moment, "y")]
        joined = "".join(_escaped(part) for part in [lines[0], "\n", "Before"])
        assert joined != _escaped(lines[0] + "\nBefore") or text.endswith("\r")
        line = _description_line(list(lines), precare, "UTC").replace("\r\n ", "")
        assert r"\n\n" not in line  # parts escaped one by one would give two
        assert line.endswith(r"\n- from 2026-03-08 09:30: y" + "\r\n")


@settings(max_examples=examples(60), deadline=None)
@given(plans_in_any_state(max_operations=4))
def test_a_sessions_place_is_the_same_found_once_an_export(plan: meso.TreatmentPlan) -> None:
    """`_summary` given `active_places` names the place `_summary` finds by itself."""
    from mesotherapy._ical_events import _summary, active_places  # noqa: PLC0415

    active = plan.active_sessions
    places = active_places(active)
    assert [_summary(s, active, places) for s in plan.sessions] == [
        _summary(s, active) for s in plan.sessions
    ]
