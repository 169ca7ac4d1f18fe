"""Button data as small typed classes, which pack and unpack themselves.

A button's data is what a press sends back. Each kind of button is a frozen dataclass that names
a readable prefix and typed fields (str, int, bool, a `Literal` of words; `None`-able ones at
the end), packed as "prefix:field:field":

    @dataclass(frozen=True)
    class Answer(ButtonData, prefix="ans", legacy="a"):
        question: str
        option: str

    Answer("ktp_city", "yes").pack() == "ans:ktp_city:yes"
    Answer.unpack("a:ktp_city:yes") == Answer("ktp_city", "yes")

Telegram's callback data is at most 64 bytes, the floor of every channel (WhatsApp takes longer
ids), so the data is checked when a button is built, not when it is sent: a value with the
separator, or data over 64 bytes, raises `ButtonDataError` there. What comes back is never
trusted: `unpack` returns None for anything malformed and never raises.

Buttons stay pressable on owners' phones forever, so a class also names the prefixes that
older versions put before the same fields (`legacy`): "a:<question>:<option>" is still an
`Answer`. A legacy prefix may hold a word that picked the action ("stses:flow"); the router
matches the longest prefix first.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from functools import cache
from typing import Any, ClassVar, Literal, Self

MAX_BYTES = 64  # Telegram's callback_data limit, the smallest of the channels'
SEP = ":"
_PREFIX = re.compile(r"[a-z][a-z0-9]{0,15}")
_LEGACY = re.compile(r"[a-z]{1,16}(?::[a-z]{1,16})?")
# Canonical decimal only ("7", not "07" or "+7"), small enough for SQLite's 64-bit integers.
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_BAD = object()


class ButtonDataError(ValueError):
    """Button data that cannot be built: a wrong value, the separator in one, over 64 bytes."""


@dataclasses.dataclass(frozen=True)
class Field:
    """One field of a kind of button data, as it is packed."""

    name: str
    kind: type  # str, int or bool
    choices: tuple[str, ...] = ()  # a Literal's words: only these
    optional: bool = False  # may be None, and is then left out at the end
    required: bool = True  # no default: the data must have it


@dataclasses.dataclass(frozen=True)
class ButtonData:
    """A kind of button data: subclass it as a frozen dataclass with `prefix=` (and `legacy=`)."""

    prefix: ClassVar[str] = ""
    legacy: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, prefix: str = "", legacy: str | tuple[str, ...] = (),
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        olds = (legacy,) if isinstance(legacy, str) else tuple(legacy)
        if not _PREFIX.fullmatch(prefix):
            raise TypeError(f"{cls.__name__}: prefix {prefix!r} must be 1-16 of a-z0-9")
        for old in olds:
            if not _LEGACY.fullmatch(old):
                raise TypeError(f"{cls.__name__}: legacy prefix {old!r} must be one or two "
                                "words of a-z, joined by ':'")
        cls.prefix = prefix
        cls.legacy = olds

    def __post_init__(self) -> None:
        self.pack()  # built wrong, it fails here, where the button is made

    @classmethod
    def fields(cls) -> tuple[Field, ...]:
        """The fields in the order they are packed (checked once; a wrong one raises)."""
        return _fields(cls)

    @classmethod
    def prefixes(cls) -> tuple[str, ...]:
        """The prefix, then the legacy ones."""
        return (cls.prefix, *cls.legacy)

    def pack(self) -> str:
        """The data to put on the button: "prefix:field:field", at most 64 bytes."""
        fields = self.fields()
        values = [getattr(self, f.name) for f in fields]
        while values and values[-1] is None and fields[len(values) - 1].optional:
            values.pop()  # what is not said is None
        parts = [self.prefix] + [_text(type(self), f, v) for f, v in zip(fields, values,
                                                                         strict=False)]
        data = SEP.join(parts)
        try:
            size = len(data.encode())
        except UnicodeEncodeError:
            raise ButtonDataError(f"{type(self).__name__}: a value is not valid text") from None
        if size > MAX_BYTES:
            raise ButtonDataError(f"{type(self).__name__}: {data!r} is {size} bytes, over "
                                  f"{MAX_BYTES} bytes (what a button can carry)")
        return data

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """The button data `data` carries, under this class's prefix or a legacy one; None for
        anything malformed (data is what a person sent: it may be forged)."""
        if not isinstance(data, str):
            return None
        try:
            if len(data.encode()) > MAX_BYTES:
                return None
        except UnicodeEncodeError:
            return None
        for prefix in sorted(cls.prefixes(), key=len, reverse=True):
            if data == prefix:
                return cls._from([])
            if data.startswith(prefix + SEP):
                return cls._from(data[len(prefix) + 1:].split(SEP))
        return None

    @classmethod
    def _from(cls, parts: list[str]) -> Self | None:
        fields = cls.fields()
        if not sum(f.required for f in fields) <= len(parts) <= len(fields):
            return None
        values = {}
        for field, text in zip(fields, parts, strict=False):
            value = _value(field, text)
            if value is _BAD:
                return None
            values[field.name] = value
        try:
            return cls(**values)
        except (ValueError, TypeError):  # a check of the class's own said no
            return None


def _text(kind: type, field: Field, value: object) -> str:
    """One value as packed; a value the field cannot carry raises ButtonDataError."""
    where = f"{kind.__name__}.{field.name}"
    if field.kind is bool and isinstance(value, bool):
        return "1" if value else "0"
    if field.kind is int and isinstance(value, int) and not isinstance(value, bool):
        if not _INT.fullmatch(str(value)):
            raise ButtonDataError(f"{where}: {value} has too many digits")
        return str(value)
    if field.kind is str and isinstance(value, str):
        if not value:
            raise ButtonDataError(f"{where}: empty")
        if SEP in value:
            raise ButtonDataError(f"{where}: {value!r} holds the separator {SEP!r}")
        if field.choices and value not in field.choices:
            raise ButtonDataError(f"{where}: {value!r} is not one of {field.choices}")
        return value
    if value is None and field.optional:
        raise ButtonDataError(f"{where}: None before a later value cannot be packed")
    raise ButtonDataError(f"{where}: {value!r} is not a {field.kind.__name__}")


def _value(field: Field, text: str) -> object:
    """One packed value read back, or _BAD."""
    if field.kind is bool:
        return {"1": True, "0": False}.get(text, _BAD)
    if field.kind is int:
        return int(text) if _INT.fullmatch(text) else _BAD
    if not text or (field.choices and text not in field.choices):
        return _BAD
    return text


@cache
def _fields(cls: type[ButtonData]) -> tuple[Field, ...]:
    params = getattr(cls, "__dataclass_params__", None)
    if cls.__dict__.get("__dataclass_fields__") is None or params is None or not params.frozen:
        raise TypeError(f"{cls.__name__} must be a frozen dataclass")
    hints = typing.get_type_hints(cls)
    return tuple(_field(cls, f, hints[f.name]) for f in dataclasses.fields(cls))


def _field(cls: type, field: dataclasses.Field[Any], hint: Any) -> Field:
    where = f"{cls.__name__}.{field.name}"
    optional = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1 or len(typing.get_args(hint)) != 2:
            raise TypeError(f"{where}: only `X | None` unions can be packed")
        optional, hint = True, args[0]
    choices: tuple[str, ...] = ()
    if typing.get_origin(hint) is Literal:
        choices = typing.get_args(hint)
        if not all(isinstance(c, str) and c and SEP not in c for c in choices):
            raise TypeError(f"{where}: a Literal of words without {SEP!r} only")
        hint = str
    if hint not in (str, int, bool):
        raise TypeError(f"{where}: {hint!r} cannot be packed (str, int, bool, Literal)")
    has_default = field.default is not dataclasses.MISSING or \
        field.default_factory is not dataclasses.MISSING
    if optional and field.default is not None:
        raise TypeError(f"{where}: a field that may be None defaults to None")
    return Field(field.name, hint, choices, optional, not has_default)
