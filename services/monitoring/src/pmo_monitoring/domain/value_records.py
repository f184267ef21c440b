"""Value records: what the health rules produce, and what they work out once per baseline.

They are frozen as far as the type checker goes (mypy rejects any assignment to a field) and
compared and hashed by value, but built as plain slotted dataclasses. A frozen dataclass sets
each field through object.__setattr__, about fifteen times the cost of a plain slot store, and
the rules build some 120 fields per report (EarnedValueMetrics alone has 30): a third of a
history recompute's time went there. Every module and test suite is type-checked strictly,
which is where an assignment would be caught. Inputs (model.py) stay frozen at run time too.
"""

from __future__ import annotations

from dataclasses import Field, dataclass, field
from typing import TypeVar, dataclass_transform

R = TypeVar("R")


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def value_record(cls: type[R]) -> type[R]:
    """`cls` as a slotted dataclass with equality and hash by value, frozen for mypy."""
    return dataclass(slots=True, unsafe_hash=True)(cls)
