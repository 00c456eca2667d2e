"""Date and time parts computed inside the database, for aggregate read contracts.

Django's own Extract*/Trunc* functions with a time zone run as Python functions on SQLite, one
call per row; over a year of visits that is the whole time budget of a dashboard. These compile
to native SQL on SQLite and PostgreSQL. On SQLite the local time is UTC plus the fixed offset of
`settings.TIME_ZONE` (Japan has no daylight saving time); PostgreSQL converts by zone name.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Expression, F, FloatField, Func, IntegerField
from django.db.models.fields import DateField


def _offset_minutes() -> int:
    zone = ZoneInfo(settings.TIME_ZONE)
    offset = datetime(2000, 1, 1, tzinfo=zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _expr(value: str | Expression) -> Any:
    return F(value) if isinstance(value, str) else value


class _LocalPart(Func):
    """Base: a part of a datetime column in local time."""

    sqlite_format = ""
    pg_part = ""
    output_field = IntegerField()

    def __init__(self, expression: str | Expression, **extra: Any) -> None:
        super().__init__(_expr(expression), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        shift = f"'{_offset_minutes():+d} minutes'"
        return f"CAST(strftime('{self.sqlite_format}', {sql}, {shift}) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"CAST(EXTRACT({self.pg_part} FROM ({sql} AT TIME ZONE %s)) AS INTEGER)",
            (*params, settings.TIME_ZONE),
        )


class LocalHour(_LocalPart):
    """0–23 in local time."""

    sqlite_format = "%%H"  # doubled: Django turns "%%" into "%" in every SQLite query
    pg_part = "HOUR"


class LocalMinute(_LocalPart):
    """0–59 in local time (the minute of the hour)."""

    sqlite_format = "%%M"
    pg_part = "MINUTE"


class LocalSundayWeekday(_LocalPart):
    """0 = Sunday … 6 = Saturday in local time (both databases count this way)."""

    sqlite_format = "%%w"
    pg_part = "DOW"


class LocalDate(Func):
    """The local calendar date of a datetime column."""

    output_field = DateField()

    def __init__(self, expression: str | Expression, **extra: Any) -> None:
        super().__init__(_expr(expression), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '{_offset_minutes():+d} minutes')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql} AT TIME ZONE %s) AS DATE)", (*params, settings.TIME_ZONE)


class DateWeekday(Func):
    """0 = Sunday … 6 = Saturday of a date column."""

    output_field = IntegerField()

    def __init__(self, expression: str | Expression, **extra: Any) -> None:
        super().__init__(_expr(expression), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(strftime('%%w', {sql}) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(EXTRACT(DOW FROM {sql}) AS INTEGER)", params


class SecondsBetween(Func):
    """`end − start` in seconds (NULL when either is NULL)."""

    output_field = FloatField()

    def __init__(self, end: str | Expression, start: str | Expression, **extra: Any) -> None:
        super().__init__(_expr(end), _expr(start), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return (
            # julianday() is a float of days: round away its sub-millisecond noise.
            f"ROUND((julianday({end}) - julianday({start})) * 86400.0, 3)",
            (*end_params, *start_params),
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"EXTRACT(EPOCH FROM ({end} - {start}))", (*end_params, *start_params)


def monday_weekday(sunday_based: int) -> int:
    """0 = Monday … 6 = Sunday (Python's weekday()) from the databases' 0 = Sunday."""
    return (sunday_based + 6) % 7


class WholeMinutes(Func):
    """floor(seconds / 60) as an integer (PostgreSQL's CAST rounds, SQLite's truncates)."""

    output_field = IntegerField()

    def __init__(self, seconds: Expression, **extra: Any) -> None:
        super().__init__(seconds, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql}) / 60.0 AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(FLOOR(({sql}) / 60.0) AS INTEGER)", params


class DaysBetweenDates(Func):
    """`end − start` in whole calendar days, both dates (e.g. two LocalDate expressions)."""

    output_field = IntegerField()

    def __init__(self, end: Expression, start: Expression, **extra: Any) -> None:
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return (
            f"CAST(julianday({end}) - julianday({start}) AS INTEGER)",
            (*end_params, *start_params),
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"(CAST({end} AS DATE) - CAST({start} AS DATE))", (*end_params, *start_params)


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`) as aware datetimes: a range an index
    on the datetime column can use."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end
