"""Guards of the public functions' arguments: a value of the wrong type is refused by name.

Callers without a type checker pass dicts, paths and names where objects are expected; the
public functions refuse them with the library's own errors, naming the argument.
"""

from __future__ import annotations

from ._errors import RuleSetError
from ._rules import RuleSet, default_rules

__all__ = ["chosen_rules", "wrong_type"]


def chosen_rules(rules: object) -> RuleSet:
    """*rules*, or the default rules when it is ``None``.

    Raises:
        RuleSetError: *rules* is no `RuleSet` (a path or a name given in its place).
    """
    chosen = default_rules() if rules is None else rules
    if problem := wrong_type(chosen, RuleSet, "rules", "load_rules"):
        raise RuleSetError([problem])
    return chosen  # type: ignore[return-value]  # checked just above


def wrong_type(value: object, kind: type, field: str, hint: str) -> str | None:
    """The message refusing *value* when it is no *kind*, else ``None``.

    Callers without a type checker pass dicts and names where objects are expected; the
    public functions refuse them with the library's own errors, pointing at *hint*.

    >>> wrong_type({}, int, "client", "Client.from_dict")
    'client: expected a int (see Client.from_dict), got a dict'
    """
    if isinstance(value, kind):
        return None
    return f"{field}: expected a {kind.__name__} (see {hint}), got a {type(value).__name__}"
