"""What the writers make of a value they meet again, kept: bounded memos.

A plan's session instants recur in every export of it and in every outcome of a batch
that plans the same slots, and formatting them (``isoformat``, a narrative's local time)
costs far more than finding them again. `by_instant` wraps a writer of one instant in a
memo that tells apart what equality between datetimes leaves out. A plan's clinic and
protocol are the same frozen objects plan after plan, and their documents are written
once each: `by_object` keeps what is made of an object by the object itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

__all__ = ["by_instant", "by_object", "iso_text"]

_Moment = TypeVar("_Moment", bound=dt.datetime)
_Text = TypeVar("_Text")
_Value = TypeVar("_Value")


def by_instant(
    write: Callable[[_Moment], _Text], *, most: int = 4096
) -> Callable[[_Moment], _Text]:
    """*write*, with what it wrote kept for at most *most* instants (then started afresh).

    The key is the instant with its fold, its tzinfo and its type: two times of one tzinfo
    compare by their wall clock alone (the two passes of a repeated hour are equal), two
    of different zones by their UTC (the same instant, written with other offsets), and
    pendulum's and the standard library's types write different texts. The tzinfo is
    keyed by its identity: pendulum's zones hash in Python, a third of a lookup, and the
    instant in the key holds its tzinfo, so no other can take its id while the text is
    kept. *write* must not give ``None``.

    >>> import pendulum
    >>> texts = by_instant(dt.datetime.isoformat, most=2)
    >>> first = pendulum.datetime(2026, 11, 1, 1, 30, tz="America/Toronto", fold=0)
    >>> second = first.add(hours=1)  # the repeated hour: the same wall time, another offset
    >>> first == second, texts(first), texts(second)
    (True, '2026-11-01T01:30:00-04:00', '2026-11-01T01:30:00-05:00')
    """
    kept: dict[tuple[dt.datetime, int, int, type], _Text] = {}

    def written(moment: _Moment) -> _Text:
        key = (moment, moment.fold, id(moment.tzinfo), type(moment))
        found = kept.get(key)
        if found is None:
            # Far more instants than a plan or a batch's slots hold: start again, rather
            # than track which to drop (a dict's clear is one step; the memo refills).
            if len(kept) >= most:
                kept.clear()
            found = kept[key] = write(moment)
        return found

    return written


def by_object(make: Callable[[_Value], _Text], *, most: int = 256) -> Callable[[_Value], _Text]:
    """*make*, with what it made kept for at most *most* objects (then started afresh).

    Kept by the object's identity, for frozen values (a clinic, a protocol) whose equality
    would cost as much as *make*: the object is kept with its entry, so that no other
    takes its id while the entry lives. What is made is shared: the caller never changes it.

    >>> made = []
    >>> names = by_object(lambda value: made.append(value) or len(value))
    >>> clinic = ("a clinic",)
    >>> names(clinic), names(clinic), len(made)
    (1, 1, 1)
    """
    kept: dict[int, tuple[object, _Text]] = {}

    def made(value: _Value) -> _Text:
        entry = kept.get(id(value))
        if entry is not None and entry[0] is value:
            return entry[1]
        result = make(value)
        if len(kept) >= most:
            kept.clear()
        kept[id(value)] = (value, result)
        return result

    return made


iso_text: Callable[[dt.datetime], str] = by_instant(dt.datetime.isoformat)
"""An instant's ISO 8601 text with its UTC offset (``datetime.isoformat``), kept.

`datetime.isoformat` itself, for pendulum's type too: the same text as pendulum's
own, without its Python layer.

>>> import pendulum
>>> iso_text(pendulum.datetime(2026, 11, 24, 9, tz="America/Toronto"))
'2026-11-24T09:00:00-05:00'
"""
