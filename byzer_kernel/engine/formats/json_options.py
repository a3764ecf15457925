"""Spark JSON reader options that change what a line means (names in any case, booleans checked:
the one rule of `options.py`)."""
from __future__ import annotations

from dataclasses import dataclass

from .jackson_parser import JacksonFeatures
from .options import boolean_option, option

_MODES = ("PERMISSIVE", "DROPMALFORMED", "FAILFAST")


@dataclass(frozen=True)
class JsonReadOptions:
    mode: str = "PERMISSIVE"
    corrupt_column: str = "_corrupt_record"
    primitives_as_string: bool = False
    drop_field_if_all_null: bool = False
    features: JacksonFeatures = JacksonFeatures()

    @classmethod
    def parse(cls, options: dict | None) -> "JsonReadOptions":
        options = options or {}
        mode = str(option(options, "mode", "PERMISSIVE")).upper()
        if mode not in _MODES:
            mode = "PERMISSIVE"  # Spark falls back to PERMISSIVE for unknown modes
        features = JacksonFeatures(
            allow_single_quotes=boolean_option(options, "allowSingleQuotes", True),
            allow_non_numeric_numbers=boolean_option(options, "allowNonNumericNumbers", True),
            allow_comments=boolean_option(options, "allowComments", False),
            allow_unquoted_field_names=boolean_option(options, "allowUnquotedFieldNames", False),
            allow_backslash_escaping_any_character=boolean_option(options, "allowBackslashEscapingAnyCharacter", False),
            allow_numeric_leading_zeros=boolean_option(options, "allowNumericLeadingZeros", False),
        )
        return cls(mode=mode,
                   corrupt_column=str(option(options, "columnNameOfCorruptRecord", "_corrupt_record")),
                   primitives_as_string=boolean_option(options, "primitivesAsString", False),
                   drop_field_if_all_null=boolean_option(options, "dropFieldIfAllNull", False),
                   features=features)

    @property
    def fast_path_allowed(self) -> bool:
        """The pyarrow fast path only reproduces the default reading of valid lines."""
        return self.features.is_default and not self.primitives_as_string and not self.drop_field_if_all_null
