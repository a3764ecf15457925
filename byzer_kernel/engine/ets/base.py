"""What an ET is to the engine: its Byzer name, its parameters (name, default, doc), and the verbs
it answers (`run`, `train`, `predict`, `register`). The engine checks a statement's parameters
against the list before the ET sees them, so unknown and missing ones are reported by name."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar, Optional

import pyarrow as pa

from ...lang.errors import UnsupportedStatementError, UsageError
from ...lang.suggest import did_you_mean


@dataclass(frozen=True)
class Param:
    name: str
    doc: str
    default: Optional[str] = None  # the value when the statement leaves it out
    required: bool = False
    values: tuple = ()  # the allowed values, when the parameter is a choice
    value_type: str = "string"  # Byzer's valueType in the param's form JSON (`!show et/params/NAME`)


# Options every `run`/`train`/`predict` statement may carry, whatever the ET.
COMMON_PARAMS = (Param("inputTable", "the input table, when not given before `as`"),
                 Param("outputTable", "the name of the output table"))


class ET:
    """One built-in ET. Subclasses set the class attributes and implement the verbs they answer;
    an instance is what `session.ets[name]` holds (called as `et(session, request, events)`)."""

    name: ClassVar[str]
    doc: ClassVar[str] = ""
    alg_type: ClassVar[str] = "undefined"  # Byzer's algType column of `!show et`
    doc_type: ClassVar[str] = "text"
    code_example: ClassVar[str] = ""
    params: ClassVar[tuple] = ()

    # Optional verb `register(self, session, statement, options, events)`: `register ET.`path` as
    # name` (statement: lang RegisterStatement; options checked); engine/script_udf.py calls it.

    def __call__(self, session, request, events) -> pa.Table:
        verb = getattr(request, "verb", "run")
        method = getattr(self, verb, None)
        if method is None:
            raise UnsupportedStatementError(f"{self.name} does not support `{verb}`")
        return method(session, request, self.checked(request.options), events)

    def checked(self, options: dict) -> dict:
        """The statement's options with defaults filled in; an unknown or missing one is a
        UsageError naming it (names compare without regard to case, as Byzer's params do)."""
        declared = {p.name.lower(): p for p in (*self.params, *COMMON_PARAMS)}
        unknown = [name for name in options if name.lower() not in declared]
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            suggestion = did_you_mean(unknown[0], [p.name for p in self.params]) if len(unknown) == 1 else ""
            raise UsageError(f"{self.name} has no parameter {', '.join(f'`{n}`' for n in unknown)}"
                             f"{'; ' + suggestion if suggestion else ''} (its parameters: {known})")
        given = {name.lower(): value for name, value in options.items()}
        values = {}
        for param in (*self.params, *COMMON_PARAMS):
            value = given.get(param.name.lower(), param.default)
            if value is None and param.required:
                raise UsageError(f"{self.name} needs the parameter `{param.name}`: {param.doc}")
            if value is not None and param.values and value not in param.values:
                raise UsageError(f"{self.name} parameter `{param.name}` given invalid value `{value}` "
                                 f"(one of {', '.join(param.values)})")
            if value is not None:
                values[param.name] = value
        return values

    def params_table(self) -> pa.Table:
        """Byzer's `!show et/params/NAME` (modelParams, WowParams._explainParams): one row per
        parameter with the columns param, description, value (`(default: X)` or `(undefined)`, as
        Spark's explainParam) and extra (the param's form JSON with its options)."""
        rows = [(p.name, p.doc, f"(default: {p.default})" if p.default is not None else "(undefined)",
                 param_form_json(p)) for p in self.params]
        return pa.table({column: pa.array([row[i] for row in rows], pa.string())
                         for i, column in enumerate(("param", "description", "value", "extra"))})


def param_form_json(param: Param) -> str:
    """The `extra` column of `!show et/params`: Byzer's form JSON (tech.mlsql.common.form), a Text
    or, for a choice, a Select with its values; options as WowParams.paramToJSon completes them."""
    options = {"valueType": param.value_type, "required": "true" if param.required else "false",
               "derivedType": "NONE",
               "defaultValue": param.default if param.default is not None else "undefined",
               "currentValue": "undefined"}
    form = {"name": param.name, "extra": {"doc": param.doc, "label": param.name, "options": options}}
    if param.values:
        form["values"] = [{"name": param.name, "value": value} for value in param.values]
    else:
        form["value"] = param.default or ""
    return json.dumps(form, ensure_ascii=False)


def flag(value, name: str, et: str) -> bool:
    """A boolean parameter as Scala's `toBoolean` reads it: true/false in any case, else an error."""
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise UsageError(f"{et} parameter `{name}` is true or false; got {value!r}")
    return text == "true"


def input_column(et: str, param: str, table: pa.Table, name: str) -> str:
    """The input's column called `name` (a parameter's value), found without regard to case as
    Spark resolves it; a UsageError naming the ET, the parameter and the columns otherwise."""
    for column in table.column_names:
        if column.lower() == name.lower():
            return column
    raise UsageError(f"{et}: {param} `{name}` is not a column of the input table "
                     f"(its columns: {', '.join(table.column_names) or 'none'})")
