"""What the fuzzing found, kept: inputs that once escaped as something but the library's errors.

Each test is one input the fuzz session (``nox -s fuzz``) found, minimised, with the
error the library now answers it with: the field or function named, the value, and what
was expected.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum
import pytest

import mesotherapy as meso
from mesotherapy._cli import main as cli_main
from mesotherapy._clinic import WEEKDAYS
from tests.builders import TORONTO

NIGHT: Final = meso.Clinic(
    name="Night Clinic",
    timezone=TORONTO,
    hours={day: [("00:00", "23:59")] for day in WEEKDAYS},
)
ADULT: Final = meso.Client(id="c-1", birth_date="1985-03-02")
LAST_DAY: Final = pendulum.date(9999, 12, 31)


def _plan() -> meso.TreatmentPlan:
    result = meso.assess(ADULT, ["face"], on="2026-10-01")
    start = pendulum.datetime(2026, 10, 20, 9, tz=TORONTO)
    return meso.plan_series(result, ["face"], start=start, clinic=NIGHT)


PLAN: Final = _plan()
CARE: Final = meso.aftercare(PLAN)


# --- Spans beyond the calendar ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["P100000M", "P500000W", "P200000W", "P1001Y", "PT9999999999M"])
def test_a_span_longer_than_a_thousand_years_is_refused(text: str) -> None:
    with pytest.raises(meso.InvalidTimeError, match=r"expected a whole number from 0 to [\d,]+"):
        meso.Span.parse(text)


@pytest.mark.parametrize("value", [None, -1, 1.5, "3", True])
def test_a_span_unit_that_is_no_whole_number_is_the_librarys_error(value: Any) -> None:
    with pytest.raises(meso.InvalidTimeError, match=r"^years: expected a whole number from 0"):
        meso.Span(years=value)


def test_the_longest_spans_still_compare() -> None:
    longest = meso.Span(years=1000, months=12_000, weeks=52_200, days=365_250)
    assert meso.Span(days=1) <= longest
    assert not longest < meso.Span(years=1000)


@pytest.mark.parametrize(
    ("span", "day", "where"),
    [
        (meso.Span(years=1), pendulum.date(9999, 6, 1), "P1Y after 9999-06-01"),
        (meso.Span(days=1), LAST_DAY, "P1D after 9999-12-31"),
    ],
)
def test_a_span_after_the_last_day_of_the_calendar_is_refused(
    span: meso.Span, day: pendulum.Date, where: str
) -> None:
    with pytest.raises(meso.InvalidTimeError, match=rf"^{where}: falls outside the calendar"):
        span.after(day)


def test_a_span_before_the_first_day_of_the_calendar_is_refused() -> None:
    with pytest.raises(meso.InvalidTimeError, match=r"^P2W before 0001-01-03: falls outside"):
        meso.Span(weeks=2).before(pendulum.date(1, 1, 3))
    with pytest.raises(meso.InvalidTimeError, match="falls outside the calendar"):
        meso.Span(months=1).before(pendulum.date(1, 1, 31))


def test_a_washout_that_ends_after_the_calendar_is_refused_not_crashed() -> None:
    client = meso.Client(
        birth_date="1985-03-02", medications=[{"code": "isotretinoin", "last_taken": "9999-10-01"}]
    )
    with pytest.raises(meso.InvalidTimeError, match="falls outside the calendar"):
        meso.assess(client, ["face"], on="9999-10-02")


# --- Instants at the calendar's ends -----------------------------------------------------------


def test_a_plan_that_would_run_past_the_calendar_is_refused() -> None:
    result = meso.assess(ADULT, ["face"], on="9999-12-01")
    start = pendulum.datetime(9999, 12, 10, 9, tz=TORONTO)
    with pytest.raises(meso.InvalidTimeError, match=r"^plan_series: falls outside the calendar"):
        meso.plan_series(result, ["face"], start=start, clinic=NIGHT)


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=5))),
    ],
    ids=["last", "first"],
)
def test_an_instant_with_no_utc_time_is_refused_everywhere(moment: Any) -> None:
    asks: list[Callable[[], object]] = [
        lambda: CARE.may_i("sun", moment),
        lambda: CARE.restricted_at(moment),
        lambda: NIGHT.fits(moment, 45),
        lambda: PLAN.complete(1, moment),
        lambda: PLAN.reschedule(1, moment),
        lambda: meso.ClientEvent(name="Gala", start=moment, end=moment, activities="sun"),
    ]
    for ask in asks:
        with pytest.raises(meso.InvalidTimeError):
            ask()


# --- Arguments of the wrong type -----------------------------------------------------------------


def test_plan_series_refuses_objects_that_are_not_the_librarys() -> None:
    result = meso.assess(ADULT, ["face"], on="2026-10-01")
    start = pendulum.datetime(2026, 10, 20, 9, tz=TORONTO)
    with pytest.raises(meso.RuleSetError, match=r"rules: expected a RuleSet \(see load_rules\)"):
        meso.plan_series(result, ["face"], start=start, clinic=NIGHT, rules=object())  # type: ignore[arg-type]
    with pytest.raises(meso.ClientError, match=r"^clinic: expected a Clinic .*got a dict"):
        meso.plan_series(result, ["face"], start=start, clinic={"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(meso.ClientError, match=r"^assessment: expected a Assessment .*got a str"):
        meso.plan_series("eligible", ["face"], start=start, clinic=NIGHT)  # type: ignore[arg-type]


def test_the_plan_readers_refuse_what_is_no_plan() -> None:
    readers: list[Callable[[Any], object]] = [
        meso.aftercare,
        meso.expected_timeline,
        meso.instructions,
    ]
    for read in readers:
        with pytest.raises(meso.ClientError, match=r"^plan: expected a TreatmentPlan"):
            read(object())
    with pytest.raises(meso.RuleSetError, match=r"rules: expected a RuleSet"):
        meso.to_json(PLAN, rules="default")  # type: ignore[arg-type]
    with pytest.raises(meso.RuleSetError, match=r"rules: expected a RuleSet"):
        meso.aftercare(PLAN, rules=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", [3, None, b"fr_CA", ["fr_CA"]])
def test_a_locale_that_is_no_text_is_an_unknown_code(locale: Any) -> None:
    with pytest.raises(meso.UnknownCodeError, match=r"^locale: expected a locale name"):
        meso.instructions(PLAN, locale=locale)


@pytest.mark.parametrize("activity", [bytearray(b"sun"), ["sun"], None, 3])
def test_may_i_about_something_that_is_no_activity_name(activity: Any) -> None:
    with pytest.raises(meso.UnknownCodeError, match=r"^activity: unknown activity"):
        CARE.may_i(activity, pendulum.datetime(2026, 10, 21, 9, tz=TORONTO))


@pytest.mark.parametrize("events", ["wedding", object(), 3, [object()], [{"name": "Gala"}]])
def test_conflicts_refuses_what_is_no_sequence_of_events(events: Any) -> None:
    with pytest.raises(meso.ClientError, match=r"^events: expected a (sequence of )?ClientEvent"):
        CARE.conflicts(events)


@pytest.mark.parametrize("activities", [object(), 3, [1, 2], [None]])
def test_event_activities_that_are_no_names(activities: Any) -> None:
    start = pendulum.datetime(2026, 10, 21, 9, tz=TORONTO)
    with pytest.raises(meso.ClientError, match=r"^events.activities: expected activity names"):
        meso.ClientEvent(name="Gala", start=start, end=start.add(hours=2), activities=activities)


# --- Documents nested deeper than a parser goes ------------------------------------------------

DEEP_JSON: Final = "[" * 100_000 + "]" * 100_000
DEEP_TOML: Final = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"


@pytest.mark.parametrize("cls", [meso.Client, meso.RuleSet, meso.Assessment, meso.TreatmentPlan])
def test_a_json_document_nested_too_deep_is_refused(cls: type[Any]) -> None:
    with pytest.raises(meso.DocumentError, match=r"not valid JSON \(nested too deeply\)"):
        meso.from_json(DEEP_JSON, cls)


@pytest.mark.parametrize("load", [meso.load_rules, meso.load_clinic])
def test_a_toml_file_nested_too_deep_is_refused(load: Any, tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(DEEP_TOML, "utf-8")
    with pytest.raises(meso.RuleSetError, match=r"deep.toml: not valid TOML: nested too deeply"):
        load(path)


def test_the_command_line_refuses_a_client_file_nested_too_deep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "client.json"
    path.write_text(DEEP_JSON, "utf-8")
    code = cli_main(["assess", str(path), "--areas", "face", "--on", "2026-10-01"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [f"mesotherapy: error: {path}: not valid JSON (nested too deeply)"]


def test_a_refused_document_leaves_the_json_module_usable() -> None:
    with pytest.raises(meso.DocumentError):
        meso.from_json(DEEP_JSON, meso.Client)
    assert json.loads("[[1]]") == [[1]]
    assert meso.from_json(meso.to_json(ADULT), meso.Client) == ADULT


# --- Found by the 1 500-example run ----------------------------------------------------------


def test_a_schema_1_plan_without_areas_is_refused() -> None:
    path = Path(__file__).parent / "documents" / "plan-schema-1.json"
    document = {**json.loads(path.read_text("utf-8")), "areas": []}
    with pytest.raises(meso.DocumentError, match=r"areas: expected at least one area, got none"):
        meso.from_json(json.dumps(document), meso.TreatmentPlan)


@pytest.mark.parametrize("argument", ["\r0", "a\nb", "\x1b[31m"])
def test_a_command_line_error_stays_one_line_whatever_the_argument_holds(
    argument: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli_main(["rules", "show", argument])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith("mesotherapy: error: unrecognized arguments: ")


def test_a_file_name_with_a_line_break_stays_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_main(["assess", str(tmp_path / "a\nb.json"), "--areas", "face"])
    err = capsys.readouterr().err
    assert code == 2
    path = f"{tmp_path}/a\\nb.json"
    assert err.splitlines() == [
        f"mesotherapy: error: {path}: cannot read the file (No such file or directory)"
    ]


def test_a_plan_document_without_areas_is_refused() -> None:
    document = {**json.loads(meso.to_json(PLAN)), "areas": []}
    with pytest.raises(meso.DocumentError, match=r"^areas: expected at least one area, got none"):
        meso.from_json(json.dumps(document), meso.TreatmentPlan)


def test_a_schema_1_plan_whose_findings_are_no_list_is_refused() -> None:
    path = Path(__file__).parent / "documents" / "plan-schema-1.json"
    document = json.loads(path.read_text("utf-8"))
    document["assessment"]["findings"] = None
    with pytest.raises(meso.DocumentError, match=r"^assessment.findings: expected a list"):
        meso.from_json(json.dumps(document), meso.TreatmentPlan)


def test_care_and_timeline_of_a_plan_at_the_end_of_the_calendar_are_refused() -> None:
    late = attrs.evolve(
        PLAN,
        sessions=tuple(
            attrs.evolve(s, start=s.start.replace(year=9999), end=s.end.replace(year=9999))
            for s in PLAN.sessions
        ),
    )
    with pytest.raises(meso.InvalidTimeError, match=r"^aftercare: falls outside the calendar"):
        meso.aftercare(late)
    with pytest.raises(meso.InvalidTimeError, match=r"falls outside the calendar"):
        meso.expected_timeline(late)
