"""The `Ray` ET (`run command as Ray.`` where ...`) and the `!ray on T '''code''' named OUT` macro
(docs/spec.md §6.1, §6.2). Turns a rendered request into a PythonRun and its table."""
from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

import pyarrow as pa

from ..engine.run_statement import RunRequest
from ..lang.errors import ByzerRuntimeError, SchemaError, UsageError
from ..lang.schema import parse_schema
from .spark_feed import is_spark_table

SCHEMA_REQUIRED = "Using `!python conf` to specify the python return value format is required"


def command_table() -> pa.Table:
    """Byzer's `command` view: select 1 as a. Built on use: building any Arrow array makes pyarrow
    look for pandas, whose import would add 0.2 s to every kernel's start."""
    return pa.table({"a": pa.array([1], pa.int32())})


def install(session) -> None:
    session.ets["Ray"] = run_ray
    session.commands["ray"] = ray_command


def run_ray(session, request: RunRequest, events):
    """The run's output: an Arrow table, or a Spark table when the input lives in Spark."""
    options = request.options
    for key in ("inputTable", "outputTable", "code"):
        if key not in options:
            raise UsageError(f"`{key}` is required: run command as Ray.`` where "
                             "inputTable=\"...\" and outputTable=\"...\" and code='''...'''")
    code = resolve_code(session, options["code"])
    conf = runner_conf(session, options)
    try:
        schema = parse_schema(conf["schema"])
    except SchemaError as error:
        raise SchemaError(f"in `!python conf \"schema=...\"`: {error.message}", detail=error.detail) from None
    env = {**session.python_env, "PY_EXECUTE_USER": session.owner}
    input_table = resolve_input(session, options["inputTable"])
    model = session.table(options["model"].strip("`")) if options.get("model") else None
    output_table = options["outputTable"].strip("`")
    if output_table and output_table not in request.output_names:
        request.output_names.insert(0, output_table)

    run_options = dict(
        code=code, conf=conf, env=env, schema=schema, input_table=input_table, model_table=model,
        keep_partition_num=options.get("keepPartitionNum", "false").strip().lower() == "true",
        wait_timeout=float(options.get("dataWaitServerReadyTimeout", "300")))
    interpreter = other_interpreter(conf.get("pythonExec"), events)
    if is_spark_table(input_table):  # the Spark engine's table: its executors serve it to Ray
        from .spark_feed import run_fed_by_spark

        return run_fed_by_spark(session, request.statement, events, interpreter, run_options)
    if interpreter is not None:
        from .python_exec import run_with_interpreter

        return run_with_interpreter(interpreter=interpreter, **run_options)
    from .driver_client import cluster_for

    # The code runs in the driver process (driver.py): a lost cluster can never end the kernel.
    return cluster_for(session).run_python(request.statement, events, **run_options)


def resolve_code(session, code: str) -> str:
    """`code='py.NAME'` reads the code from table NAME: first row, first column, JSON field `content`."""
    if not code.startswith("py."):
        return code
    table = session.table(code[3:].strip())
    if table.num_rows == 0 or table.num_columns == 0:
        raise ByzerRuntimeError(f"table `{code[3:]}` holds no code")
    cell = table.column(0)[0].as_py()
    try:
        return json.loads(cell)["content"]
    except (TypeError, ValueError, KeyError):
        return str(cell)


def resolve_input(session, name: str):
    """The input as the catalog holds it: an Arrow table, or under the Spark engine a Spark table
    (never collected here: its executors serve it, spark_feed.py)."""
    name = name.strip().strip("`")
    if name.lower() == "command" and session.catalog.get("command") is None:
        return command_table()
    held = session.catalog.get(name)
    return held if held is not None else session.table(name)


def runner_conf(session, options: dict) -> dict:
    """docs/spec.md §6.2 step 2: HOME/OWNER/GROUP_ID, every `!python conf` item, confTable rows, timezone."""
    session.python_conf["pythonMode"] = "ray"  # Byzer records it at every run
    group_id = uuid.uuid4().hex
    conf = {"HOME": str(session.home), "OWNER": session.owner, "GROUP_ID": group_id}
    conf.update(session.python_conf)
    conf.update({"PY_EXECUTE_USER": session.owner, "groupId": group_id})
    if options.get("confTable"):
        table = session.table(options["confTable"].strip("`"))
        if table.num_columns < 2:
            raise ByzerRuntimeError("confTable needs two columns (key, value)")
        for key, value in zip(table.column(0).to_pylist(), table.column(1).to_pylist()):
            conf[str(key)] = "" if value is None else str(value)
    if "schema" not in conf:
        raise SchemaError(SCHEMA_REQUIRED)
    conf.setdefault("dataMode", "model")
    conf.setdefault("runIn", "executor")
    conf["pythonMode"] = "ray"
    conf["timezone"] = local_timezone()
    return conf


def local_timezone() -> str:
    if os.environ.get("TZ"):
        return os.environ["TZ"].lstrip(":")
    try:
        return Path("/etc/timezone").read_text().strip() or "UTC"
    except OSError:
        pass
    try:
        return str(Path("/etc/localtime").resolve()).split("zoneinfo/", 1)[1]
    except (OSError, IndexError):
        return "UTC"


def other_interpreter(python_exec, events):
    """An existing interpreter that is not ours runs the code (docs/design.md §5); a missing one is a warning."""
    if not python_exec or python_exec in ("python", "python3"):
        return None
    path = Path(python_exec).expanduser()
    if not path.exists():
        events.message(f"pythonExec {python_exec} does not exist here; the code runs in "
                       f"byzer_kernel's own Python ({sys.executable})")
        return None
    # Same binary in the same bin/ is ours; a venv's python links to the same binary but is not.
    ours = Path(sys.executable)
    if path.resolve() == ours.resolve() and path.absolute().parent == ours.absolute().parent:
        return None
    return str(path)


def ray_command(session, statement, args, events):
    """`!ray on T '''code''' [named OUT]` -> run command as Ray.`` where inputTable=T and ...;
    `!ray status` -> the cluster status."""
    if len(args) >= 3 and args[0] == "on":
        table, code = args[1], args[2]
        name = args[4] if len(args) >= 5 and args[3] == "named" else uuid.uuid4().hex
        request = RunRequest(statement=statement, input_table="command", path="",
                             options={"inputTable": table, "code": code, "outputTable": name},
                             output_names=[name])
        result = run_ray(session, request, events)
        for output_name in request.output_names:
            session.catalog.register(output_name, result)
        return request.output_names[-1], result
    if args == ["status"]:
        from .driver_client import cluster_for

        return events.cluster_status(cluster_for(session))
    raise UsageError("usage: !ray on TABLE '''code''' named OUTPUT, or !ray status")
