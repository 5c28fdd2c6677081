"""Hot reads whose SQL the ORM writes once per process instead of on every request.

Django builds and compiles a queryset's SQL each time it runs it: 0.1 to 0.3 ms on these machines, several times what
the database takes to answer one of a project page's reads, and most of what rendering the page afresh costs beyond
its templates. A ``PreparedRead`` asks the ORM for its queryset once (for the database it first runs on), with a
stand-in value for each argument, and keeps the SQL and which parameter each argument fills. A call runs that SQL with
the call's arguments and passes the rows through the ORM's own converters (dates, times, JSON), so it answers exactly
what the queryset's ``values_list`` would: the queryset stays the one definition of the read, its SQL is remembered.

Arguments are keys (whole numbers). Each stand-in is a negative number no key has, small enough for a 32-bit key
column (Django checks a lookup's value against its column's range), and preparing fails loudly unless every stand-in
reaches the SQL as a parameter, so a read the ORM writes another way cannot run wrongly. A key no column can hold
(beyond 64 bits) matches no row, as the ORM would answer, without asking the database.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

STAND_IN = -2_046_000_001  # the first argument's stand-in; the next ones count down from it
KEY_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True)
class _Compiled:
    alias: str  # the database it was written for
    sql: str
    slots: tuple[int | None, ...]  # per SQL parameter: the argument that fills it, or None to keep its constant
    constants: tuple[Any, ...]
    compiler: SQLCompiler  # for its converters: the database's and the fields' (read-only, any thread)
    converters: dict[int, Any]

    def params(self, arguments: tuple[int, ...]) -> list[Any]:
        return [c if slot is None else arguments[slot] for slot, c in zip(self.slots, self.constants, strict=True)]


class PreparedRead:
    """``build(*arguments)`` gives a ``values_list`` queryset; calling the read with whole numbers gives its rows as
    tuples, with the SQL written once per process."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]]) -> None:
        self._build = build
        self._arity = len(inspect.signature(build).parameters)
        self._compiled: _Compiled | None = None

    def __call__(self, *arguments: int) -> list[tuple[Any, ...]]:
        if len(arguments) != self._arity or not all(type(a) is int for a in arguments):
            raise TypeError(f"{self._build.__qualname__} takes {self._arity} whole numbers, not {arguments!r}.")
        if not all(argument in KEY_RANGE for argument in arguments):
            return []
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _prepare(self._build(*(STAND_IN - i for i in range(self._arity))), self._arity)
        with connections[compiled.alias].cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params(arguments))
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [tuple(row) for row in rows]


def _prepare(queryset: QuerySet[Any, Any], arity: int) -> _Compiled:
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    stand_ins = {STAND_IN - index: index for index in range(arity)}
    slots = tuple(stand_ins.get(p) if type(p) is int else None for p in params)
    if set(slots) - {None} != set(range(arity)):
        raise ImproperlyConfigured(f"Every argument of a prepared read must reach its SQL as a parameter: {sql}")
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    return _Compiled(queryset.db, sql, slots, tuple(params), compiler, compiler.get_converters(fields))


@cache
def _own_columns(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


@cache
def _model_at(model: type[Model], path: str) -> type[Model]:
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
    return model


def columns(model: type[Model], related: tuple[str, ...] = ()) -> tuple[str, ...]:
    """What a prepared read selects for ``instance``: the model's columns, then each related path's in turn
    (``"project__team"``: a relation of a relation comes after it), as ``select_related`` would read them."""
    paths = (f"{path}__{name}" for path in related for name in _own_columns(_model_at(model, path)))
    return (*_own_columns(model), *paths)


def instance(row: tuple[Any, ...], model: type[Model], related: tuple[str, ...] = ()) -> Any:
    """The instance of ``model`` from a row's first ``columns(model, related)``, each related instance set on it as
    ``select_related`` sets it (None for an empty relation); the columns after them are the caller's."""
    loaded: dict[str, Any] = {}
    start = 0
    for path in ("", *related):
        kind = _model_at(model, path) if path else model
        names = _own_columns(kind)
        values = row[start : start + len(names)]
        start += len(names)
        found = values[names.index(kind._meta.pk.attname)] is not None
        loaded[path] = kind.from_db(DEFAULT_DB_ALIAS, names, values) if found else None
        if path:
            parent, _, name = path.rpartition("__")
            if loaded[parent] is not None:
                setattr(loaded[parent], name, loaded[path])
    return loaded[""]
