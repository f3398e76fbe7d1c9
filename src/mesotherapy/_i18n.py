"""Message catalogues: the rules' texts and the instructions' words, per locale."""

from __future__ import annotations

import functools
import importlib.resources
from typing import Any

import attrs

from ._errors import UnknownCodeError

__all__ = ["LOCALES", "Messages", "messages"]

LOCALES = ("en", "fr_CA")
"""The locales whose catalogues the library ships."""


@attrs.frozen
class Messages:
    """One locale's catalogue: ``(context, English text) -> translation``.

    A rule's text is looked up under its rule key (``aftercare.makeup``) and its English
    text together, so that a clinic that rewords a rule in its own rule file gets its own
    words back, untranslated, rather than a translation of words it no longer uses.
    """

    locale: str
    table: dict[tuple[str | None, str], str] = attrs.field(eq=False, repr=False)

    def text(self, message: str, context: str | None = None, **values: Any) -> str:
        """The translation of *message* (the English) in *context*, formatted with *values*."""
        translated = self.table.get((context, message)) or message
        return translated.format(**values) if values else translated

    def has(self, message: str, context: str | None = None) -> bool:
        """Whether the catalogue translates *message* in *context*."""
        return bool(self.table.get((context, message)))


def _normalise(locale: object) -> str:
    if not isinstance(locale, str):
        msg = f"locale: expected a locale name such as 'fr_CA', got {locale!r}"
        raise UnknownCodeError(msg)
    key = locale.replace("-", "_")
    for known in LOCALES:
        if key.lower() == known.lower():
            return known
    msg = f"locale: unknown locale {locale!r}, expected one of {', '.join(LOCALES)}"
    raise UnknownCodeError(msg)


@functools.cache
def _load(locale: str) -> Messages:
    from babel.messages.pofile import read_po  # noqa: PLC0415 - Babel loads only when asked

    path = importlib.resources.files("mesotherapy").joinpath(
        "locales", locale, "LC_MESSAGES", "mesotherapy.po"
    )
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    table: dict[tuple[str | None, str], str] = {}
    for entry in catalog:
        if entry.id and isinstance(entry.id, str) and isinstance(entry.string, str):
            table[(entry.context, entry.id)] = entry.string
    return Messages(locale, table)


def messages(locale: str) -> Messages:
    """The catalogue of *locale* (``en``, ``fr_CA``; ``fr-CA`` is read the same).

    >>> messages("fr-CA").text("Avoid makeup", "aftercare.makeup")
    'Évitez le maquillage'

    Raises:
        UnknownCodeError: the library has no catalogue for *locale*.
    """
    return _load(_normalise(locale))
