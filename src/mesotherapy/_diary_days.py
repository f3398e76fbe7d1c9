"""What searches of a diary learnt about each of its days, kept for the diaries after it.

A search asks of each day it looks at: for each opening, is this practitioner free, is a
room free, may this practitioner take it? The answers depend only on that day's claims (and
those of the days beside it, through the buffer), and a booking changes a few days. So a
diary keeps its days' answers (`DayAnswers`), and a diary derived by `book` or `release`
keeps those of every day the change did not touch: booking client after client, a search
looks again only at the days the clients before it took, and the cost of a search stays
that of the days it needs, not of the diary's whole year.

The answers live beside the diary, keyed by its identity, not in it: a `Diary` stays a
frozen value whose equality, hash and pickle know nothing of what was asked of it.

>>> import datetime as dt
>>> answers = DayAnswers()
>>> answers.of(dt.date(2027, 3, 2))["free", "dr-h", 45] = [True, False]
>>> after = answers.without([dt.date(2027, 3, 2)])
>>> after.of(dt.date(2027, 3, 2))
{}
>>> answers.of(dt.date(2027, 3, 2))
{('free', 'dr-h', 45): [True, False]}
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable
from typing import Final, TypeVar

__all__ = ["DayAnswers", "answers_of", "derive"]

_KEPT_DAYS: Final = 4_096
"""Days one diary remembers answers for, at most: more than ten years of a clinic's days."""

_BY_DIARY: dict[int, DayAnswers] = {}
_K = TypeVar("_K", dt.date, int)


class DayAnswers:
    """The answers of each day, by day: a dict of what was asked (a key) to its answer.

    ``days`` hold what a day's own claims decide (who is free at each opening); ``ahead``
    what the days after it decide too (whether the rest of a series fits from there), up to
    ``span`` days after it. Not a value: it fills as searches ask, and a derived diary
    shares the dicts its change left alone (their answers hold for both diaries).
    """

    __slots__ = ("ahead", "days", "span")

    def __init__(
        self,
        days: dict[dt.date, dict[object, object]] | None = None,
        ahead: dict[int, dict[object, object]] | None = None,
        span: int = 0,
    ) -> None:
        self.days: dict[dt.date, dict[object, object]] = {} if days is None else days
        self.ahead: dict[int, dict[object, object]] = {} if ahead is None else ahead
        self.span = span

    def of(self, day: dt.date) -> dict[object, object]:
        """The answers of *day*, to read and to add to."""
        return _day(self.days, day)

    def ahead_of(self, day: dt.date, span: int) -> dict[object, object]:
        """The answers of *day* that the *span* days after it decide too."""
        self.span = max(self.span, span)
        return _day(self.ahead, day.toordinal())

    def without(self, days: Iterable[dt.date]) -> DayAnswers:
        """The answers of every day but *days*, shared with this one.

        An answer that looks ahead is dropped with each of the days it looked at.
        """
        kept, ahead = dict(self.days), dict(self.ahead)
        for day in days:
            kept.pop(day, None)
        if ahead:
            # Drop each answer that looked as far as one of *days*: those of the span
            # before it. By ordinal, the fewer of the dict's days and the span's days.
            looked = {
                n for day in days for n in range(day.toordinal() - self.span, day.toordinal() + 1)
            }
            if len(ahead) < len(looked):
                ahead = {n: v for n, v in ahead.items() if n not in looked}
            else:
                for n in looked:
                    ahead.pop(n, None)
        return DayAnswers(kept, ahead, self.span)


def _day(answers: dict[_K, dict[object, object]], day: _K) -> dict[object, object]:
    try:
        return answers[day]
    except KeyError:
        pass
    if len(answers) >= _KEPT_DAYS:
        answers.clear()  # far more days than a search looks at: start again
    found: dict[object, object] = {}
    answers[day] = found
    return found


def answers_of(diary: object) -> DayAnswers:
    """The answers kept for *diary* (a `Diary`), none at first."""
    found = _BY_DIARY.get(id(diary))
    if found is None:
        found = _remember(diary, DayAnswers())
    return found


def derive(before: object, after: object, days: Iterable[dt.date]) -> None:
    """Give *after*, a diary derived from *before*, the answers of the days it shares.

    *days* are those whose claims differ between the two diaries (the local days of each
    claim added or taken away, and a day on either side of them).
    """
    kept = _BY_DIARY.get(id(before))
    if kept is not None and (kept.days or kept.ahead):
        _remember(after, kept.without(days))


def _remember(diary: object, answers: DayAnswers) -> DayAnswers:
    _BY_DIARY[id(diary)] = answers
    # Forgotten with the diary, before its id can name another one.
    weakref.finalize(diary, _BY_DIARY.pop, id(diary), None)
    return answers


def claim_days(start: dt.datetime, end: dt.datetime, zone: dt.tzinfo, margin: int) -> list[dt.date]:
    """The local days in *zone* whose openings a claim from *start* to *end* may touch.

    *margin* is in whole days on either side: the buffer's (rounded up) and one more, so a
    clock change at midnight never hides a day.
    """
    # Whole days as ordinals: pendulum's dates do their own, slower, arithmetic.
    first = start.astimezone(zone).toordinal() - margin
    last = end.astimezone(zone).toordinal() + margin
    return [dt.date.fromordinal(n) for n in range(first, last + 1)]
