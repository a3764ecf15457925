"""`register ScriptUDF.`table` as name where lang="python" ...` (docs/spec.md §11):
Python functions callable in every later `select` of the session.

As Byzer's ScriptUDF and PythonRuntimeCompileUDF/UDAF do: the code is the `code` option, else the
first column of the first row of the table named by the path (`load script.`var` as t`); `lang`
defaults to scala, `udfType` to udf, `methodName` to apply; Python UDF code without `className`
is wrapped into a class (each line indented under `class ...:`), so its functions take `self`
first, and the UDF takes as many arguments as the method after `self`; `dataType` is the result
type in Byzer's simple schema syntax (`map(string,array(long))`).

Locally, the function becomes a DuckDB Python function of the session's connection (Arrow
batches in and out; the method itself runs once per row, as Byzer's contract is a per-row Python
call). A failure in the code is one PythonCodeError naming the function and the line of its code.
"""
from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

import pyarrow as pa

from ..lang.errors import PythonCodeError, SchemaError, UnsupportedStatementError, UsageError
from ..lang.schema import parse_simple_type
from ..lang.statements import RegisterStatement
from .load_save import clean_str
from .script_udaf import UDAF_METHODS, Udaf, code_globals
from .script_values import arrow_result, duckdb_type, python_values

if TYPE_CHECKING:
    from .sparksql.session_functions import SessionFunction

_WRAPPER_CLASS = "StreamingProUDF"  # Byzer names it StreamingProUDF_<md5 of the code>
_JVM_LANGS = ("scala", "java")


@dataclass
class ScriptFunction:
    """A registered function: what the translation sees and what DuckDB calls."""

    spec: SessionFunction
    batch: Callable  # Arrow arrays -> Arrow array
    return_type: str  # DuckDB's name of the result type
    source: Optional["ScriptSource"] = None  # how Spark's Python workers build it again
    arrow_type: Optional[pa.DataType] = None  # the result type (Spark's UDF is declared with it)
    input_arrow_types: tuple = ()  # a UDAF's inputSchema, which its inputs are cast to


@dataclass(frozen=True)
class ScriptSource:
    """What a `register ScriptUDF` said, picklable: Spark's Python workers compile the code again
    from it (engine/spark/functions.py), as Byzer compiles it on each executor."""

    name: str
    code: str
    class_name: str
    method_name: str
    data_type: str
    udf_type: str  # "udf" or "udaf"

    def build(self) -> ScriptFunction:
        """The function compiled in this process, its failures raised (no session to tell)."""
        alone = _Alone()
        compiled = _CompiledCode(self.name, self.code, self.class_name)
        if self.udf_type == "udf":
            return _scalar_function(alone, self.name, compiled, self.method_name, self.data_type)
        return _aggregate_function(alone, self.name, compiled)


class _Alone:
    """A function compiled outside a session (a Spark worker): its failures are only raised."""

    def __init__(self):
        self.functions = ScriptFunctions()


class ScriptFunctions:
    """The session's registered functions, installed on its DuckDB connection before a query."""

    def __init__(self):
        self._functions: dict[str, ScriptFunction] = {}
        self._specs: tuple = ()
        self._failure: Optional[PythonCodeError] = None  # set by a function failing inside DuckDB

    def register(self, function: ScriptFunction) -> None:
        self._functions[function.spec.name.lower()] = function  # a later register replaces
        self._specs = tuple(f.spec for f in self._functions.values())

    def specs(self) -> tuple:
        return self._specs

    def registered(self) -> list[ScriptFunction]:
        return list(self._functions.values())

    def names(self) -> list[str]:
        return [f.spec.name for f in self._functions.values()]

    def install(self, connection, installed: dict) -> None:
        """Create (or replace) on `connection` the functions registered since the last query;
        `installed` (DuckDB name -> function) is what that connection has, kept by its owner."""
        self._failure = None
        for function in self._functions.values():
            name = function.spec.duck_name
            if installed.get(name) is function:
                continue
            if name in installed:
                connection.remove_function(name)
            # parameters=None: any number of arguments of any type (Spark passes values untyped);
            # null_handling="special": the code sees NULLs, as Byzer's functions do.
            connection.create_function(name, function.batch, None, function.return_type, type="arrow",
                                       null_handling="special")
            installed[name] = function

    def failed(self, failure: PythonCodeError) -> PythonCodeError:
        if self._failure is None:  # the first failure is the one to tell
            self._failure = failure
        return failure

    def take_failure(self) -> Optional[PythonCodeError]:
        failure, self._failure = self._failure, None
        return failure


# -- the register statement ---------------------------------------------------------------------
def execute_register(session, statement: RegisterStatement, events):
    # here, not at the top: the SQL layer takes ~0.4 s to import, which a Session defers to first use
    from .sparksql.session_functions import name_problem

    if statement.et.lower() != "scriptudf":
        return _register_with_et(session, statement, events)
    name = statement.name.strip("`")
    options = session.rendered_options(statement.options)
    lang = options.get("lang", "scala").strip()
    udf_type = options.get("udfType", "udf").strip().lower()
    if udf_type not in ("udf", "udaf"):
        raise UsageError(f"ScriptUDF parameter udfType given invalid value `{udf_type}` (udf or udaf)")
    if lang.lower() in _JVM_LANGS:
        default = "" if "lang" in options else " (lang defaults to scala, as in Byzer)"
        if session.spark.chosen:
            raise UnsupportedStatementError(
                f"register ScriptUDF with lang=\"{lang}\"{default} is not supported under the Spark "
                f"engine: Byzer compiles {lang.capitalize()} with its own runtime compiler inside its "
                "JVM, which a plain Spark does not have; write the function in Python (lang=\"python\"), "
                "which runs on Spark as an Arrow UDF")
        raise UnsupportedStatementError(
            f"register ScriptUDF with lang=\"{lang}\"{default} is not supported by the local engine: "
            f"{lang.capitalize()} compiles on the JVM, and a JVM compiler is not part of the local "
            "engine; write the function in Python (lang=\"python\")")
    if lang.lower() != "python":
        raise UsageError(f"ScriptUDF parameter lang given invalid value `{lang}` (python, scala or java)")
    problem = name_problem(name) if re.fullmatch(r"[A-Za-z_]\w*", name) else \
        f"`{name}` is not a function name (letters, digits and _)"
    if problem:
        raise UsageError(problem)
    code = _code(session, statement, options)
    class_name = options.get("className", "").strip()
    method_name = options.get("methodName", "apply").strip() or "apply"
    compiled = _CompiledCode(name, code, class_name)
    if udf_type == "udf":
        function = _scalar_function(session, name, compiled, method_name, options.get("dataType", ""))
    else:
        function = _aggregate_function(session, name, compiled)
    function.source = ScriptSource(name, code, class_name, method_name, options.get("dataType", ""), udf_type)
    session.functions.register(function)
    return None


def _register_with_et(session, statement: RegisterStatement, events):
    """`register ET.`path` as name`: a built-in ET that defines `register` (e.g. Discretizer)."""
    from .ets import ET

    et = next((e for n, e in session.ets.items() if n.lower() == statement.et.lower()), None)
    if not isinstance(et, ET) or not callable(getattr(et, "register", None)):
        raise UnsupportedStatementError(f"not supported by the local engine: {statement.describe()} "
                                        "(the local engine registers ScriptUDF functions only, "
                                        "besides the models of ETs that answer register: Discretizer)")
    options = et.checked(session.rendered_options(statement.options))
    return et.register(session, statement, options, events)


def _code(session, statement: RegisterStatement, options: dict) -> str:
    if "code" in options:
        return options["code"]
    table_name = clean_str(session.render(statement.path.raw))
    if not table_name:
        raise UsageError("register ScriptUDF needs the function's code: code='''...''', or a table "
                         "holding it (load script.`var` as t; register ScriptUDF.`t` as name ...)")
    table = session.table(table_name)
    if table.num_rows == 0 or table.num_columns == 0 or not pa.types.is_string(table.schema[0].type):
        raise UsageError(f"table `{table_name}` holds no code: ScriptUDF reads the string in its first "
                         "column of its first row (load script.`var` as t)")
    return table.column(0)[0].as_py() or ""


# -- compiling ------------------------------------------------------------------------------------
class _CompiledCode:
    """The code run once in its own namespace; `wrapped`: inside Byzer's class (no className)."""

    def __init__(self, function: str, code: str, class_name: str):
        self.function, self.code = function, code
        self.filename = f"<ScriptUDF {function}>"
        self.wrapped = not class_name
        self.class_name = class_name or _WRAPPER_CLASS
        self.offset = 1 if self.wrapped else 0  # lines before the user's first line
        source = (f"class {_WRAPPER_CLASS}:\n" + "\n".join("    " + line for line in code.split("\n"))
                  if self.wrapped else code)
        try:
            compiled = compile(source, self.filename, "exec")
        except SyntaxError as error:
            line = (error.lineno or 1) - self.offset
            raise PythonCodeError(
                f"the Python code of `{function}` does not compile: {error.msg} at line {max(line, 1)} "
                "of the code (the local engine runs Python 3; Byzer's engine ran Jython 2.7)",
                detail=self.excerpt(line)) from None
        self.namespace = code_globals(f"byzer_script_udf_{function}")
        self.run(lambda: exec(compiled, self.namespace), "running the code")
        cls = self.namespace.get(self.class_name)
        if not isinstance(cls, type):
            raise UsageError(f"the code of `{function}` defines no class `{self.class_name}` (className)")
        self.instance = self.run(cls, f"creating an instance of {self.class_name}")

    def run(self, action: Callable, doing: str):
        try:
            return action()
        except Exception as error:  # the user's code: any exception is theirs to read
            raise self.failure(error, doing) from None

    def failure(self, error: BaseException, doing: str) -> PythonCodeError:
        line = self.error_line(error)
        where = f" at line {line} of its code" if line else ""
        return PythonCodeError(f"function `{self.function}` failed{where} while {doing}: "
                               f"{type(error).__name__}: {error}", detail=self.excerpt(line))

    def error_line(self, error: BaseException) -> Optional[int]:
        """The line of the user's code where the error was raised (the innermost such frame)."""
        lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
                 if frame.filename == self.filename and frame.lineno]
        return lines[-1] - self.offset if lines else None

    def excerpt(self, line: Optional[int]) -> str:
        lines = self.code.split("\n")
        if not line or not 1 <= line <= len(lines):
            return ""
        return f"  line {line}: {lines[line - 1].strip()}"


def _scalar_function(session, name: str, compiled: _CompiledCode, method_name: str,
                     data_type: str) -> ScriptFunction:
    if not data_type.strip():
        raise UsageError("a Python UDF needs its result type: dataType=\"...\" (e.g. \"string\", "
                         "\"map(string,string)\", \"array(long)\")")
    try:
        arrow_type = parse_simple_type(data_type)
    except SchemaError as error:
        raise SchemaError(f"dataType of `{name}`: {error.message}", detail=error.detail) from None
    method = getattr(compiled.instance, method_name, None)
    if not callable(method):
        raise UsageError(f"the code of `{name}` defines no function `{method_name}` (methodName; "
                         "Byzer's default is apply)")
    code = getattr(getattr(method, "__func__", method), "__code__", None)
    arity = code.co_argcount - 1 if code is not None else 0  # Byzer: co_argcount - 1 (self)
    functions = session.functions

    def batch(*columns):
        rows = zip(*(python_values(column) for column in columns)) if arity else [()] * len(columns[0])
        results = []
        for row in rows:
            try:
                results.append(method(*row))
            except Exception as error:  # the user's code
                raise functions.failed(compiled.failure(error, f"called with {_shown(row)}")) from None
        return arrow_result(results, arrow_type, lambda bad: functions.failed(
            _wrong_type(name, bad, data_type)))

    from .sparksql.session_functions import SessionFunction

    spec = SessionFunction(name, "udf", f"byzer_udf_{name.lower()}", arity)
    return ScriptFunction(spec, batch, duckdb_type(arrow_type), arrow_type=arrow_type)


def _aggregate_function(session, name: str, compiled: _CompiledCode) -> ScriptFunction:
    if compiled.wrapped:
        raise UsageError("a Python UDAF needs className=\"...\": the class in the code that defines "
                         f"{', '.join(UDAF_METHODS)}")
    missing = [m for m in UDAF_METHODS if not callable(getattr(compiled.instance, m, None))]
    if missing:
        raise UsageError(f"class {compiled.class_name} of `{name}` lacks {', '.join(missing)} "
                         f"(a Python UDAF defines {', '.join(UDAF_METHODS)})")
    udaf = compiled.run(lambda: Udaf(compiled.instance), "reading its schemas")
    arity = len(udaf.input_schema)
    functions = session.functions

    def batch(groups):
        results = []
        for group in python_values(groups):
            rows = [_input_row(value, arity) for value in group or ()]
            try:
                results.append(udaf.aggregate(rows))
            except Exception as error:  # the user's code
                raise functions.failed(compiled.failure(error, "aggregating a group")) from None
        return arrow_result(results, udaf.result_type.arrow, lambda bad: functions.failed(
            _wrong_type(name, bad, udaf.result_type.spark_name)))

    from .sparksql.session_functions import SessionFunction

    spec = SessionFunction(name, "udaf", f"byzer_udaf_{name.lower()}", arity, udaf.input_spark_types())
    return ScriptFunction(spec, batch, duckdb_type(udaf.result_type.arrow), arrow_type=udaf.result_type.arrow,
                          input_arrow_types=tuple(field.dataType.arrow for field in udaf.input_schema.fields))


def _input_row(value, arity: int) -> tuple:
    """One element of the collected list: the value (one input), a row of them, or a marker."""
    if arity == 1:
        return (value,)
    return tuple(value.values()) if arity > 1 else ()


def _wrong_type(name: str, value, data_type: str) -> PythonCodeError:
    return PythonCodeError(f"function `{name}` returned {_shown((value,))[1:-1]} "
                           f"({type(value).__name__}), which is not a value of its dataType {data_type}")


def _shown(row: tuple, limit: int = 120) -> str:
    text = "(" + ", ".join(repr(v) for v in row) + ")"
    return text if len(text) <= limit else text[:limit - 4] + "...)"

