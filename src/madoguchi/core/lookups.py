"""`__in` on integer columns ignores numbers the column cannot hold.

Django answers "no match" for `pk=<huge number>` (the exact lookup knows the column's range),
but `pk__in=[<huge number>]` reaches the database driver, which fails (SQLite: "Python int
too large to convert to SQLite INTEGER"; PostgreSQL: out of range). Every model multiple
choice field (forms, the admin) filters with `pk__in` on whatever a client posted, so the
rule lives here, once, for every integer column. Registered in CoreConfig.ready().
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerInRange(In):
    lookup_name = "in"

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerInRange)
