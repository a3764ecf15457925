"""Spark JSON reader options that change what a line means (keys are case-insensitive, as in Spark)."""
from __future__ import annotations

from dataclasses import dataclass

from ...lang.errors import ByzerRuntimeError
from .jackson_parser import JacksonFeatures

_MODES = ("PERMISSIVE", "DROPMALFORMED", "FAILFAST")


def _flag(options: dict, name: str, default: bool) -> bool:
    value = options.get(name.lower())
    if value is None:
        return default
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise ByzerRuntimeError(f"option `{name}` must be \"true\" or \"false\", got \"{value}\"")
    return text == "true"


@dataclass(frozen=True)
class JsonReadOptions:
    mode: str = "PERMISSIVE"
    corrupt_column: str = "_corrupt_record"
    primitives_as_string: bool = False
    drop_field_if_all_null: bool = False
    features: JacksonFeatures = JacksonFeatures()

    @classmethod
    def parse(cls, options: dict | None) -> "JsonReadOptions":
        lowered = {str(k).lower(): v for k, v in (options or {}).items()}
        mode = str(lowered.get("mode", "PERMISSIVE")).upper()
        if mode not in _MODES:
            mode = "PERMISSIVE"  # Spark falls back to PERMISSIVE for unknown modes
        features = JacksonFeatures(
            allow_single_quotes=_flag(lowered, "allowSingleQuotes", True),
            allow_non_numeric_numbers=_flag(lowered, "allowNonNumericNumbers", True),
            allow_comments=_flag(lowered, "allowComments", False),
            allow_unquoted_field_names=_flag(lowered, "allowUnquotedFieldNames", False),
            allow_backslash_escaping_any_character=_flag(lowered, "allowBackslashEscapingAnyCharacter", False),
            allow_numeric_leading_zeros=_flag(lowered, "allowNumericLeadingZeros", False),
        )
        return cls(mode=mode,
                   corrupt_column=str(lowered.get("columnnameofcorruptrecord", "_corrupt_record")),
                   primitives_as_string=_flag(lowered, "primitivesAsString", False),
                   drop_field_if_all_null=_flag(lowered, "dropFieldIfAllNull", False),
                   features=features)

    @property
    def fast_path_allowed(self) -> bool:
        """The pyarrow fast path only reproduces the default reading of valid lines."""
        return self.features.is_default and not self.primitives_as_string and not self.drop_field_if_all_null
