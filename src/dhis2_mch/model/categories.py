"""Category option combinations, generated the way DHIS2 generates them.

A category combo with categories A (a1, a2) and B (b1, b2) has the option combos a1×b1, a1×b2,
a2×b1, a2×b2: the cartesian product in category order, named by joining the option names with
", " (DefaultCategoryService / CategoryCombo.generateOptionCombosList).
"""

from __future__ import annotations

from itertools import product
from typing import TypeVar

T = TypeVar("T")


def combinations(categories: list[list[T]]) -> list[tuple[T, ...]]:
    """Every option combination of ``categories`` (each a list of its options), in DHIS2's order."""
    return list(product(*categories))


def combo_name(option_names: list[str]) -> str:
    return ", ".join(option_names)
