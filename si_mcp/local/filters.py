"""LoopBack filters: parsing (JSON or bracket query form) and compiling to SQLAlchemy.

``where`` on a field that has its own column uses the column (indexed, typed); any other field of the
resource is read from the stored JSON with a JSON path (``json_extract`` on SQLite, ``CAST(... AS JSON)``
paths elsewhere), so the same filters work on PostgreSQL. ``like`` follows LoopBack on MongoDB, where
the pattern is a regular expression: plain text matches anywhere, ``^``/``$`` anchor, ``.``/``.*`` are
wildcards; a pattern with ``%`` is taken as SQL LIKE. ``like``, ``ilike`` and their negations ignore the case of
ASCII letters (not of others) on SQLite and PostgreSQL alike. Unknown fields or operators are a 400, never a 500.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import QueryParams

from si_mcp.models import MAX_LIMIT, Filter, Timestamp, wirejson

from .errors import LocalAPIError, bad_request
from .inputs import check_text

__all__ = [
    "Resource",
    "compile_order",
    "compile_where",
    "contains_pattern",
    "filter_from_query",
    "project_fields",
    "where_from_query",
]

_SEGMENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_\-]*$")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_MAX_CONDITIONS = 200
_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)
_COMPARISONS = {"gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__", "neq": "__ne__", "eq": "__eq__"}


@dataclass(frozen=True)
class Resource:
    """What the filter compiler needs to know about one resource."""

    name: str
    table: sa.Table
    columns: Mapping[str, str]
    """wire field name → column name, for the fields copied into columns."""
    fields: frozenset[str]
    """every top-level wire field; other names are refused."""
    relations: frozenset[str] = field(default_factory=frozenset)
    default_order: tuple[str, ...] = ("createdAt ASC",)
    json_kinds: Mapping[str, str] = field(default_factory=dict)
    """top-level JSON field → "number" or "bool", so bracket-form strings ("150", "true") compare right"""
    search: Callable[[str, str], sa.ColumnElement[bool]] | None = None
    """``{"_search": "term"}`` (an embedded API extension): rows whose search text contains ``term``, given the
    term and the dialect"""


# ---------------------------------------------------------------- parsing the query string


def filter_from_query(params: QueryParams) -> Filter:
    """``?filter=<json>`` and/or ``filter[where][type]=invoice&filter[limit]=5`` as a :class:`Filter`."""
    raw = _json_param(params, "filter")
    bracket = _bracket_params(params, "filter")
    if raw is None and bracket is None:
        return Filter()
    merged: dict[str, Any] = dict(raw or {})
    merged.update(bracket or {})
    try:
        return Filter.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'filter'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise bad_request(f"Invalid filter: {problems}", code="INVALID_FILTER") from None


def where_from_query(params: QueryParams) -> dict[str, Any] | None:
    """``?where=<json>`` or ``where[type]=invoice`` (the count endpoints)."""
    raw = _json_param(params, "where")
    bracket = _bracket_params(params, "where")
    if raw is None and bracket is None:
        return None
    merged = dict(raw or {})
    merged.update(bracket or {})
    return merged


def _json_param(params: QueryParams, name: str) -> dict[str, Any] | None:
    text = params.get(name)
    if text is None or not text.strip():
        return None
    try:
        value = wirejson.loads(text)
    except (ValueError, RecursionError):
        raise bad_request(f"The {name} parameter is not valid JSON.", code="INVALID_FILTER") from None
    if not isinstance(value, dict):
        raise bad_request(f"The {name} parameter must be a JSON object.", code="INVALID_FILTER")
    check_text(value, name, in_filter=True)
    return value


def _bracket_params(params: QueryParams, name: str) -> dict[str, Any] | None:
    prefix = name + "["
    found: dict[str, Any] | None = None
    for key, value in params.multi_items():
        if not key.startswith(prefix):
            continue
        path = _BRACKET.findall(key[len(name) :])
        if not path or "".join(f"[{p}]" for p in path) != key[len(name) :]:
            raise bad_request(f"Malformed query parameter {key[:100]!r}.", code="INVALID_FILTER")
        found = {} if found is None else found
        _assign(found, path, value)
    if found is None:
        return None
    result = _listify(found)
    assert isinstance(result, dict)
    check_text(result, name, in_filter=True)
    return result


def _assign(target: dict[str, Any], path: list[str], value: str) -> None:
    if len(path) > 8:
        raise bad_request("Filter is nested too deeply.", code="INVALID_FILTER")
    for segment in path[:-1]:
        nxt = target.setdefault(segment, {})
        if not isinstance(nxt, dict):
            raise bad_request("Conflicting filter parameters.", code="INVALID_FILTER")
        target = nxt
    last = path[-1]
    if last == "" or last in target:
        # filter[order]=a&filter[order]=b, or filter[where][type][inq][]=x: repeated keys make a list
        key = last or "__list__"
        previous = target.get(key)
        target[key] = [*previous, value] if isinstance(previous, list) else ([previous, value] if previous else [value])
    else:
        target[last] = value


def _listify(node: Any) -> Any:
    """Dicts keyed 0, 1, 2… (``filter[order][0]=…``) become lists, as qs-style parsers do."""
    if not isinstance(node, dict):
        return node
    if set(node) == {"__list__"}:
        return list(node["__list__"])
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


# ---------------------------------------------------------------- compiling


@dataclass(frozen=True)
class _Target:
    expr: Any
    kind: str  # "bool", "datetime", "date", "int", "str" for columns; "json_number", "json_bool" or "json" for JSON
    dialect: str = "sqlite"


def _target(name: str, resource: Resource, dialect: str) -> _Target:
    if not isinstance(name, str) or not name:
        raise _unknown_field(str(name), resource)
    column_name = resource.columns.get(name)
    if column_name is not None:
        column = resource.table.c[column_name]
        return _Target(column, _kind(column.type), dialect)
    path = name.split(".")
    if path[0] not in resource.fields or not all(_SEGMENT.match(p) for p in path):
        raise _unknown_field(name, resource)
    kind = "json_" + resource.json_kinds[name] if len(path) == 1 and name in resource.json_kinds else "json"
    if dialect != "sqlite" and kind in ("json_number", "json_bool"):
        # PostgreSQL extracts JSON as text: numbers and booleans must be typed to compare (and sort) as such.
        element = sa.cast(resource.table.c.data, sa.JSON)[tuple(path)]
        typed = element.as_numeric(38, 10) if kind == "json_number" else element.as_boolean()
        return _Target(typed, kind if kind == "json_number" else "bool", dialect)
    return _Target(json_value(resource.table.c.data, path, dialect), kind, dialect)


def json_value(column: sa.ColumnElement[Any], path: list[str], dialect: str) -> sa.ColumnElement[Any]:
    """The value at ``path`` inside a JSON text column, as an SQL value."""
    if dialect == "sqlite":
        extracted: sa.ColumnElement[Any] = sa.func.json_extract(column, "$" + "".join(f'."{p}"' for p in path))
        return extracted
    document: Any = sa.cast(column, sa.JSON)
    as_text: sa.ColumnElement[Any] = document[tuple(path)].as_string()
    return as_text


def _kind(type_: sa.types.TypeEngine[Any]) -> str:
    if isinstance(type_, sa.Boolean):
        return "bool"
    if isinstance(type_, sa.DateTime):
        return "datetime"
    if isinstance(type_, sa.Date):
        return "date"
    if isinstance(type_, sa.Integer):
        return "int"
    return "str"


def _unknown_field(name: str, resource: Resource) -> LocalAPIError:
    return bad_request(f"Unknown field {name[:100]!r} for {resource.name}.", code="INVALID_FILTER")


_MAX_SEARCH = 200


def compile_where(where: Mapping[str, Any] | None, resource: Resource, dialect: str) -> sa.ColumnElement[bool]:
    """A LoopBack ``where`` object as one SQL condition."""
    if not where:
        return sa.true()
    budget = [_MAX_CONDITIONS]
    return _clause(where, resource, dialect, budget)


def _clause(where: Any, resource: Resource, dialect: str, budget: list[int]) -> sa.ColumnElement[bool]:
    if not isinstance(where, Mapping):
        raise bad_request("A where clause must be an object.", code="INVALID_FILTER")
    parts: list[sa.ColumnElement[bool]] = []
    for key, condition in where.items():
        budget[0] -= 1
        if budget[0] < 0:
            raise bad_request("The where clause has too many conditions.", code="INVALID_FILTER")
        if key in ("and", "or"):
            if not isinstance(condition, list) or not condition:
                raise bad_request(f"'{key}' takes a non-empty list of clauses.", code="INVALID_FILTER")
            subs = [_clause(c, resource, dialect, budget) for c in condition]
            parts.append(sa.and_(*subs) if key == "and" else sa.or_(*subs))
        elif key == "_search" and resource.search is not None:
            if not isinstance(condition, str) or not condition.strip() or len(condition.strip()) > _MAX_SEARCH:
                raise bad_request(f"'_search' takes a string of 1 to {_MAX_SEARCH} characters.", code="INVALID_FILTER")
            parts.append(resource.search(condition.strip(), dialect))
        else:
            parts.append(_condition(_target(key, resource, dialect), key, condition))
    return sa.and_(*parts) if parts else sa.true()


def _condition(target: _Target, name: str, condition: Any) -> sa.ColumnElement[bool]:
    if isinstance(condition, Mapping):
        options = condition.get("options")
        operators = {k: v for k, v in condition.items() if k != "options"}
        if not operators:
            raise bad_request(f"No operator given for {name!r}.", code="INVALID_FILTER")
        clauses = [_operator(target, name, op, value, options) for op, value in operators.items()]
        return sa.and_(*clauses)
    return _equals(target, name, condition)


def _equals(target: _Target, name: str, value: Any) -> sa.ColumnElement[bool]:
    if value is None:
        return target.expr.is_(None)  # type: ignore[no-any-return]
    return target.expr == _coerce(target, name, value)  # type: ignore[no-any-return]


def _operator(target: _Target, name: str, op: str, value: Any, options: Any) -> sa.ColumnElement[bool]:
    expr = target.expr
    if op in _COMPARISONS:
        if value is None and op in ("eq", "neq"):
            return expr.is_(None) if op == "eq" else expr.is_not(None)  # type: ignore[no-any-return]
        return getattr(expr, _COMPARISONS[op])(_coerce(target, name, value))  # type: ignore[no-any-return]
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise bad_request(f"'between' on {name!r} takes a list of two values.", code="INVALID_FILTER")
        return expr.between(_coerce(target, name, value[0]), _coerce(target, name, value[1]))  # type: ignore[no-any-return]
    if op in ("inq", "nin"):
        values = value if isinstance(value, list) else [value]
        if len(values) > 1000:
            raise bad_request(f"'{op}' on {name!r} takes at most 1000 values.", code="INVALID_FILTER")
        coerced = [_coerce(target, name, v) for v in values]
        return expr.in_(coerced) if op == "inq" else expr.not_in(coerced)  # type: ignore[no-any-return]
    if op in ("like", "nlike", "ilike", "nilike", "regexp"):
        if not isinstance(value, str):
            raise bad_request(f"'{op}' on {name!r} takes a string pattern.", code="INVALID_FILTER")
        if target.kind not in ("str", "json"):
            raise bad_request(f"'{op}' applies to text fields; {name!r} is not one.", code="INVALID_FILTER")
        pattern = _like_pattern(value, name)
        if target.dialect == "sqlite":
            matched = expr.like(pattern, escape="\\")
        else:
            matched = sa.func.translate(expr, _UPPER, _LOWER).like(pattern.translate(_FOLD), escape="\\")
        return sa.not_(matched) if op.startswith("n") else matched  # type: ignore[no-any-return]
    raise bad_request(f"Unsupported operator {op[:40]!r} on {name!r}.", code="INVALID_FILTER")


# One meaning of like on both databases: SQLite's LIKE, which ignores the case of ASCII letters (only), whatever the
# operator (like, ilike) or options; PostgreSQL folds the same letters with translate() (its LIKE is case-sensitive,
# its ILIKE folds every letter).
_UPPER, _LOWER = string.ascii_uppercase, string.ascii_lowercase
_FOLD = str.maketrans(_UPPER, _LOWER)


def _like_pattern(pattern: str, name: str) -> str:
    if len(pattern) > 500:
        raise bad_request(f"The pattern for {name!r} is too long.", code="INVALID_FILTER")
    if "%" in pattern:
        return pattern
    start = pattern.startswith("^")
    end = pattern.endswith("$") and not pattern.endswith("\\$")
    body = pattern[1 if start else 0 : len(pattern) - (1 if end else 0)]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_escape_like(body[i + 1]))
            i += 2
            continue
        if body.startswith(".*", i):
            out.append("%")
            i += 2
            continue
        if ch == ".":
            out.append("_")
        elif ch in "[](){}+?|^$*":
            raise bad_request(
                f"The pattern for {name!r} uses regular-expression syntax this server does not support "
                "(plain text, ^, $, . and .* are supported).",
                code="INVALID_FILTER",
            )
        else:
            out.append(_escape_like(ch))
        i += 1
    return ("" if start else "%") + "".join(out) + ("" if end else "%")


def _escape_like(ch: str) -> str:
    return "\\" + ch if ch in "%_\\" else ch


def contains_pattern(term: str) -> str:
    """A ``like`` pattern matching ``term`` literally anywhere (for ``?term=`` searches)."""
    return "%" + "".join(_escape_like(ch) for ch in term[:200]) + "%"


def _coerce(target: _Target, name: str, value: Any) -> Any:
    """The filter value as the field's type; bracket-form values arrive as strings."""
    try:
        return _COERCIONS[target.kind](value)
    except (ValueError, TypeError, ArithmeticError, ValidationError):
        raise bad_request(f"Invalid value for {name!r}.", code="INVALID_FILTER") from None


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, bool):
        raise ValueError
    return _TIMESTAMP.validate_python(value).replace(tzinfo=None)


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    number = int(value)
    if not -(2**63) < number < 2**63:  # an SQL integer is 64 bits
        raise ValueError
    return number


def _to_str(value: Any) -> str:
    if isinstance(value, bool | dict | list):
        raise ValueError
    return str(value)


def _to_json_number(value: Any) -> Any:
    return _json_scalar(Decimal(value.strip()) if isinstance(value, str) else value)


def _never() -> Any:
    raise ValueError


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1):
        return True
    if value in ("false", "0", 0):
        return False
    raise ValueError


def _json_scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0  # json_extract yields 1/0 for true/false
    if isinstance(value, Decimal):
        # Finite and of a size a NUMERIC holds on PostgreSQL too (1e999999 or 1e-999999999 overflow there).
        if not value.is_finite() or (value and not -30 <= value.adjusted() <= 17):
            raise ValueError
        # bound as text and cast in SQL, so no float is made from the Decimal in Python
        return sa.cast(sa.literal(str(value), sa.String()), sa.Numeric())
    if isinstance(value, int | str):
        return value
    raise ValueError


_COERCIONS: dict[str, Callable[[Any], Any]] = {
    "bool": lambda v: _as_bool(v),
    "datetime": _to_datetime,
    "date": lambda v: date.fromisoformat(v.strip()[:10]) if isinstance(v, str) else _never(),
    "int": _to_int,
    "str": _to_str,
    "json": lambda v: _json_scalar(v),
    "json_number": _to_json_number,
    "json_bool": lambda v: _json_scalar(_as_bool(v)),
}


def compile_order(order: Any, resource: Resource, dialect: str) -> list[sa.ColumnElement[Any]]:
    """LoopBack ``order`` (``"date DESC"``, a list of those, or ``{"date": "DESC"}``) plus an id tiebreak."""
    if order is None:
        order = list(resource.default_order)
    terms: list[tuple[str, str]] = []
    if isinstance(order, str):
        order = [order]
    if isinstance(order, Mapping):
        terms = [(k, str(v).upper()) for k, v in order.items()]
    else:
        for term in order:
            parts = str(term).split()
            terms.append((parts[0], parts[1].upper() if len(parts) > 1 else "ASC"))
    clauses: list[sa.ColumnElement[Any]] = []
    for name, direction in terms[:10]:
        if direction not in ("ASC", "DESC"):
            raise bad_request(f"Order direction for {name!r} must be ASC or DESC.", code="INVALID_FILTER")
        expr = _target(name, resource, dialect).expr
        clauses.append(expr.desc() if direction == "DESC" else expr.asc())
    clauses.append(resource.table.c.id.asc())
    return clauses


def page(flt: Filter) -> tuple[int, int]:
    """(limit, offset), with the limit capped at :data:`MAX_LIMIT`."""
    limit = MAX_LIMIT if flt.limit is None else min(flt.limit, MAX_LIMIT)
    offset = flt.skip if flt.skip is not None else (flt.offset or 0)
    return limit, offset


def check_include(flt: Filter, resource: Resource) -> set[str]:
    """The relations asked for in ``include``; unknown ones are a 400."""
    include = flt.include
    names: set[str] = set()
    if include is None:
        return names
    if isinstance(include, str):
        names = {include}
    elif isinstance(include, list):
        names = {str(n) for n in include}
    else:
        names = {str(n) for n in include}
    unknown = names - resource.relations
    if unknown:
        raise bad_request(f"Relation {sorted(unknown)[0][:60]!r} is not defined for {resource.name}.", "INVALID_FILTER")
    return names


def project_fields(obj: dict[str, Any], fields: dict[str, bool] | list[str] | None) -> dict[str, Any]:
    """Apply LoopBack ``fields``: keep the true ones, or drop the false ones when none is true."""
    if not fields:
        return obj
    if isinstance(fields, list):
        keep = set(fields)
        return {k: v for k, v in obj.items() if k in keep}
    wanted = {k for k, v in fields.items() if v}
    if wanted:
        return {k: v for k, v in obj.items() if k in wanted}
    dropped = {k for k, v in fields.items() if not v}
    return {k: v for k, v in obj.items() if k not in dropped}
