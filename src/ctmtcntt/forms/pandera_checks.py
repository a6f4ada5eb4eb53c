"""pandera checks, registered by name so that the schemas in ``schemas/`` can be plain YAML.

pandera's YAML keeps only built-in and registered checks (custom ones are dropped by ``to_yaml``
with a mere warning), so every check we use is registered here with its statistics. Each one is a
DataFrame-wide check over the stacked table of all units and returns one boolean per row: True
where the row passes. The finding code is the check's ``error`` option in the YAML.

The frames are built by ``validation.frames``:
- *cells*: one row per typed cell (type, role, present, parsed, number, province_only, ...);
- *relations*: one row per pair of values that must agree (relation, left, right, tolerance).
"""

from __future__ import annotations

import pandas as pd
from pandera import extensions


def _typed(df: pd.DataFrame, types: list[str], roles: list[str]) -> pd.Series:
    return df["type"].isin(types) & df["role"].isin(roles)


@extensions.register_check_method(statistics=["types", "roles"], supported_types=pd.DataFrame)
def readable(df: pd.DataFrame, *, types: list[str], roles: list[str]) -> pd.Series:
    """A typed cell of these types holds something its type can read."""
    return ~(_typed(df, types, roles) & df["present"] & ~df["parsed"])


@extensions.register_check_method(statistics=["minimum", "types"], supported_types=pd.DataFrame)
def not_below(df: pd.DataFrame, *, minimum: float, types: list[str]) -> pd.Series:
    """Numbers of these types are not below ``minimum`` (empty cells pass)."""
    return ~(df["type"].isin(types) & (df["number"] < minimum))


@extensions.register_check_method(statistics=["low", "high", "types"], supported_types=pd.DataFrame)
def within_bounds(df: pd.DataFrame, *, low: float, high: float, types: list[str]) -> pd.Series:
    """Numbers of these types lie in [low, high] (empty cells pass)."""
    number = df["number"]
    return ~(df["type"].isin(types) & ((number < low) | (number > high)))


@extensions.register_check_method(statistics=["types"], supported_types=pd.DataFrame)
def whole_number(df: pd.DataFrame, *, types: list[str]) -> pd.Series:
    """Counts of these types are whole numbers (empty cells pass)."""
    number = df["number"]
    return ~(df["type"].isin(types) & number.notna() & ((number - number.round()).abs() > 1e-9))


@extensions.register_check_method(statistics=[], supported_types=pd.DataFrame)
def province_rows_left_to_province(df: pd.DataFrame) -> pd.Series:
    """A row marked (*) is filled only by the province-wide unit."""
    return ~(df["province_only"] & ~df["from_province"] & df["present"])


@extensions.register_check_method(statistics=["whos"], supported_types=pd.DataFrame)
def reported_by_allowed(df: pd.DataFrame, *, whos: list[str]) -> pd.Series:
    """A row that only some units report (the form's ``who``: province, district…) is filled
    by one of them; a dash there (nothing to report) passes."""
    return ~(df["who"].isin(whos) & ~df["allowed"] & df["present"] & ~df["zero_mark"])


@extensions.register_check_method(statistics=["types", "roles"], supported_types=pd.DataFrame)
def no_percent(df: pd.DataFrame, *, types: list[str], roles: list[str]) -> pd.Series:
    """A count or an amount is not a percentage ("15%", or a number formatted as %)."""
    return ~(_typed(df, types, roles) & df["percent"])


@extensions.register_check_method(statistics=["roles"], supported_types=pd.DataFrame)
def zero_mark_noted(df: pd.DataFrame, *, roles: list[str]) -> pd.Series:
    """A dash typed for a figure and read as 0 is said, where the unit may report the row (in
    a row not its own, or in a computed cell, a dash is nothing)."""
    return ~(df["zero_mark"] & df["allowed"] & df["role"].isin(roles))


@extensions.register_check_method(statistics=["roles"], supported_types=pd.DataFrame)
def formula_has_value(df: pd.DataFrame, *, roles: list[str]) -> pd.Series:
    """A formula in a typed cell carries the value Excel calculated for it."""
    return ~(df["uncached"] & df["role"].isin(roles))


@extensions.register_check_method(statistics=["roles"], supported_types=pd.DataFrame)
def no_error_value(df: pd.DataFrame, *, roles: list[str]) -> pd.Series:
    """A typed cell holds no Excel error value (#REF!, #DIV/0!, #N/A, …)."""
    return ~(df["error_value"] & df["role"].isin(roles))


@extensions.register_check_method(statistics=["roles"], supported_types=pd.DataFrame)
def plausible(df: pd.DataFrame, *, roles: list[str]) -> pd.Series:
    """A typed number's magnitude is within its cell's plausible limit (empty cells, and
    cells without a limit, pass)."""
    return ~((df["number"].abs() > df["limit"]) & df["role"].isin(roles))


@extensions.register_check_method(statistics=["relations"], supported_types=pd.DataFrame)
def not_above(df: pd.DataFrame, *, relations: list[str]) -> pd.Series:
    """In these relations the left value does not exceed the right one (missing values pass)."""
    return ~(df["relation"].isin(relations) & (df["left"] > df["right"] + df["tolerance"]))


@extensions.register_check_method(statistics=["relations"], supported_types=pd.DataFrame)
def agrees(df: pd.DataFrame, *, relations: list[str]) -> pd.Series:
    """In these relations the left value equals the right one within the row's tolerance.

    A left value with no right one to compare with fails too: a typed total whose parts are
    all empty would otherwise be dropped without a word when it is recomputed.
    """
    differs = (df["left"] - df["right"]).abs() > df["tolerance"]
    unmatched = df["left"].notna() & df["right"].isna()
    return ~(df["relation"].isin(relations) & (differs | unmatched))


REGISTERED = (
    "readable",
    "not_below",
    "within_bounds",
    "whole_number",
    "province_rows_left_to_province",
    "reported_by_allowed",
    "no_percent",
    "zero_mark_noted",
    "formula_has_value",
    "no_error_value",
    "plausible",
    "not_above",
    "agrees",
)
