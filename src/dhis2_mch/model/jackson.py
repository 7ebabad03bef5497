"""Metadata objects read the way DHIS2 reads them: Jackson, as dhis2-core configures it.

DHIS2 parses ``POST /api/metadata`` with ``DefaultRenderService.fromMetadata``: the body becomes a
tree, then each object goes through ``ObjectMapper.treeToValue`` with the mapper of
``JacksonObjectMapperConfig.configureMapper``. That mapper keeps Jackson's default coercions
(``ACCEPT_FLOAT_AS_INT``, ``ALLOW_COERCION_OF_SCALARS``; jackson-databind ``CoercionConfigs``,
``StdDeserializer._parseInteger`` / ``_parseBoolean``), ignores unknown properties
(``FAIL_ON_UNKNOWN_PROPERTIES`` off) and reads every ``String`` with
``EmptyStringToNullStdDeserializer`` (``parser.getValueAsString()``, empty → null). So:

* text property: a string; a number or a boolean becomes its text (``-1`` → ``"-1"``); ``""`` is null;
* integer property: an integer; a float is truncated (``0.0`` → 0, ``1.5`` → 1); a string is parsed
  (``"5"``), ``""`` is null; a boolean, or a string that is no integer, is refused;
* boolean property: true/false; ``"true"``/``"True"``/``"TRUE"`` (and false alike); an integer
  (0 → false, other → true); ``""`` is null; anything else is refused;
* decimal property: a number, or a string holding one;
* object or list property: an object (list); anything else is refused.

A refusal fails DHIS2's whole request (a JSON mapping error), so the loader reports it as an error.

Objects keep the JSON they were given, verbatim (a load → dump round trip is exact); attribute
access returns the value as DHIS2 reads it (``obj.numerator == "-1"``) and a reference or nested
object as a view over that JSON. Plain classes rather than pydantic: reading a large WHO package must
cost little more than ``json.load`` (the validator's speed target), and Jackson's coercions are not
pydantic's in either of its modes.
"""

from __future__ import annotations

import inspect
import math
import re
import sys
from typing import Any, ClassVar

_INT_TEXT = re.compile(r"[+-]?\d+")
_NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(NaN|Infinity)")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")


class ValidationError(ValueError):
    """What DHIS2's JSON reader refuses in one object; ``errors()`` lists each property's problem."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problems))
        self._problems = problems

    def errors(self) -> list[dict[str, Any]]:
        """``[{"loc": ("zeroIsSignificant",), "msg": "...", "input": "yes"}]``"""
        return self._problems


def java_text(value: Any) -> str:
    """A JSON number or boolean as Jackson's ``getValueAsString`` renders it (Java's ``toString``)."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0.0"
    # the shortest digits that round-trip (Python's repr, like Java's Double.toString) and the point's place
    mantissa, _, exp = repr(abs(value)).partition("e")
    whole, _, frac = mantissa.partition(".")
    raw = whole + frac
    digits = raw.lstrip("0")
    point = len(whole) + int(exp or 0) - (len(raw) - len(digits))
    digits = digits.rstrip("0") or "0"
    if 1e-3 <= abs(value) < 1e7:  # Double.toString: plain notation with at least one decimal
        if point <= 0:
            text = "0." + "0" * -point + digits
        elif point >= len(digits):
            text = digits + "0" * (point - len(digits)) + ".0"
        else:
            text = digits[:point] + "." + digits[point:]
    else:  # computerized scientific notation, 1.0E10
        text = f"{digits[0]}.{digits[1:] or '0'}E{point - 1}"
    return sign + text


# ---- one property ---------------------------------------------------------------------------------
# Each reader returns (value as DHIS2 reads it, problem or None, note or None); a note is something
# DHIS2 accepts silently but changes (a truncated float).


def _read_text(v: Any) -> tuple[Any, str | None, str | None]:
    if type(v) is str:
        return (v or None), None, None
    if isinstance(v, bool | int | float):
        return java_text(v), None, None
    return None, f"expected a text, got a JSON {_json_kind(v)}", None


def _read_int(v: Any) -> tuple[Any, str | None, str | None]:
    if type(v) is int:
        if INT_MIN <= v <= INT_MAX:
            return v, None, None
        return None, f"{v} is out of range of a Java int", None
    if type(v) is float:
        if math.isnan(v) or math.isinf(v) or not INT_MIN <= v < INT_MAX + 1:
            return None, f"{v} is out of range of a Java int", None
        if v.is_integer():
            return int(v), None, None
        return int(v), None, f"DHIS2 truncates {v} to {int(v)}"
    if type(v) is str:
        text = v.strip()
        if not text:
            return None, None, None
        if _INT_TEXT.fullmatch(text) and INT_MIN <= int(text) <= INT_MAX:
            return int(text), None, None
        return None, f"`{v}` is not a valid integer", None
    return None, f"expected an integer, got a JSON {_json_kind(v)}", None


def _read_bool(v: Any) -> tuple[Any, str | None, str | None]:
    if v is True or v is False:
        return v, None, None
    if type(v) is int:
        return v != 0, None, None
    if type(v) is str:
        text = v.strip()
        if not text:
            return None, None, None
        if text in _TRUE or text in _FALSE:
            return text in _TRUE, None, None
        return None, f'`{v}` is not a boolean (only "true"/"True"/"TRUE" or "false"/"False"/"FALSE")', None
    return None, f"expected a boolean, got a JSON {_json_kind(v)}", None


def _read_float(v: Any) -> tuple[Any, str | None, str | None]:
    if type(v) is float or type(v) is int:
        return float(v), None, None
    if type(v) is str:
        text = v.strip()
        if not text:
            return None, None, None
        if _NUMBER_TEXT.fullmatch(text):
            return float(text.replace("Infinity", "inf")), None, None
        return None, f"`{v}` is not a number", None
    return None, f"expected a number, got a JSON {_json_kind(v)}", None


def _read_dict(v: Any) -> tuple[Any, str | None, str | None]:
    if isinstance(v, dict):
        return v, None, None
    return None, f"expected an object, got a JSON {_json_kind(v)}", None


def _read_any(v: Any) -> tuple[Any, str | None, str | None]:
    return v, None, None


SCALARS = {"str": _read_text, "int": _read_int, "bool": _read_bool, "float": _read_float, "dict": _read_dict,
           "Any": _read_any}  # fmt: skip
FAST = {"str": str, "int": int, "bool": bool, "float": float, "dict": dict}


def _json_kind(v: Any) -> str:
    if v is True or v is False:
        return "boolean"
    return {str: "string", int: "number", float: "number", list: "array", dict: "object"}.get(type(v), "value")


# ---- objects --------------------------------------------------------------------------------------


class Field:
    """One declared property: its JSON shape (``kind``) and, for objects, the class that reads them."""

    __slots__ = ("kind", "many", "model", "name")

    def __init__(self, name: str, kind: str, many: bool, model: type[Model] | None) -> None:
        self.name, self.kind, self.many, self.model = name, kind, many, model


class Model:
    """A DHIS2 JSON object: the JSON as given, read on access with Jackson's rules (module docstring)."""

    __slots__ = ("_data", "_notes")
    _data: dict[str, Any]
    _notes: list[tuple[str, str]] | None
    #: declared properties in declaration order (base classes first)
    model_fields: ClassVar[dict[str, Field]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        namespace = vars(sys.modules[cls.__module__])
        fields = dict(cls.model_fields)
        for name, annotation in inspect.get_annotations(cls).items():
            text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
            if text.startswith("ClassVar") or name.startswith("_"):
                continue
            fields[name] = _field(name, text, namespace)
            if name in cls.__dict__ and cls.__dict__[name] is None:
                delattr(cls, name)  # a ``= None`` default would hide __getattr__
        cls.model_fields = fields

    # ---- construction ----------------------------------------------------------------------------

    def __init__(self, **data: Any) -> None:
        _data, notes = type(self)._check(data)
        object.__setattr__(self, "_data", _data)
        object.__setattr__(self, "_notes", notes)

    @classmethod
    def model_validate(cls, data: Any, *, strict: bool | None = None) -> Any:
        """Read ``data`` (a JSON object) as DHIS2 would, or raise ``ValidationError`` where DHIS2 refuses."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            raise ValidationError([{"loc": (), "msg": f"expected an object, got a JSON {_json_kind(data)}",
                                    "input": data}])  # fmt: skip
        obj = object.__new__(cls)
        _data, notes = cls._check(data)
        object.__setattr__(obj, "_data", _data)
        object.__setattr__(obj, "_notes", notes)
        return obj

    @classmethod
    def model_construct(cls, _fields_set: Any = None, **data: Any) -> Any:
        """An object holding ``data`` unchecked (kept verbatim, e.g. one the reader refused)."""
        obj = object.__new__(cls)
        object.__setattr__(obj, "_data", {k: _plain(v) for k, v in data.items()})
        object.__setattr__(obj, "_notes", None)
        return obj

    @classmethod
    def _check(cls, data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        fields = cls.model_fields
        problems: list[dict[str, Any]] | None = None
        notes: list[tuple[str, str]] | None = None
        out = dict(data)
        for key, value in data.items():
            f = fields.get(key)
            if f is None or value is None:
                continue
            if isinstance(value, Model):  # a typed value given in Python
                out[key] = value.dump()
                continue
            if isinstance(value, list) and any(isinstance(v, Model) for v in value):
                value = out[key] = [v.dump() if isinstance(v, Model) else v for v in value]
            if f.many:
                if not isinstance(value, list):
                    problems = _add(problems, (key,), f"expected a list, got a JSON {_json_kind(value)}", value)
                    continue
                items = value
            else:
                items = [value]
            for i, item in enumerate(items):
                if item is None:
                    continue
                loc = (key, i) if f.many else (key,)
                if f.model is not None:
                    if isinstance(item, Model):
                        continue
                    if not isinstance(item, dict):
                        problems = _add(problems, loc, f"expected an object, got a JSON {_json_kind(item)}", item)
                        continue
                    try:
                        _, inner = f.model._check(item)
                    except ValidationError as exc:
                        for p in exc.errors():
                            problems = _add(problems, loc + tuple(p["loc"]), p["msg"], p["input"])
                        continue
                    if inner:
                        notes = (notes or []) + [(".".join(map(str, loc)) + "." + k, n) for k, n in inner]
                    continue
                if type(item) is FAST.get(f.kind) and f.kind != "int":
                    continue
                _, problem, note = SCALARS[f.kind](item)
                if problem:
                    problems = _add(problems, loc, problem, item)
                elif note:
                    notes = (notes or []) + [(".".join(map(str, loc)), note)]
        if problems:
            raise ValidationError(problems)
        return out, notes

    # ---- access ----------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        fields = type(self).model_fields
        f = fields.get(name)
        if f is None:
            if name.startswith("__"):
                raise AttributeError(name)
            try:
                return self._data[name]
            except KeyError:
                raise AttributeError(f"{type(self).__name__} has no property {name!r}") from None
        value = self._data.get(name)
        if value is None:
            return None
        if f.many:
            if not isinstance(value, list):
                return None
            return [_view(f, item) for item in value]
        return _view(f, value)

    def __setattr__(self, name: str, value: Any) -> None:
        self._data[name] = _plain(value)

    @property
    def notes(self) -> list[tuple[str, str]]:
        """(property, what DHIS2 silently changes) for each such value, e.g. a truncated float."""
        return list(self._notes or [])

    def dump(self) -> dict[str, Any]:
        """The object as DHIS2 JSON: the properties it was given, as given (a copy)."""
        return _copy(self._data)

    def model_dump(self, *, mode: str = "json", exclude_unset: bool = True, exclude_none: bool = False) -> dict:
        out = self.dump()
        return {k: v for k, v in out.items() if v is not None} if exclude_none else out

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        return type(self).model_construct(**{**_copy(self._data), **(update or {})})

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._data == self._data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"_data": self._data, "_notes": self._notes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", state["_data"])
        object.__setattr__(self, "_notes", state["_notes"])


def _view(f: Field, value: Any) -> Any:
    if f.model is not None:
        if not isinstance(value, dict):
            return None
        obj = object.__new__(f.model)
        object.__setattr__(obj, "_data", value)
        object.__setattr__(obj, "_notes", None)
        return obj
    if type(value) is FAST.get(f.kind):
        return (value or None) if f.kind == "str" else value
    return SCALARS[f.kind](value)[0]


def _plain(value: Any) -> Any:
    """A value given in Python as JSON: typed objects (and lists of them) become their dicts."""
    if isinstance(value, Model):
        return value.dump()
    if isinstance(value, list) and any(isinstance(v, Model) for v in value):
        return [v.dump() if isinstance(v, Model) else v for v in value]
    return value


def _add(problems: list | None, loc: tuple, msg: str, value: Any) -> list:
    return [*(problems or []), {"loc": loc, "msg": msg, "input": value}]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


_ANNOTATION = re.compile(r"^(list\[(?P<item>.+)\]|(?P<one>[^\[\]|]+|dict\[.+\]))( \| None)?$")


def _field(name: str, annotation: str, namespace: dict[str, Any]) -> Field:
    """``list[Ref] | None`` -> Field(kind "model", many=True, model=Ref)."""
    m = _ANNOTATION.match(annotation.strip())
    if not m:
        raise TypeError(f"{name}: annotation {annotation!r} is not one the reader knows")
    many = m.group("item") is not None
    inner = (m.group("item") or m.group("one")).strip()
    if inner.startswith("dict["):
        inner = "dict"
    if inner in SCALARS:
        return Field(name, inner, many, None)
    model = namespace.get(inner)
    if not (isinstance(model, type) and issubclass(model, Model)):
        raise TypeError(f"{name}: {inner!r} is neither a JSON scalar nor a Model class")
    return Field(name, "model", many, model)
