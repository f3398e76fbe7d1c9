"""Many clients at once: a lazy batch that a distributed engine can split and run."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

import attrs
import pendulum

from ._assess import Assessment, assess
from ._clinic import Clinic
from ._errors import ClientError, MesotherapyError
from ._guards import wrong_type
from ._kept import iso_text
from ._model import Area, Client, flag
from ._pickling import exact_pickling
from ._plan import TreatmentPlan
from ._rules import RuleSet
from ._series import plan_series
from ._session import id_problem
from ._time import aware, in_zone, parse_date
from ._vocabulary import chosen_rules, parse_areas

if TYPE_CHECKING:
    from ._diary import Diary

__all__ = ["CompactOutcome", "PlanOutcome", "PlanRequest", "plan_batch"]


def _client(value: Any) -> Client:
    if problem := wrong_type(value, Client, "client", "client_from_dict"):
        raise ClientError(problem)
    return value  # type: ignore[no-any-return]


def _start(value: Any) -> pendulum.DateTime:
    return aware(value, field="start")


def _acknowledge_review(value: Any) -> bool:
    return flag(value, "acknowledge_review")


def _on(value: Any) -> pendulum.Date | None:
    return None if value is None else parse_date(value, field="on")


def _plan_id(_: object, __: object, value: str | None) -> None:
    if value is not None and (problem := id_problem(value, "plan_id")):
        raise ClientError(problem)


@exact_pickling
@attrs.frozen(kw_only=True)
class PlanRequest:
    """One client of a batch: who, which areas, from when.

    ``on`` is the day of the assessment; without it, the local date of ``start`` in the
    clinic's zone. ``plan_id`` names the plan; without it, the plan's id is derived
    (`plan_series`). The other fields are those of `plan_series`.

    >>> import mesotherapy as meso
    >>> request = meso.PlanRequest(
    ...     client=meso.Client(id="c-1", birth_date="1985-03-02"), areas=["face"],
    ...     start=pendulum.datetime(2026, 11, 24, 9, tz="America/Toronto"))
    >>> request.areas
    (<Area.FACE: 'face'>,)

    Raises:
        ClientError: *client* is no `Client`, *acknowledge_review* no `bool`, or
            *plan_id* no id (1 to 200 letters, digits and ``. _ : -``).
        UnknownCodeError: an unknown area.
        InvalidTimeError: *start* is naive, or *on* is no date.
    """

    client: Client = attrs.field(converter=_client)
    areas: tuple[Area, ...] = attrs.field(converter=parse_areas)
    start: pendulum.DateTime = attrs.field(converter=_start)
    on: pendulum.Date | None = attrs.field(default=None, converter=_on)
    sessions: int | None = None
    interval: int | None = None
    acknowledge_review: bool = attrs.field(default=False, converter=_acknowledge_review)
    plan_id: str | None = attrs.field(default=None, validator=_plan_id)


@attrs.frozen(kw_only=True)
class PlanOutcome:
    """What a batch made of one request: the assessment, the plan, or why there is none.

    ``problem`` is the message of the `MesotherapyError` that stopped the request (the
    client is not a candidate, no plan keeps the bounds...), and ``plan`` is then ``None``;
    ``assessment`` is there whenever the assessment itself succeeded. In a batch booked
    into a diary, ``diary`` is the diary after this request: with its plan booked, or as
    the request before left it when there is no plan; the last outcome's is the batch's.
    """

    request: PlanRequest
    assessment: Assessment | None
    plan: TreatmentPlan | None
    problem: str | None = None
    diary: Diary | None = attrs.field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """Whether a plan was made."""
        return self.plan is not None

    def compact(self) -> CompactOutcome:
        """This outcome as plain values, cheap to pickle: see `CompactOutcome`.

        >>> import mesotherapy as meso
        >>> clinic = meso.example_clinic()
        >>> request = meso.PlanRequest(client=meso.Client(id="c-1", birth_date="1985-03-02"),
        ...                            areas=["face"], start=clinic.at("2026-11-24", "09:00"))
        >>> outcome = next(meso.plan_batch([request], clinic=clinic))
        >>> compact = outcome.compact()
        >>> compact.starts[:2], compact.maintenance
        (('2026-11-24T09:00:00-05:00', '2026-12-15T09:00:00-05:00'), ('2027-04-26', '2027-07-26'))
        >>> compact.full(request, clinic=clinic) == outcome
        True
        """
        plan, assessment = self.plan, self.assessment
        candidacy = None if assessment is None else assessment.status.value
        if plan is None:
            return CompactOutcome(
                client_id=self.request.client.id, candidacy=candidacy, problem=self.problem
            )
        # Kept by value: a batch plans the same slots for client after client.
        iso = iso_text
        window = plan.maintenance
        return CompactOutcome(
            client_id=self.request.client.id,
            plan_id=plan.id,
            starts=tuple(iso(s.start) for s in plan.sessions),
            ends=tuple(iso(s.end) for s in plan.sessions),
            maintenance=(window[0].opens.isoformat(), window[0].closes.isoformat())
            if window
            else None,
            candidacy=candidacy,
            problem=self.problem,
        )


# attrs' state methods left out: `__reduce__` below pickles it.
@attrs.frozen(kw_only=True, getstate_setstate=False)
class CompactOutcome:
    """What a batch made of one request, as plain values: what a caller needs, cheap to pickle.

    ``client_id`` is the request's client's id; ``plan_id`` the plan's id, ``starts`` and
    ``ends`` its sessions' instants as ISO 8601 texts with their UTC offset (exact, the
    repeated autumn hour included), ``maintenance`` the days the maintenance window opens
    and closes (``YYYY-MM-DD``), all empty or ``None`` when there is no plan.
    ``candidacy`` is the assessment's status (``None`` when the assessment itself failed)
    and ``problem`` the message that stopped the request, as in `PlanOutcome`.

    Made by `PlanOutcome.compact`. It holds no clinic, rules, request or plan, and
    pickles as a tuple of texts: about 110 bytes an outcome of four sessions in a list of
    them, against 940 for a `PlanOutcome` (2.5 KB alone), so that a distributed batch
    sends back little. Outcomes at the same times share their instants' texts, kept by
    value as they are made, and a list pickles each text once. `full` gives the whole
    outcome back, on request.

    >>> import mesotherapy as meso
    >>> clinic = meso.example_clinic()
    >>> request = meso.PlanRequest(client=meso.Client(birth_date="1990-01-01", pregnant=True),
    ...                            areas=["face"], start=clinic.at("2026-11-24", "09:00"))
    >>> compact = next(meso.plan_batch([request], clinic=clinic)).compact()
    >>> compact.ok, compact.candidacy, compact.starts
    (False, 'ineligible', ())
    """

    client_id: str | None = attrs.field(repr=False)  # the client's key: never shown
    plan_id: str | None = None
    starts: tuple[str, ...] = ()
    ends: tuple[str, ...] = ()
    maintenance: tuple[str, str] | None = None
    candidacy: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether a plan was made."""
        return self.plan_id is not None

    def full(
        self, request: PlanRequest, *, clinic: Clinic, rules: RuleSet | None = None
    ) -> PlanOutcome:
        """The whole outcome, plan included: *request* planned again at *clinic*.

        Planning is deterministic, so the request this outcome was made from, at the
        clinic and under the rules of its batch, gives the very outcome that was compacted.
        The outcome made is checked to compact to this one, which tells another request
        apart; a clinic or rule set that plans the same sessions passes the check, and
        the plan given back is then theirs.

        >>> import mesotherapy as meso
        >>> clinic = meso.example_clinic()
        >>> request = meso.PlanRequest(client=meso.Client(birth_date="1985-03-02"),
        ...                            areas=["face"], start=clinic.at("2026-11-24", "09:00"))
        >>> compact = next(meso.plan_batch([request], clinic=clinic)).compact()
        >>> compact.full(request, clinic=clinic).plan.sessions[0].start
        DateTime(2026, 11, 24, 9, 0, 0, tzinfo=Timezone('America/Toronto'))

        Raises:
            ClientError: *request* is no `PlanRequest`, *clinic* no `Clinic`, or they give
                another outcome than this one (another request, clinic or rule set).
            RuleSetError: *rules* is no `RuleSet`.
        """
        chosen = chosen_rules(rules)
        if problem := wrong_type(clinic, Clinic, "clinic", "load_clinic"):
            raise ClientError(problem)
        if problem := wrong_type(request, PlanRequest, "request", "PlanRequest"):
            raise ClientError(problem)
        outcome = _outcome(request, clinic, chosen)
        if (made := outcome.compact()) != self:
            msg = (
                f"request: it gives plan {made.plan_id!r} ({made.candidacy}, "
                f"{len(made.starts)} sessions) at {clinic.name!r}, expected the request, "
                f"clinic and rules of plan {self.plan_id!r} ({self.candidacy}, "
                f"{len(self.starts)} sessions)"
            )
            raise ClientError(msg)
        return outcome

    # Pickled as a call of `_compact_outcome` with the plain values: no dict of field
    # names, no `__setstate__` (a third of the time of attrs' own state methods), since a
    # partition's outcomes cross the process boundary by the thousand.
    def __reduce__(self) -> tuple[Any, ...]:
        state: _State = (
            self.client_id,
            self.plan_id,
            self.starts,
            self.ends,
            self.maintenance,
            self.candidacy,
            self.problem,
        )
        return (_compact_outcome, (state,))


_new = object.__new__
_set = object.__setattr__  # frozen: attrs' own `__setstate__` sets the slots this way too


_State = tuple[
    str | None,
    str | None,
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, str] | None,
    str | None,
    str | None,
]
"""The fields of a `CompactOutcome`, in order."""


def _compact_outcome(state: _State) -> CompactOutcome:
    """The `CompactOutcome` of `CompactOutcome.__reduce__`, rebuilt from its values."""
    client_id, plan_id, starts, ends, maintenance, candidacy, problem = state
    outcome = _new(CompactOutcome)
    _set(outcome, "client_id", client_id)
    _set(outcome, "plan_id", plan_id)
    _set(outcome, "starts", starts)
    _set(outcome, "ends", ends)
    _set(outcome, "maintenance", maintenance)
    _set(outcome, "candidacy", candidacy)
    _set(outcome, "problem", problem)
    return outcome


def plan_batch(
    requests: Iterable[PlanRequest],
    *,
    clinic: Clinic | None = None,
    rules: RuleSet | None = None,
    diary: Diary | None = None,
) -> Iterator[PlanOutcome]:
    """Assess and plan every request at *clinic*, lazily, one outcome per request in order.

    A generator: it holds one request at a time, so a batch of any size runs in flat
    memory when its outcomes are consumed as they come. A request that fails with a
    `MesotherapyError` gives an outcome with its ``problem``; nothing else is caught.
    Outcomes, requests and plans pickle, so the batch runs unchanged on each partition of
    a distributed engine (see the Dask how-to). Each plan has the id its request names,
    or else the id derived from its client, first session and areas.

    >>> import mesotherapy as meso
    >>> clients = [meso.Client(birth_date="1985-03-02"), meso.Client(birth_date="1990-01-01",
    ...                                                              pregnant=True)]
    >>> start = pendulum.datetime(2026, 11, 24, 9, tz="America/Toronto")
    >>> requests = (meso.PlanRequest(client=c, areas=["face"], start=start) for c in clients)
    >>> [(o.ok, o.problem) for o in meso.plan_batch(requests, clinic=meso.example_clinic())]
    [(True, None), (False, 'assessment: the client is not a candidate (status ineligible)')]

    With *diary*, the requests are booked into it in order, each seeing the bookings of
    those before it (`plan_series` with a diary, then `Diary.book`); *clinic* may be left
    out (it is the diary's). Each outcome carries the diary after it, so the last one's
    ``diary`` holds the whole batch; the *diary* given is not changed.

    >>> diary = meso.Diary(clinic=meso.example_clinic(), rooms=[meso.Room(id="room-1")],
    ...                    practitioners=[meso.Practitioner(id="dr-h", areas=["face"])])
    >>> requests = [meso.PlanRequest(client=c, areas=["face"], start=start) for c in clients]
    >>> outcomes = list(meso.plan_batch(requests[:1] * 2, diary=diary))
    >>> [o.plan.sessions[0].start.format("MM-DD HH:mm") for o in outcomes if o.plan]
    ['11-24 09:00', '11-24 09:45']
    >>> len(outcomes[-1].diary.bookings), len(diary.bookings)
    (8, 0)

    For a distributed batch, `PlanOutcome.compact` turns each outcome into a
    `CompactOutcome`: the ids, the sessions' instants, the maintenance window and the
    problem as plain values, a fraction of a full outcome's pickle;
    `CompactOutcome.full` plans its request again for the whole outcome.

    >>> [o.compact().starts[0] for o in meso.plan_batch(requests, clinic=diary.clinic) if o.ok]
    ['2026-11-24T09:00:00-05:00']

    Raises:
        RuleSetError: *rules* is no `RuleSet` (checked when the first outcome is asked for).
        ClientError: *clinic* is no `Clinic`, or a request no `PlanRequest` (each checked
            when its outcome is asked for: the outcomes before it stand); *diary* is no
            `Diary`, or one of another clinic than *clinic*.
    """
    chosen = chosen_rules(rules)
    if diary is not None:
        yield from _booked(requests, clinic, chosen, diary)
        return
    if problem := wrong_type(clinic, Clinic, "clinic", "load_clinic"):
        raise ClientError(problem)
    for request in requests:
        if problem := wrong_type(request, PlanRequest, "requests", "PlanRequest"):
            raise ClientError(problem)
        yield _outcome(request, cast("Clinic", clinic), chosen)  # checked above


def _booked(
    requests: Iterable[PlanRequest], clinic: Clinic | None, rules: RuleSet, diary: Diary
) -> Iterator[PlanOutcome]:
    """The outcomes of a batch booked into *diary*, each with the diary after it."""
    from ._diary import Diary  # noqa: PLC0415 - loaded with a diary

    if problem := wrong_type(diary, Diary, "diary", "load_diary"):
        raise ClientError(problem)
    if clinic is not None and clinic != diary.clinic:
        name = getattr(clinic, "name", clinic)
        msg = f"clinic: {name!r} is not the diary's clinic ({diary.clinic.name!r}), expected it"
        raise ClientError(msg)
    for request in requests:
        if problem := wrong_type(request, PlanRequest, "requests", "PlanRequest"):
            raise ClientError(problem)
        outcome = _outcome(request, diary.clinic, rules, diary)
        if outcome.plan is not None:
            try:
                diary = diary.book(outcome.plan)
            except MesotherapyError as error:  # a plan id booked already, say
                outcome = attrs.evolve(outcome, plan=None, problem=str(error))
        yield attrs.evolve(outcome, diary=diary)


def _outcome(
    request: PlanRequest, clinic: Clinic, rules: RuleSet, diary: Diary | None = None
) -> PlanOutcome:
    on = request.on or in_zone(request.start, clinic.zone).date()
    assessment: Assessment | None = None
    try:
        assessment = assess(request.client, request.areas, on=on, rules=rules)
        plan = plan_series(
            assessment,
            request.areas,
            start=request.start,
            clinic=clinic,
            rules=rules,
            sessions=request.sessions,
            interval=request.interval,
            acknowledge_review=request.acknowledge_review,
            plan_id=request.plan_id,
            diary=diary,
        )
    except MesotherapyError as error:
        return PlanOutcome(request=request, assessment=assessment, plan=None, problem=str(error))
    return PlanOutcome(request=request, assessment=assessment, plan=plan)
