"""The errors the library raises on purpose, all under one root."""

from __future__ import annotations

from typing import Any

__all__ = [
    "CalendarError",
    "ClientError",
    "ClinicError",
    "DocumentError",
    "InvalidTimeError",
    "MesotherapyError",
    "MissingExtraError",
    "RuleSetError",
    "SchedulingError",
    "UnknownCodeError",
    "key_path",
    "named",
]


def key_path(path: str, key: object) -> str:
    """The path of *key* inside *path*, as an error's problems name it.

    >>> key_path("hours", "monday"), key_path("hours.monday", 1), key_path("", "name")
    ('hours.monday', 'hours.monday[1]', 'name')
    """
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def named(field: str) -> str:
    """The words naming *field* at the start of a message: none for ``"value"``.

    A reader that names the key path itself (the shared converter, from cattrs' notes)
    asks for the bare message by passing ``field="value"``.

    >>> named("birth_date"), named("value")
    ('birth_date: ', '')
    """
    return "" if field == "value" else f"{field}: "


class MesotherapyError(Exception):
    """The root of every error this library raises on purpose.

    Catch it to handle any refusal of the library; catch a subclass, or the built-in it
    also derives from (`ValueError`, `LookupError`), to be more precise.

    >>> issubclass(RuleSetError, ValueError) and issubclass(RuleSetError, MesotherapyError)
    True

    Attributes:
        problems: where one input had several problems (a rule file, a clinic file), every
            one of them, each ``"key.path: message"``; empty when the message says it all.
    """

    problems: tuple[str, ...] = ()


class RuleSetError(MesotherapyError, ValueError):
    """A rule set (a file or a mapping) is invalid.

    Attributes:
        problems: every problem found, each ``"key.path: message"``; the message of the
            error is the first of them plus a count of the rest.
    """

    def __init__(self, problems: list[str] | tuple[str, ...], *, source: str | None = None) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.source = source
        where = f"{source}: " if source else ""
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{where}{self.problems[0]}{more}")

    def __reduce__(self) -> tuple[Any, ...]:
        # By default an exception pickles as its message, which __init__ would take for
        # the list of problems: rebuild it from the problems and the source instead.
        return (_rule_set_error, (type(self), self.problems, self.source), self.__dict__)


def _rule_set_error(
    cls: type[RuleSetError], problems: tuple[str, ...], source: str | None
) -> RuleSetError:
    return cls(problems, source=source)


class ClinicError(RuleSetError):
    """A clinic (a clinic file, a mapping, or a value built in code) is invalid.

    A `RuleSetError`, so that code that catches those catches it too.

    >>> import mesotherapy as meso
    >>> try:
    ...     meso.Interval(start="12:00", end="09:00")
    ... except meso.ClinicError as error:
    ...     print(error.problems)
    ('end: expected the end after the start, got 12:00-09:00',)

    Attributes:
        problems: every problem found, each ``"key.path: message"``; the message of the
            error is the first of them plus a count of the rest.
    """


class CalendarError(ClinicError):
    """An iCalendar file of busy time cannot be read.

    Not iCalendar, a zone no database knows, an event that ends before it starts. A
    `ClinicError`, since a clinic's calendars are part of its diary: code that catches
    those catches it too. The message names the source (the path) and the line or the
    event's ``UID``, never the file's text.
    """


class ClientError(MesotherapyError, ValueError):
    """The facts about a client are malformed (a wrong type, a future birth date...)."""


class DocumentError(MesotherapyError, ValueError):
    """A JSON document (a plan, an assessment) is malformed; the message names the path."""


class UnknownCodeError(MesotherapyError, LookupError):
    """A code (condition, medication, area...) that the rule set does not define."""


class InvalidTimeError(MesotherapyError, ValueError):
    """A date or time that is naive, malformed, or does not exist once in its zone."""


class SchedulingError(MesotherapyError, ValueError):
    """A plan cannot be made or changed without breaking one of its rules."""


class MissingExtraError(MesotherapyError, ImportError):
    """A function needs an optional dependency that is not installed.

    The message names the extra to install, such as ``pip install 'mesotherapy[ical]'``.
    """
