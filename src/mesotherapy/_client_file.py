"""Reading a client: the JSON object of a client file, structured by the shared converter.

Every problem of the object is found in one pass and named by its key path, taken from
cattrs' notes (``medications[0].last_taken: ...``); the domain classes keep no reading.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NewType, NoReturn

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, override

from ._convert import converter, problems
from ._errors import ClientError, MesotherapyError
from ._model import (
    _PLAIN_LISTS,
    Area,
    Client,
    Concern,
    Medication,
    PriorTreatment,
    SkinFinding,
    _client_id,
    _code,
)

__all__ = ["client_from_dict", "load_client"]

# A code in a client's facts ("Lidocaine " reads as lidocaine), and a set of them: types of
# their own, so that the converter reads them apart from other text.
_CodeText = NewType("_CodeText", str)
_Codes = NewType("_Codes", frozenset[str])


def client_from_dict(data: Any) -> Client:
    """A client from the JSON object of a client file (see the README).

    >>> client_from_dict({"birth_date": "1985-03-02", "concerns": ["dullness"]}).concerns
    frozenset({<Concern.DULLNESS: 'dullness'>})
    >>> client_from_dict({"birth_date": "1985-03-02", "medications": [{"code": 5}]})
    Traceback (most recent call last):
    ...
    mesotherapy._errors.ClientError: medications[0].code: expected a code in lower_snake_case, got 5

    Raises:
        ClientError: the object is malformed; `ClientError.problems` lists every problem,
            each naming its key path. Where every problem is a malformed date, the error is
            an `InvalidTimeError`; where every one is an unknown area or concern, an
            `UnknownCodeError` naming the nearest code.
    """
    return _structured(data, source=None)


def load_client(path: object) -> Client:
    r"""The client of the client file at *path*: UTF-8 JSON, with or without a byte order mark.

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "client.json"
    >>> _ = file.write_bytes(b'\xef\xbb\xbf{"birth_date": "1985-03-02"}')  # a BOM
    >>> load_client(file).birth_date
    Date(1985, 3, 2)

    Raises:
        ClientError: *path* is no path, the file cannot be read or is no JSON, or its object
            is malformed (as `client_from_dict` says), the message naming the file.
    """
    if not isinstance(path, str | os.PathLike) or not isinstance(os.fspath(path), str):
        msg = f"path: expected the path of a client file as text, got a {type(path).__name__}"
        raise ClientError(msg)
    where = os.fspath(path)
    try:
        # "utf-8-sig": a byte order mark, which some editors write, is read as nothing.
        data = json.loads(Path(where).read_text("utf-8-sig"))
    except OSError as error:
        raise ClientError(f"{where}: cannot read the file ({error.strerror})") from None
    except ValueError as error:
        if not isinstance(error, UnicodeDecodeError | json.JSONDecodeError):
            # A name no file can have, such as one holding a null byte.
            raise ClientError(f"{where}: cannot read the file ({error})") from None
        raise ClientError(f"{where}: not valid JSON ({error})") from None
    except RecursionError:
        raise ClientError(f"{where}: not valid JSON (nested too deeply)") from None
    return _structured(data, source=where)


def _structured(data: Any, *, source: str | None) -> Client:
    if not isinstance(data, Mapping):
        # The whole client is described by its type only: its repr could hold the id.
        _raise(
            [f"the client: expected an object, got a {type(data).__name__}"], {ClientError}, source
        )
    try:
        return _converter().structure(data, Client)
    except (ClassValidationError, ForbiddenExtraKeysError) as error:
        _raise(list(problems(error)), set(_kinds(error)), source)


def _raise(found: list[str], kinds: set[type[MesotherapyError]], source: str | None) -> NoReturn:
    # One kind shared by every problem keeps its class (a date, an unknown code);
    # problems of several kinds are a client's malformed facts.
    kind = kinds.pop() if len(kinds) == 1 else ClientError
    where = f"{source}: " if source else ""
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    error = kind(f"{where}{found[0]}{more}")
    error.problems = tuple(found)  # `check` commands print every one
    raise error from None


def _kinds(error: BaseException) -> Iterator[type[MesotherapyError]]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _kinds(inner)
    else:
        yield type(error) if isinstance(error, MesotherapyError) else ClientError


@functools.cache
def _converter() -> cattrs.Converter:
    """The shared converter, with the hooks of a client's facts."""
    conv = converter().copy()
    conv.register_structure_hook(_CodeText, _code_text)
    conv.register_structure_hook(_Codes, _set_of(conv, _CodeText))
    code = override(struct_hook=_code_text)
    conv.register_structure_hook(
        Medication, _mapping(make_dict_structure_fn(Medication, conv, code=code))
    )
    conv.register_structure_hook(
        PriorTreatment, _mapping(make_dict_structure_fn(PriorTreatment, conv, kind=code))
    )
    finding = _mapping(make_dict_structure_fn(SkinFinding, conv, code=code))
    conv.register_structure_hook(SkinFinding, _skin_finding(conv, finding))
    conv.register_structure_hook(
        Client,
        make_dict_structure_fn(
            Client,
            conv,
            id=override(struct_hook=_id),
            conditions=override(struct_hook=_set_of(conv, _CodeText)),
            allergies=override(struct_hook=_set_of(conv, _CodeText)),
            medications=override(struct_hook=_set_of(conv, Medication)),
            skin_findings=override(struct_hook=_skin_findings(conv)),
            treatments=override(struct_hook=_set_of(conv, PriorTreatment)),
            concerns=override(struct_hook=_set_of(conv, Concern)),
        ),
    )
    return conv


def _code_text(value: Any, _: type) -> str:
    return _code(value, field="value")


def _id(value: Any, _: type) -> str | None:
    return _client_id(value, field="value")


def _set_of(conv: cattrs.Converter, item: Any) -> Callable[[Any, type], frozenset[Any]]:
    listed: Any = list[item]  # a type chosen at run time
    hook = conv.get_structure_hook(listed)

    def structure(values: Any, _: type) -> frozenset[Any]:
        # A string, a mapping or a number is no list, and no string is read letter by letter.
        if type(values) not in _PLAIN_LISTS:
            msg = f"expected a list, got {values!r}"
            raise ClientError(msg)
        return frozenset(hook(list(values), listed))

    return structure


def _mapping(structure: Callable[[Any, type], Any]) -> Callable[[Any, type], Any]:
    def checked(value: Any, cls: type) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            msg = f"expected an object, got {value!r}"
            raise ClientError(msg)
        return structure(value, cls)

    return checked


def _skin_finding(
    conv: cattrs.Converter, finding: Callable[[Any, type], SkinFinding]
) -> Callable[[Any, type], SkinFinding]:
    pair: Any = tuple[Area, _CodeText]

    def structure(value: Any, cls: type) -> SkinFinding:
        if isinstance(value, list | tuple) and len(value) == 2:  # an (area, code) pair
            return SkinFinding(*conv.structure(value, pair))
        if isinstance(value, SkinFinding | Mapping):
            return finding(value, cls)
        msg = f"expected an (area, code) pair or an object, got {value!r}"
        raise ClientError(msg)

    return structure


def _skin_findings(conv: cattrs.Converter) -> Callable[[Any, type], frozenset[SkinFinding]]:
    by_area = dict[Area, _Codes]
    entries = _set_of(conv, SkinFinding)

    def structure(values: Any, cls: type) -> frozenset[SkinFinding]:
        # A mapping of each area to its codes, or a list of findings.
        if isinstance(values, Mapping):
            found = conv.structure(values, by_area)
            return frozenset(
                SkinFinding(area, code) for area, codes in found.items() for code in codes
            )
        return entries(values, cls)

    return structure
