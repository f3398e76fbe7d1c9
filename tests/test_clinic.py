"""The clinic calendar: hours, closures, holidays, slots across DST, and clinic files."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mesotherapy import InvalidTimeError, MesotherapyError, RuleSetError, UnknownCodeError
from mesotherapy._clinic import (
    WEEKDAYS,
    Clinic,
    Closure,
    Interval,
    OpeningHours,
    example_clinic,
)
from mesotherapy._clinic_file import clinic_from_dict, clinic_to_dict, load_clinic
from tests.builders import TORONTO

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"
LUNCH_BREAK = [("09:00", "12:00"), ("13:00", "18:00")]

# A clinic file that is valid; each bad-file test changes one line of it.
VALID = """\
name = "Lakeside"
timezone = "America/Toronto"
holidays = "CA-ON"
slot_minutes = 15
[hours]
monday = [["09:00", "12:00"], ["13:00", "18:00"]]
"""


def day(text: str) -> pendulum.Date:
    return pendulum.Date.fromisoformat(text)


def local(clinic: Clinic, date: str, time: str) -> pendulum.DateTime:
    return clinic.at(day(date), time)


def clock(slot: pendulum.DateTime) -> str:
    return slot.format("HH:mm")


def around_the_clock(timezone: str, slot_minutes: int = 15) -> Clinic:
    """A clinic open all day every day, so that the night's DST changes fall in its hours."""
    return Clinic(
        name="Night and day",
        timezone=timezone,
        hours={weekday: [("00:00", "23:59")] for weekday in WEEKDAYS},
        slot_minutes=slot_minutes,
    )


def lunch_break_clinic(**changes: object) -> Clinic:
    fields: dict[str, object] = {
        "name": "Lakeside",
        "timezone": TORONTO,
        "hours": dict.fromkeys(WEEKDAYS[:5], LUNCH_BREAK),
    }
    return Clinic(**(fields | changes))  # type: ignore[arg-type]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clinic.toml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_well_formed(clinic: Clinic, slots: list[pendulum.DateTime], minutes: int) -> None:
    """Aware, in the clinic's zone, in order, each a local time that happens exactly once."""
    assert slots == sorted(set(slots))
    for slot in slots:
        assert slot.tzinfo is not None
        assert slot.timezone_name == clinic.timezone
        assert slot.utcoffset() == clinic.zone.utcoffset(slot.naive())
        # Rebuilding the wall-clock time refuses gaps and repeated hours: it must succeed.
        rebuilt = pendulum.datetime(
            slot.year,
            slot.month,
            slot.day,
            slot.hour,
            slot.minute,
            tz=clinic.zone,
            raise_on_unknown_times=True,
        )
        assert rebuilt == slot
        assert (slot.hour * 60 + slot.minute) % clinic.slot_minutes == 0
        assert clinic.fits(slot, minutes)


# --- The example clinic ----------------------------------------------------------------------


def test_example_clinic_hours() -> None:
    clinic = example_clinic()
    assert clinic.name == "Example Clinic"
    assert clinic.timezone == TORONTO
    assert clinic.zone.name == TORONTO
    assert clinic.holidays == "CA-ON"
    assert clinic.holiday_categories == ("public",)
    assert clinic.slot_minutes == 15
    for weekday in WEEKDAYS[:5]:
        assert [str(interval) for interval in clinic.hours.weekday(weekday)] == ["09:00-18:00"]
    assert [str(interval) for interval in clinic.hours.saturday] == ["10:00-16:00"]
    assert clinic.hours.sunday == ()


def test_example_clinic_slots_on_a_weekday_and_a_saturday() -> None:
    clinic = example_clinic()
    monday = list(clinic.slots(day("2026-11-02"), 60))
    assert [clock(monday[0]), clock(monday[-1]), len(monday)] == ["09:00", "17:00", 33]
    saturday = list(clinic.slots(day("2026-11-07"), 60))
    assert [clock(saturday[0]), clock(saturday[-1])] == ["10:00", "15:00"]
    assert list(clinic.slots(day("2026-11-08"), 60)) == []
    assert clinic.closed_reason(day("2026-11-08")) == "closed on sundays"
    assert clinic.closed_reason(day("2026-11-02")) is None


def test_example_clinic_options() -> None:
    clinic = example_clinic(holidays=None, timezone="Europe/Paris")
    assert (clinic.holidays, clinic.timezone) == (None, "Europe/Paris")
    assert clinic.closed_reason(day("2026-12-25")) is None
    assert local(clinic, "2026-12-25", "09:00").isoformat() == "2026-12-25T09:00:00+01:00"


def test_clinics_are_values() -> None:
    assert example_clinic() == example_clinic()
    assert hash(example_clinic()) == hash(example_clinic())
    assert example_clinic() != example_clinic(holidays="CA-QC")


# --- Opening hours -----------------------------------------------------------------------


def test_a_lunch_break() -> None:
    clinic = lunch_break_clinic()
    monday = day("2026-11-02")
    slots = [clock(slot) for slot in clinic.slots(monday, 60)]
    assert slots[:9] == [
        f"{hour}:{minute}" for hour in ("09", "10") for minute in ("00", "15", "30", "45")
    ] + ["11:00"]
    assert slots[9] == "13:00"
    assert slots[-1] == "17:00"
    assert not any("11:15" <= slot < "13:00" for slot in slots)
    assert clinic.fits(local(clinic, "2026-11-02", "11:00"), 60)
    assert not clinic.fits(local(clinic, "2026-11-02", "11:30"), 60)  # runs into lunch
    assert not clinic.fits(local(clinic, "2026-11-02", "12:15"), 15)  # during lunch
    assert [str(interval) for interval in clinic.hours_on(monday)] == ["09:00-12:00", "13:00-18:00"]


def test_intervals_accept_times_and_text_and_unpack() -> None:
    interval = Interval(start=dt.time(9, 30), end="12:00")
    start, end = interval
    assert (start, end) == (pendulum.time(9, 30), pendulum.time(12))
    assert (interval.start_minute, interval.end_minute, interval.minutes) == (570, 720, 150)
    hours = OpeningHours(tuesday=[interval, (dt.time(13), "18:00")])
    assert [str(i) for i in hours.on(day("2026-11-03"))] == ["09:30-12:00", "13:00-18:00"]
    assert list(dict(hours.items())) == list(WEEKDAYS)


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        ([("12:00", "09:00")], "monday[0]: expected the end after the start, got 12:00-09:00"),
        ([("09:00", "09:00")], "monday[0]: expected the end after the start"),
        ([("09:00", "12:00"), ("11:00", "18:00")], "monday[1]: 11:00-18:00 overlaps 09:00-12:00"),
        ([("13:00", "18:00"), ("09:00", "12:00")], "monday[1]: 09:00-12:00 comes before 13:00"),
        ([("09:00", "12:00"), ("12:00", "18:00")], "expected them joined as 09:00-18:00"),
        (["09:00-12:00"], "monday[0]: expected a [start, end] pair"),
        ("09:00-12:00", "monday: expected a list of [start, end] pairs"),
        ([(9, 12)], "monday[0].start: expected a time of day as HH:MM"),
    ],
)
def test_bad_intervals_are_refused(intervals: object, expected: str) -> None:
    with pytest.raises(RuleSetError) as info:
        OpeningHours(monday=intervals)  # type: ignore[arg-type]
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25:00", "start: expected a time of day as HH:MM, from 00:00 to 23:59, got '25:00'"),
        ("9:00", "got '9:00'"),
        ("09:60", "got '09:60'"),
        ("09:00:30", "start: expected a whole minute (HH:MM), got '09:00:30'"),
        (dt.time(9, 0, tzinfo=dt.UTC), "expected a local time of day without a zone"),
        (dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC), "got a date and time"),
    ],
)
def test_bad_times_are_refused(value: object, expected: str) -> None:
    with pytest.raises(InvalidTimeError) as info:
        Interval(start=value, end="18:00")  # type: ignore[arg-type]
    assert expected in str(info.value)


def test_interval_end_before_start_names_the_end() -> None:
    with pytest.raises(RuleSetError, match=r"^end: expected the end after the start"):
        Interval(start="12:00", end="09:00")


def test_unknown_weekday() -> None:
    with pytest.raises(UnknownCodeError, match=r"hours\.funday: unknown weekday 'funday'"):
        lunch_break_clinic(hours={"funday": LUNCH_BREAK})
    with pytest.raises(UnknownCodeError, match="unknown weekday 'caturday'"):
        example_clinic().hours.weekday("caturday")


# --- Closures ------------------------------------------------------------------------------


def test_closures_one_day_and_an_inclusive_range() -> None:
    clinic = lunch_break_clinic(
        closures=[
            Closure(start="2026-12-24", end="2027-01-02", reason="Winter break"),
            Closure(start=dt.date(2026, 10, 16)),
        ]
    )
    assert [str(closure) for closure in clinic.closures] == [
        "2026-10-16",
        "2026-12-24 to 2027-01-02 (Winter break)",
    ]
    assert clinic.closed_reason(day("2026-10-16")) == "closure"
    assert clinic.closed_reason(day("2026-10-15")) is None
    assert clinic.closed_reason(day("2026-12-23")) is None
    assert clinic.closed_reason(day("2026-12-24")) == "closure: Winter break"
    assert clinic.closed_reason(day("2027-01-01")) == "closure: Winter break"
    assert clinic.closed_reason(day("2027-01-02")) == "closure: Winter break"  # a Saturday
    assert clinic.closed_reason(day("2027-01-04")) is None
    assert list(clinic.slots(day("2026-12-28"), 30)) == []
    assert clinic.hours_on(day("2026-12-28")) == ()
    assert not clinic.fits(local(clinic, "2026-12-28", "09:00"), 30)


def test_a_closure_comes_before_a_holiday() -> None:
    clinic = Clinic(
        name="Lakeside",
        timezone=TORONTO,
        hours=example_clinic().hours,
        holidays="CA-ON",
        closures=[Closure(start="2026-12-21", end="2026-12-31", reason="Winter break")],
    )
    assert clinic.closed_reason(day("2026-12-25")) == "closure: Winter break"
    assert clinic.holiday(day("2026-12-25")) == "Christmas Day"


def test_closures_accept_mappings_and_are_sorted() -> None:
    clinic = lunch_break_clinic(
        closures=[{"start": "2027-03-01", "reason": "Renovation"}, {"start": "2026-11-11"}]
    )
    assert [closure.start for closure in clinic.closures] == [day("2026-11-11"), day("2027-03-01")]
    assert clinic.closures[1].end == day("2027-03-01")
    assert clinic.closures[1].covers(day("2027-03-01"))
    assert not clinic.closures[1].covers(dt.date(2027, 3, 2))


def test_bad_closures() -> None:
    with pytest.raises(RuleSetError, match=r"^end: expected a date on or after the start"):
        Closure(start="2026-12-24", end="2026-12-20")
    with pytest.raises(InvalidTimeError, match=r"^start: expected a date as YYYY-MM-DD"):
        Closure(start="2026-02-30")
    with pytest.raises(InvalidTimeError, match="expected a date"):
        Closure(start=pendulum.datetime(2026, 12, 24))
    with pytest.raises(RuleSetError, match=r"^reason: expected non-empty text"):
        Closure(start="2026-12-24", reason=" ")


# --- Holidays ------------------------------------------------------------------------------


def test_ontario_public_holidays_close_the_example_clinic() -> None:
    clinic = example_clinic()
    assert clinic.closed_reason(day("2026-12-25")) == "holiday: Christmas Day"
    assert clinic.closed_reason(day("2027-07-01")) == "holiday: Canada Day"
    assert clinic.closed_reason(day("2026-12-28")) == "holiday: Boxing Day (observed)"
    assert list(clinic.slots(day("2026-12-25"), 30)) == []
    assert not clinic.fits(local(clinic, "2027-07-01", "10:00"), 30)


def test_the_civic_holiday_is_optional() -> None:
    civic_holiday = day("2026-08-03")
    assert example_clinic().closed_reason(civic_holiday) is None
    assert list(example_clinic().slots(civic_holiday, 30))
    closing = lunch_break_clinic(holidays="CA-ON", holiday_categories=["optional", "public"])
    assert closing.holiday_categories == ("optional", "public")
    assert closing.closed_reason(civic_holiday) == "holiday: Civic Holiday"


def test_no_holidays_without_a_code() -> None:
    clinic = example_clinic(holidays=None)
    assert clinic.holiday(day("2026-12-25")) is None
    assert clinic.closed_reason(day("2026-12-25")) is None


def test_another_province_has_other_holidays() -> None:
    quebec = example_clinic(holidays="CA-QC")
    assert quebec.closed_reason(day("2026-06-24")) is not None  # Fête nationale
    assert example_clinic().closed_reason(day("2026-06-24")) is None
    canada = example_clinic(holidays="CA")  # the federal holidays alone
    assert canada.closed_reason(day("2027-07-01")) == "holiday: Canada Day"
    assert canada.closed_reason(day("2026-02-16")) is None  # Ontario's Family Day


@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        ({"holidays": "XX"}, "holidays", "'XX'"),
        ({"holidays": "CA-ZZ"}, "holidays", "'ZZ'"),
        ({"holidays": "Canada"}, "holidays", "'Canada'"),
        ({"holidays": "CA-ON", "holiday_categories": ["bank"]}, "holiday_categories", "'bank'"),
    ],
)
def test_unknown_holiday_codes(changes: dict[str, object], field: str, value: str) -> None:
    with pytest.raises(UnknownCodeError) as info:
        lunch_break_clinic(**changes)
    assert str(info.value).startswith(f"{field}: unknown")
    assert value in str(info.value)
    assert isinstance(info.value, LookupError)


def test_holidays_are_imported_only_when_a_clinic_asks_for_them() -> None:
    script = (
        "import sys, pendulum\n"
        "from mesotherapy._clinic import example_clinic\n"
        "clinic = example_clinic(holidays=None)\n"
        "assert list(clinic.slots(pendulum.date(2026, 12, 25), 30))\n"
        "assert 'holidays' not in sys.modules, 'imported too early'\n"
        "assert example_clinic().closed_reason(pendulum.date(2026, 12, 25))\n"
        "assert 'holidays' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


# --- fits() ----------------------------------------------------------------------------------


def test_fits_at_the_edges_of_the_day() -> None:
    clinic = example_clinic()
    monday = "2026-11-02"
    assert clinic.fits(local(clinic, monday, "17:15"), 45)  # ends at 18:00, the close
    assert not clinic.fits(local(clinic, monday, "17:30"), 45)  # would end at 18:15
    assert clinic.fits(local(clinic, monday, "09:00"), 45)
    assert not clinic.fits(local(clinic, monday, "08:45"), 45)  # before opening
    assert not clinic.fits(local(clinic, monday, "18:00"), 15)  # at the close
    assert not clinic.fits(local(clinic, monday, "17:20"), 15)  # not on a slot
    assert not clinic.fits(local(clinic, monday, "09:00").add(seconds=30), 15)
    assert not clinic.fits(local(clinic, monday, "09:00"), 24 * 60)


def test_fits_reads_any_aware_instant_in_the_clinic_zone() -> None:
    clinic = example_clinic()
    utc = pendulum.datetime(2026, 11, 2, 22, 15, tz="UTC")  # 17:15 in Toronto
    assert clinic.fits(utc, 45)
    stdlib = dt.datetime(2026, 11, 2, 17, 15, tzinfo=zoneinfo.ZoneInfo(TORONTO))
    assert clinic.fits(stdlib, 45)
    assert not clinic.fits(pendulum.datetime(2026, 11, 2, 9, tz="Europe/Paris"), 45)  # 03:00


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (pendulum.naive(2026, 11, 2, 9), 45, "start: expected a time-zone-aware date and time"),
        ("2026-11-02T09:00", 45, "start: expected a time-zone-aware date and time"),
        (pendulum.datetime(2026, 11, 2, 9, tz=TORONTO), 0, "minutes: expected a whole number"),
        (pendulum.datetime(2026, 11, 2, 9, tz=TORONTO), True, "minutes: expected a whole number"),
        (
            dt.datetime(2026, 3, 8, 2, 30, tzinfo=zoneinfo.ZoneInfo(TORONTO)),
            45,
            "start: 2026-03-08T02:30:00 does not exist in America/Toronto",
        ),
    ],
)
def test_fits_refuses_bad_arguments(start: object, minutes: object, expected: str) -> None:
    with pytest.raises(InvalidTimeError) as info:
        example_clinic().fits(start, minutes)  # type: ignore[arg-type]
    assert expected in str(info.value)


def test_slots_checks_its_arguments_when_called() -> None:
    clinic = example_clinic()
    with pytest.raises(InvalidTimeError, match="minutes"):
        clinic.slots(day("2026-11-02"), -15)
    with pytest.raises(InvalidTimeError, match="day: expected a date"):
        clinic.slots(pendulum.datetime(2026, 11, 2), 15)
    assert next(clinic.slots("2026-11-02", 15)) == local(clinic, "2026-11-02", "09:00")  # type: ignore[arg-type]


def test_slot_alignment_follows_the_minute_of_the_day() -> None:
    clinic = lunch_break_clinic(hours={"monday": [("09:10", "11:00")]}, slot_minutes=20)
    assert [clock(slot) for slot in clinic.slots(day("2026-11-02"), 40)] == [
        "09:20",
        "09:40",
        "10:00",
        "10:20",
    ]


# --- Daylight saving time --------------------------------------------------------------------


def test_slots_skip_the_spring_forward_gap_in_toronto() -> None:
    clinic = around_the_clock(TORONTO)
    spring = day("2026-03-08")
    slots = list(clinic.slots(spring, 60))
    assert_well_formed(clinic, slots, 60)
    times = [clock(slot) for slot in slots]
    assert not any(time.startswith("02:") for time in times)
    assert times[7:9] == ["01:45", "03:00"]
    assert {slot.utcoffset() for slot in slots[:8]} == {dt.timedelta(hours=-5)}
    assert {slot.utcoffset() for slot in slots[8:]} == {dt.timedelta(hours=-4)}
    # A session across the change lasts its real minutes: 01:45 EST + 60 min is 03:45 EDT.
    assert slots[7].add(minutes=60).format("HH:mm Z") == "03:45 -04:00"
    assert len(slots) == 96 - 4 - 4  # no 02:xx; none that would run past 23:59


def test_slots_skip_the_repeated_autumn_hour_in_toronto() -> None:
    clinic = around_the_clock(TORONTO)
    autumn = day("2026-11-01")
    slots = list(clinic.slots(autumn, 60))
    assert_well_formed(clinic, slots, 60)
    times = [clock(slot) for slot in slots]
    assert not any(time.startswith("01:") for time in times)
    assert times[3:5] == ["00:45", "02:00"]
    # The repeated hour is no slot either way, however the instant is given.
    first = pendulum.datetime(2026, 11, 1, 5, 30, tz="UTC")  # 01:30 EDT
    second = pendulum.datetime(2026, 11, 1, 6, 30, tz="UTC")  # 01:30 EST
    assert not clinic.fits(first, 15)
    assert not clinic.fits(second, 15)


def test_the_example_clinic_on_dst_sundays_and_the_weekdays_after() -> None:
    clinic = example_clinic()
    assert list(clinic.slots(day("2026-03-08"), 60)) == []
    assert list(clinic.slots(day("2026-11-01"), 60)) == []
    for date in ("2026-03-09", "2026-11-02"):
        slots = list(clinic.slots(day(date), 60))
        assert_well_formed(clinic, slots, 60)
        assert [clock(slots[0]), clock(slots[-1])] == ["09:00", "17:00"]


def test_lord_howe_shifts_half_an_hour() -> None:
    clinic = around_the_clock("Australia/Lord_Howe")
    spring = list(clinic.slots(day("2026-10-04"), 30))  # 02:00 jumps to 02:30
    assert_well_formed(clinic, spring, 30)
    times = [clock(slot) for slot in spring]
    assert "02:00" not in times
    assert "02:15" not in times
    assert times[7:9] == ["01:45", "02:30"]
    assert spring[0].utcoffset() == dt.timedelta(hours=10, minutes=30)
    assert spring[-1].utcoffset() == dt.timedelta(hours=11)
    autumn = list(clinic.slots(day("2026-04-05"), 30))  # 02:00 goes back to 01:30
    assert_well_formed(clinic, autumn, 30)
    times = [clock(slot) for slot in autumn]
    assert "01:30" not in times
    assert "01:45" not in times
    assert times[5:7] == ["01:15", "02:00"]


def test_a_session_across_a_change_must_stay_inside_the_hours_on_the_wall_clock() -> None:
    spring = lunch_break_clinic(hours={"sunday": [("01:00", "03:30")]})
    start = local(spring, "2026-03-08", "01:45")
    assert not spring.fits(start, 60)  # 01:45 EST + 60 min is 03:45 EDT, after 03:30
    assert spring.fits(start, 45)  # ends 03:30 EDT
    slots = [clock(slot) for slot in spring.slots(day("2026-03-08"), 30)]
    assert slots == ["01:00", "01:15", "01:30", "01:45", "03:00"]  # 01:45 ends 03:15 EDT
    autumn = lunch_break_clinic(hours={"sunday": [("00:00", "01:45")]})
    start = local(autumn, "2026-11-01", "00:45")
    # 75 minutes end at 01:00 EST, inside the hours, but the wall clock reads 01:59 EDT first.
    assert not autumn.fits(start, 75)
    assert autumn.fits(start, 60)


def test_kathmandu_keeps_its_quarter_hour_offset() -> None:
    clinic = example_clinic(holidays=None, timezone="Asia/Kathmandu")
    slots = list(clinic.slots(day("2026-11-02"), 45))
    assert_well_formed(clinic, slots, 45)
    assert {slot.utcoffset() for slot in slots} == {dt.timedelta(hours=5, minutes=45)}
    assert clock(slots[0]) == "09:00"
    assert slots[0].in_timezone("UTC").format("HH:mm") == "03:15"
    assert clinic.fits(pendulum.datetime(2026, 11, 2, 11, 30, tz="UTC"), 45)  # 17:15 local
    assert not clinic.fits(pendulum.datetime(2026, 11, 2, 11, 45, tz="UTC"), 45)  # 17:30


ZONES = ["America/Toronto", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Santiago"]


@given(
    zone=st.sampled_from(ZONES),
    date=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)),
    minutes=st.sampled_from([15, 30, 45, 60, 90]),
    slot_minutes=st.sampled_from([15, 30]),
)
@example(zone="America/Toronto", date=dt.date(2026, 3, 8), minutes=60, slot_minutes=15)
@example(zone="America/Toronto", date=dt.date(2026, 11, 1), minutes=90, slot_minutes=15)
@example(zone="Australia/Lord_Howe", date=dt.date(2026, 10, 4), minutes=45, slot_minutes=15)
@example(zone="Australia/Lord_Howe", date=dt.date(2026, 4, 5), minutes=60, slot_minutes=30)
@example(zone="America/Santiago", date=dt.date(2026, 9, 6), minutes=30, slot_minutes=15)
@example(zone="America/Santiago", date=dt.date(2026, 4, 4), minutes=90, slot_minutes=30)
def test_slots_are_exactly_the_starts_that_fit(
    zone: str, date: dt.date, minutes: int, slot_minutes: int
) -> None:
    # The examples are the DST changes of the year in each zone (America/Santiago changes at
    # midnight); random dates check the ordinary days.
    clinic = around_the_clock(zone, slot_minutes)
    slots = list(clinic.slots(date, minutes))
    assert_well_formed(clinic, slots, minutes)
    for start in aligned_instants(clinic, date):
        assert clinic.fits(start, minutes) == (start in slots)


def aligned_instants(clinic: Clinic, date: dt.date) -> Iterator[pendulum.DateTime]:
    """Every instant of *date* whose local time is on a slot, each repeated hour twice."""
    for minute in range(0, 24 * 60, clinic.slot_minutes):
        for fold in (0, 1):
            zone = zoneinfo.ZoneInfo(clinic.timezone)
            instant = dt.datetime.combine(date, dt.time(minute // 60, minute % 60), zone)
            instant = instant.replace(fold=fold)
            utc = instant.astimezone(dt.UTC)
            if utc.astimezone(zone).replace(fold=0) == instant.replace(fold=0):  # not in a gap
                yield pendulum.instance(utc).in_timezone(clinic.zone)


# --- at() ----------------------------------------------------------------------------------


def test_at_builds_an_aware_local_time() -> None:
    clinic = example_clinic()
    start = clinic.at(day("2026-11-02"), dt.time(9, 30))
    assert start.isoformat() == "2026-11-02T09:30:00-05:00"
    assert start.timezone_name == TORONTO
    assert clinic.at("2026-07-02", "09:30:15").isoformat() == "2026-07-02T09:30:15-04:00"


def test_at_refuses_the_spring_forward_gap() -> None:
    with pytest.raises(InvalidTimeError) as info:
        example_clinic().at(day("2026-03-08"), "02:30")
    message = str(info.value)
    assert message.startswith("local_time: 2026-03-08 02:30 does not exist in America/Toronto")
    assert "DST gap" in message
    with pytest.raises(InvalidTimeError, match="DST gap"):
        around_the_clock("Australia/Lord_Howe").at(day("2026-10-04"), "02:15")


def test_at_refuses_the_repeated_autumn_hour() -> None:
    with pytest.raises(InvalidTimeError) as info:
        example_clinic().at(day("2026-11-01"), "01:30")
    message = str(info.value)
    assert message.startswith("local_time: 2026-11-01 01:30 happens twice in America/Toronto")
    assert "repeated hour" in message
    with pytest.raises(InvalidTimeError, match="repeated hour"):
        around_the_clock("Australia/Lord_Howe").at(day("2026-04-05"), "01:45")


@pytest.mark.parametrize(
    ("date", "time", "expected"),
    [
        ("2026-11-02", "25:00", "local_time: expected a time of day"),
        ("2026-11-02", 930, "local_time: expected a time of day"),
        ("2026-11-31", "09:00", "day: expected a date"),
        (pendulum.datetime(2026, 11, 2), "09:00", "day: expected a date"),
    ],
)
def test_at_refuses_what_it_cannot_read(date: object, time: object, expected: str) -> None:
    with pytest.raises(InvalidTimeError, match=expected):
        example_clinic().at(date, time)  # type: ignore[arg-type]


# --- Building a clinic in code ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error", "expected"),
    [
        ({"timezone": "Mars/Olympus"}, InvalidTimeError, "timezone: unknown IANA time zone"),
        ({"timezone": "America"}, InvalidTimeError, "'America'"),
        ({"timezone": ""}, InvalidTimeError, "timezone: unknown IANA time zone ''"),
        ({"timezone": 5}, RuleSetError, "timezone: expected an IANA time zone name"),
        ({"slot_minutes": 0}, RuleSetError, "slot_minutes: expected a whole number of minutes"),
        ({"slot_minutes": 15.0}, RuleSetError, "slot_minutes: expected a whole number"),
        ({"name": ""}, RuleSetError, "name: expected non-empty text"),
        ({"hours": [("09:00", "18:00")]}, RuleSetError, "hours: expected a table of weekdays"),
        ({"closures": [42]}, RuleSetError, "closures[0]: expected a table"),
        ({"holiday_categories": "public"}, RuleSetError, "holiday_categories: expected a list"),
        ({"holiday_categories": []}, RuleSetError, "expected at least one category"),
        ({"holidays": 1}, RuleSetError, "holidays: expected a country code"),
    ],
)
def test_bad_clinics_are_refused(
    changes: dict[str, object], error: type[MesotherapyError], expected: str
) -> None:
    with pytest.raises(error) as info:
        lunch_break_clinic(**changes)
    assert expected in str(info.value)
    assert isinstance(info.value, ValueError | LookupError)


# --- Clinic files --------------------------------------------------------------------------


def test_the_example_file() -> None:
    clinic = load_clinic(EXAMPLES / "clinic.toml")
    assert (clinic.name, clinic.timezone, clinic.holidays) == ("Example Clinic", TORONTO, "CA-ON")
    assert [str(interval) for interval in clinic.hours.monday] == ["09:00-12:00", "13:00-18:00"]
    assert clinic.hours.sunday == ()
    assert clinic.closed_reason(day("2026-12-31")) == "closure: Winter break"
    assert clinic.closed_reason(day("2026-10-16")) == "closure: Staff training"
    assert clinic.closed_reason(day("2026-12-25")) == "closure: Winter break"
    assert clinic.closed_reason(day("2027-07-01")) == "holiday: Canada Day"
    assert clinic.fits(local(clinic, "2026-11-02", "11:15"), 45)
    assert not clinic.fits(local(clinic, "2026-11-02", "11:30"), 45)


def test_a_file_round_trips(tmp_path: Path) -> None:
    import tomli_w  # noqa: PLC0415 - only this test writes TOML

    clinic = load_clinic(EXAMPLES / "clinic.toml")
    assert clinic_from_dict(clinic_to_dict(clinic)) == clinic
    path = write(tmp_path, tomli_w.dumps(clinic_to_dict(clinic)))
    assert load_clinic(path) == clinic
    assert clinic_from_dict(clinic_to_dict(example_clinic(holidays=None))) == example_clinic(
        holidays=None
    )


def test_the_defaults_of_a_file(tmp_path: Path) -> None:
    text = 'name = "Lakeside"\ntimezone = "Europe/Paris"\n[hours]\nfriday = [["10:00", "14:00"]]\n'
    clinic = load_clinic(write(tmp_path, text))
    assert (clinic.holidays, clinic.holiday_categories, clinic.slot_minutes) == (
        None,
        ("public",),
        15,
    )
    assert clinic.closures == ()
    assert clinic.closed_reason(day("2026-11-02")) == "closed on mondays"


def test_toml_times_and_dates_are_read_too(tmp_path: Path) -> None:
    text = VALID.replace('["09:00", "12:00"]', "[09:00:00, 12:00:00]") + (
        '[[closures]]\nstart = 2026-12-24\nend = 2026-12-26\nreason = "Winter break"\n'
    )
    clinic = load_clinic(write(tmp_path, text))
    assert str(clinic.hours.monday[0]) == "09:00-12:00"
    assert clinic.closures[0].end == day("2026-12-26")


def bad(old: str, new: str, error: type[MesotherapyError], expected: str) -> object:
    """A bad file: VALID with *old* replaced by *new*, and the error it must raise."""
    return pytest.param((old, new), error, expected, id=expected.partition(":")[0])


HOURS = VALID[VALID.index("[hours]") :]
BAD_FILES = [
    bad(
        "slot_minutes = 15",
        "slot_minutes = 15\ncolour = 'blue'",
        RuleSetError,
        "colour: unknown key",
    ),
    bad('"12:00"]', '"25:00"]', InvalidTimeError, "hours.monday[0].end: expected a time of day"),
    bad(
        '["13:00", "18:00"]',
        '["18:00", "13:00"]',
        RuleSetError,
        "hours.monday[1]: expected the end",
    ),
    bad(
        '["13:00", "18:00"]',
        '["11:00", "18:00"]',
        RuleSetError,
        "hours.monday[1]: 11:00-18:00 overlaps",
    ),
    bad(
        '["13:00", "18:00"]',
        '["12:00", "18:00"]',
        RuleSetError,
        "hours.monday[1]: 12:00-18:00 starts",
    ),
    bad(
        '"America/Toronto"', '"Mars/Olympus"', InvalidTimeError, "timezone: unknown IANA time zone"
    ),
    bad('"CA-ON"', '"XX"', UnknownCodeError, "holidays: unknown country 'XX'"),
    bad('"CA-ON"', '"CA-XX"', UnknownCodeError, "holidays: unknown subdivision 'XX' of CA"),
    bad(
        "slot_minutes = 15",
        "slot_minutes = 0",
        RuleSetError,
        "slot_minutes: expected a whole number",
    ),
    bad("slot_minutes = 15", 'slot_minutes = "15"', RuleSetError, "slot_minutes: expected a whole"),
    bad("monday =", "funday =", UnknownCodeError, "hours.funday: unknown weekday 'funday'"),
    bad('name = "Lakeside"\n', "", RuleSetError, "name: missing"),
    bad('name = "Lakeside"', "name = 3", RuleSetError, "name: expected non-empty text, got 3"),
    bad(HOURS, "hours = 'always'\n", RuleSetError, "hours: expected a table of weekdays"),
    bad(
        "slot_minutes = 15",
        'holiday_categories = ["bank"]',
        UnknownCodeError,
        "holiday_categories: unknown category 'bank'",
    ),
]


@pytest.mark.parametrize(("change", "error", "expected"), BAD_FILES)
def test_bad_files_name_the_key(
    tmp_path: Path, change: tuple[str, str], error: type[MesotherapyError], expected: str
) -> None:
    old, new = change
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(error) as info:
        load_clinic(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    if isinstance(info.value, RuleSetError):
        assert info.value.source == str(path)
        assert any(expected in problem for problem in info.value.problems)


def test_bad_closures_in_a_file(tmp_path: Path) -> None:
    closures = (
        '[[closures]]\nstart = "2026-12-24"\nend = "2026-12-20"\n'
        '[[closures]]\nstart = "2026-12-24"\nwhy = "?"\n'
        '[[closures]]\nreason = "No start"\n'
    )
    with pytest.raises(RuleSetError) as info:
        load_clinic(write(tmp_path, VALID + closures))
    assert info.value.problems == (
        "closures[0].end: expected a date on or after the start 2026-12-24, got 2026-12-20",
        "closures[1].why: unknown key, expected one of end, reason, start",
        "closures[2].start: missing, expected a date as YYYY-MM-DD",
    )
    with pytest.raises(InvalidTimeError, match=r"closures\[0\]\.start: expected a date"):
        load_clinic(write(tmp_path, VALID + '[[closures]]\nstart = "2026-02-30"\n'))


def test_every_problem_of_a_file_is_listed(tmp_path: Path) -> None:
    text = (
        'name = "Lakeside"\ntimezone = "Mars/Olympus"\nslot_minutes = 0\ncolour = "blue"\n'
        '[hours]\nmonday = [["09:00", "25:00"], ["10:00", "09:00"]]\n'
    )
    with pytest.raises(RuleSetError) as info:
        load_clinic(write(tmp_path, text))
    assert info.value.problems == (
        (
            "colour: unknown key, expected one of closures, holiday_categories, holidays, "
            "hours, name, slot_minutes, timezone"
        ),
        (
            "timezone: unknown IANA time zone 'Mars/Olympus', "
            "expected a name such as 'America/Toronto'"
        ),
        "hours.monday[0].end: expected a time of day as HH:MM, from 00:00 to 23:59, got '25:00'",
        "hours.monday[1]: expected the end after the start, got 10:00-09:00",
        "slot_minutes: expected a whole number of minutes from 1 to 1440 (such as 15), got 0",
    )
    assert str(info.value).endswith("(and 4 more)")


def test_several_problems_of_one_kind_keep_their_kind(tmp_path: Path) -> None:
    text = VALID.replace('"09:00", "12:00"', '"09:00", "24:00"').replace('"18:00"', '"18:61"')
    with pytest.raises(InvalidTimeError) as info:
        load_clinic(write(tmp_path, text))
    assert "hours.monday[0].end" in str(info.value)
    assert str(info.value).endswith("(and 1 more)")


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(RuleSetError, match="cannot read the file") as info:
        load_clinic(missing)
    assert info.value.source == str(missing)
    with pytest.raises(RuleSetError, match="cannot read the file"):
        load_clinic(tmp_path)
    with pytest.raises(RuleSetError, match="not valid TOML") as info:
        load_clinic(write(tmp_path, "name = \n"))
    assert str(info.value).startswith(str(tmp_path / "clinic.toml"))
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(RuleSetError, match="cannot read the file"):
        load_clinic(binary)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"closures": {"start": "2026-12-24"}}, "closures: expected a list of closures"),
        ({"closures": [{"start": 20261224}]}, "closures[0].start: expected a date as YYYY-MM-DD"),
        ({"hours": {"monday": [], "Monday": []}}, "hours.Monday: monday is given twice"),
        ({"holiday_categories": ["public", ""]}, "holiday_categories[1]: expected non-empty text"),
    ],
)
def test_more_shapes_that_are_refused(data: dict[str, object], expected: str) -> None:
    document = {"name": "Lakeside", "timezone": TORONTO, "hours": {}} | data
    with pytest.raises(RuleSetError) as info:
        clinic_from_dict(document)
    assert [problem for problem in info.value.problems if expected in problem]


def test_weekday_keys_are_read_in_any_case() -> None:
    clinic = clinic_from_dict({"name": "Lakeside", "timezone": TORONTO, "hours": {"Friday": []}})
    assert clinic.hours.friday == ()
    assert clinic_from_dict(
        {"name": "L", "timezone": TORONTO, "hours": {" SATURDAY ": [["10:00", "12:00"]]}}
    ).hours.saturday == (Interval(start="10:00", end="12:00"),)


def test_a_document_that_is_no_table() -> None:
    with pytest.raises(RuleSetError, match="the document: expected a table"):
        clinic_from_dict(["name"], source="clinic.json")  # type: ignore[arg-type]
