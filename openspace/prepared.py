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
converters, Model.from_db, and the ORM's own populators for select_related()). So
the SQL stays the ORM's own: new fields, another database, select_for_update() on
PostgreSQL and not on SQLite, all follow. Only querysets of whole model instances
qualify: select_related() yes; annotations, extra(), only(), defer() and values() no.
"""

from collections.abc import Callable

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.transaction import TransactionManagementError

# A marker per keyword: a value no real lookup uses, found again among the compiled
# query's parameters. Strings pass through the fields' get_prep_value() unchanged,
# and so do integers (primary and foreign keys).
_MARKERS = {
    str: lambda index, name: f"\x00prepared:{name}\x00",
    int: lambda index, name: -2_000_000_000 - index,
}

# The widest integer column (SQLite's INTEGER, PostgreSQL's bigint).
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        """`build(**values)` returns the queryset; `kinds` names each value's type."""
        self.build = build
        self.markers = {
            name: _MARKERS[kind](index, name) for index, (name, kind) in enumerate(kinds.items())
        }
        self.integers = [name for name, kind in kinds.items() if kind is int]
        self._marked: QuerySet | None = None  # built on first use: apps are ready then
        self._compiled: dict[str, tuple] = {}  # per database alias

    def _compile(self, queryset: QuerySet, connection) -> tuple:
        # Compiled from a copy: compiling adds select_related()'s joins to the query, and
        # the queryset is shared by every thread of the process.
        query = queryset.query.clone()
        if (
            queryset._iterable_class is not ModelIterable
            or query.annotations
            or query.extra
            or query.deferred_loading != (frozenset(), True)
        ):
            raise ValueError("Prepared takes a queryset of whole model instances only.")
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        by_marker = {marker: name for name, marker in self.markers.items()}
        slots = [by_marker.get(param) if type(param) in _MARKERS else None for param in params]
        if sorted(filter(None, slots)) != sorted(self.markers):
            raise ValueError("Each keyword must appear once among the query's values.")
        # What ModelIterable reads from the compiler: where the model's own columns
        # are in a row, their names, and a populator per select_related() relation.
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        by_column = compiler.get_converters([column[0] for column in select])
        converters = [(index, column, found) for index, (found, column) in by_column.items()]
        related = get_related_populators(klass_info, select, connection.alias, queryset._fetch_mode)
        return sql, list(params), slots, (start, end, names), converters, related

    def all(self, **values) -> list[Model]:
        if values.keys() != self.markers.keys():
            raise TypeError(f"This query takes exactly {sorted(self.markers)}.")
        if any(not _INT64_MIN <= values[name] <= _INT64_MAX for name in self.integers):
            # No row has such a key. The ORM answers an out-of-range lookup with no rows;
            # SQLite's driver, given it here, raised OverflowError: a session's address
            # with a 22-digit number in it was a 500.
            return []
        if self._marked is None:
            self._marked = self.build(**self.markers)
        queryset = self._marked
        connection = connections[queryset.db]
        compiled = self._compiled.get(connection.alias)
        if compiled is None:
            compiled = self._compiled[connection.alias] = self._compile(queryset, connection)
        sql, params, slots, (start, end, names), converters, related = compiled
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
        model, alias = queryset.model, connection.alias
        instances = []
        for row in rows:
            if converters:
                row = list(row)
                for index, expression, found in converters:
                    for converter in found:
                        row[index] = converter(row[index], expression, connection)
            instance = model.from_db(alias, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            instances.append(instance)
        return instances

    def first(self, **values) -> Model | None:
        """The first row as a model instance, or None (give the queryset its ordering
        and, to read no more than one row, a [:1] slice)."""
        found = self.all(**values)
        return found[0] if found else None


# -- inserts ----------------------------------------------------------------------------

_INSERTS: dict[tuple[type, str, bool], tuple[str, list]] = {}


def _insert_statement(model: type[Model], connection, skip_conflict: bool) -> tuple[str, list]:
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
    if (
        meta.parents
        or meta.auto_field is None
        or any(field.generated or field.has_db_default() for field in fields)
        or not connection.features.can_return_columns_from_insert
    ):
        raise ValueError("insert() takes a plain model with an automatic primary key only.")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    # ON CONFLICT DO NOTHING without a target: any unique constraint, partial ones too
    # (PostgreSQL, and SQLite since 3.35 with RETURNING).
    conflict = "ON CONFLICT DO NOTHING " if skip_conflict else ""
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values}) "  # noqa: S608
        f"{conflict}RETURNING {quote(meta.auto_field.column)}"
    )
    return sql, fields


def insert(instance: Model, *, skip_conflict: bool = False) -> bool:
    """Save a new instance with one INSERT whose SQL is built once per model and database.

    What Model.save() does for a new row of a plain model, without the ORM building
    the statement anew (0.17 ms against 0.06 ms for a sign-up on the machine of
    docs/performance.md): the related objects checked as save() checks them, each
    field's pre_save() (auto_now_add) and get_db_prep_save(), the primary key read
    back. No pre_save or post_save signal is sent: no model saved this way has
    receivers.

    With `skip_conflict`, a row that a unique constraint refuses is not inserted and
    False is returned, where save() raises IntegrityError: the caller needs no
    savepoint to go on with its transaction (two round trips on PostgreSQL).
    """
    model = type(instance)
    connection = connections[router.db_for_write(model, instance=instance)]
    statement = _INSERTS.get((model, connection.alias, skip_conflict))
    if statement is None:
        statement = _insert_statement(model, connection, skip_conflict)
        _INSERTS[model, connection.alias, skip_conflict] = statement
    sql, fields = statement
    instance._prepare_related_fields_for_save(operation_name="save")
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # skipped: the constraint's row is there already
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return True
