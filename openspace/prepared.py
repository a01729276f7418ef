"""Queries whose SQL the ORM builds once per process, for the busiest lookups.

The ORM builds a query's SQL anew on every call. For a lookup of one row by a key,
that was most of the query's cost on the 2-core machine of docs/performance.md:
the event by its slug took 0.29 ms, of which building the SQL 0.23 ms and the
database's answer 0.03 ms. Every request under /e/<slug>/ looks up its event and
its participant, and every tap of "Sign up" locks its topic, so a marketplace burst
runs these few queries thousands of times with new values.

    EVENT_BY_SLUG = Prepared(lambda slug: Event.objects.filter(slug=slug), slug=str)
    event = EVENT_BY_SLUG.first(slug="kommun-2026")  # an Event, or None

The queryset is built once with a marker value for each keyword and compiled by
the ORM for the database in use; each call runs that SQL with its own values and
makes the model instances the way the ORM does (the backend's and the fields'
converters, then Model.from_db). So the SQL stays the ORM's own: new fields,
another database, select_for_update() on PostgreSQL and not on SQLite, all follow.
Only plain querysets of one model qualify (no select_related, annotations, only(),
values()): the columns are then the model's concrete fields, in order.
"""

from collections.abc import Callable

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.transaction import TransactionManagementError

# A marker per keyword: a value no real lookup uses, found again among the compiled
# query's parameters. Strings pass through the fields' get_prep_value() unchanged,
# and so do integers (primary and foreign keys).
_MARKERS = {
    str: lambda index, name: f"\x00prepared:{name}\x00",
    int: lambda index, name: -2_000_000_000 - index,
}


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        """`build(**values)` returns the queryset; `kinds` names each value's type."""
        self.build = build
        self.markers = {
            name: _MARKERS[kind](index, name) for index, (name, kind) in enumerate(kinds.items())
        }
        self._marked: QuerySet | None = None  # built on first use: apps are ready then
        self._compiled: dict[str, tuple] = {}  # per database alias

    def _compile(self, queryset: QuerySet, connection) -> tuple:
        query = queryset.query
        if (
            queryset._iterable_class is not ModelIterable
            or query.select_related
            or query.annotations
            or query.extra
            or query.deferred_loading != (frozenset(), True)
        ):
            raise ValueError("Prepared takes a plain queryset of one model only.")
        sql, params = query.get_compiler(connection=connection).as_sql()
        by_marker = {marker: name for name, marker in self.markers.items()}
        slots = [by_marker.get(param) if type(param) in _MARKERS else None for param in params]
        if sorted(filter(None, slots)) != sorted(self.markers):
            raise ValueError("Each keyword must appear once among the query's values.")
        model = queryset.model
        fields = model._meta.concrete_fields
        converters = []
        for index, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                converters.append((index, column, found))
        names = [field.attname for field in fields]
        return sql, list(params), slots, names, converters

    def all(self, **values) -> list[Model]:
        if values.keys() != self.markers.keys():
            raise TypeError(f"This query takes exactly {sorted(self.markers)}.")
        if self._marked is None:
            self._marked = self.build(**self.markers)
        queryset = self._marked
        connection = connections[queryset.db]
        compiled = self._compiled.get(connection.alias)
        if compiled is None:
            compiled = self._compiled[connection.alias] = self._compile(queryset, connection)
        sql, params, slots, names, converters = compiled
        if queryset.query.select_for_update and connection.get_autocommit():
            # What the ORM says when it compiles the query, said on every call here.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = [
            values[slot] if slot else param for param, slot in zip(params, slots, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        instances = []
        for row in rows:
            row = list(row)
            for index, column, found in converters:
                for converter in found:
                    row[index] = converter(row[index], column, connection)
            instances.append(queryset.model.from_db(connection.alias, names, row))
        return instances

    def first(self, **values) -> Model | None:
        """The first row as a model instance, or None (give the queryset its ordering
        and, to read no more than one row, a [:1] slice)."""
        found = self.all(**values)
        return found[0] if found else None
