"""Data source options (the rendered `where k="v"` of load and save) read as Spark reads them.

One lookup and one rule for every format: option names are case-insensitive (Spark keeps them in a
CaseInsensitiveMap, where the last of two spellings wins), and a value that must be a boolean or a
whole number but is not is the user's mistake, a UsageError naming the option and the value. Spark
refuses such values too (`header="yes"` fails there); reading them as false would hide the typo.
"""
from __future__ import annotations

from typing import Optional

from ...lang.errors import UsageError


def option(options: dict, name: str, default=None):
    """The value given for `name` in any case, else `default`."""
    wanted, found = name.lower(), default
    for key, value in options.items():
        if str(key).lower() == wanted:
            found = value
    return found


def boolean_option(options: dict, name: str, default: bool = False) -> bool:
    value = option(options, name)
    if value is None:
        return default
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise UsageError(f"option `{name}` must be \"true\" or \"false\", got \"{value}\"")
    return text == "true"


def whole_number_option(options: dict, name: str, minimum: int, default: Optional[int] = None) -> Optional[int]:
    """A count such as fileNum (minimum 1) or skipFirstNLines (minimum 0); empty means not given."""
    value = option(options, name)
    if value is None or str(value).strip() == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or number < minimum:
        wanted = "a positive whole number" if minimum == 1 else f"a whole number of at least {minimum}"
        raise UsageError(f"option `{name}` must be {wanted}, got \"{value}\"")
    return number
