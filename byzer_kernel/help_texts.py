"""What Shift+Tab help says about Byzer's statements, commands, formats and `!python conf` keys
(help_topics.py shows them). Every example here runs as written (tests/test_kernel_help.py)."""
from __future__ import annotations

from .help_topics import Topic


def statement(word: str, summary: str, syntax, example: str = "", doc: str = "", notes=()) -> Topic:
    return Topic(word, "statement", summary, tuple(syntax), example, tuple(notes), doc=doc)


STATEMENTS = {
    "set": statement(
        "set", "Names a value; later statements use it as `${NAME}`. A `set` makes no table.",
        ['set NAME = VALUE [where type="text|sql|shell|conf|defaultParam" and mode="compile|runtime"];'],
        "set greeting = \"hello\";\nselect \"${greeting}, world\" as message as greeted;",
        "set.md"),
    "load": statement(
        "load", "Reads data in a format into a table (replacing a table of that name).",
        ['load FORMAT.`PATH` [where key="value" and ...] as TABLE;'],
        "set people = '''{\"name\": \"Ana\", \"age\": 31}''';\nload jsonStr.`people` as people;",
        "load.md", ("Formats: `jsonStr`, `csvStr`, `script`, `json`, `csv`, `parquet`, `text`, `Rest`, "
                    "`delta`, `excel`, `orc`, `binaryFile`, `image`, `jdbc` (Shift+Tab on one for its options).",)),
    "select": statement(
        "select", "Runs a Spark SQL query (Spark 3.3's dialect, on DuckDB) and names its result; every "
                  "table of the session can be read by name.",
        ["select ... as TABLE;"], "select name, age + 1 as next_age from people where age > 30 as older;",
        "select.md"),
    "save": statement(
        "save", "Writes a table in a format. The mode says what happens when the target exists "
                "(default `errorIfExists`).",
        ['save [overwrite|append|ignore|errorIfExists] TABLE as FORMAT.`PATH` [where key="value" and ...] '
         '[partitionBy col, ...];'],
        "save overwrite people as parquet.`out/people`;", "save.md"),
    "run": statement(
        "run", "Runs an ET over a table: `Ray` runs Python code; the built-in ETs (DataSummary, "
               "RateSampler, JsonExpandExt...) are listed by `!show et;`.",
        ['run TABLE as ET.`PATH` [where key="value" and ...] [as OUT];'],
        "run people as DataSummary.`` as summary;", "run.md",
        ("Shift+Tab on an ET's name shows its parameters.",)),
    "train": statement(
        "train", "Trains an ET on a table, as `run` does; the built-in ETs that train (Discretizer) "
                 "save their model under PATH.",
        ['train TABLE as ET.`PATH` [where key="value" and ...] [as OUT];'],
        doc="et-ml.md"),
    "predict": statement(
        "predict", "Applies a model an ET trained and saved under PATH to a table.",
        ["predict TABLE as ET.`PATH` [as OUT];"], doc="et-ml.md"),
    "register": statement(
        "register", "Makes a function callable in every later `select`: a Python UDF or UDAF "
                    "(`ScriptUDF`) or a trained model (an ET's `register`).",
        ['register ScriptUDF.`` as NAME where lang="python" and dataType="TYPE" and code=\'\'\'PYTHON\'\'\';'],
        "register ScriptUDF.`` as shout where lang=\"python\" and dataType=\"string\" and code='''\n"
        "def apply(self, s):\n    return s.upper()\n''';\nselect shout(name) as loud from people as t;",
        "register-udf.md"),
    "include": statement(
        "include", "Runs another script's statements here, before the cell runs: a file, a URL or a "
                   "notebook (all its code cells, or cell N with `#N`).",
        ["include project.`path/to/script.byzer`;", "include local.`path/in/BYZER_HOME.byzer`;",
         "include http.`https://host/script.byzer`;"],
        doc="include.md"),
    "connect": statement(
        "connect", "Keeps a database's connection options under a name for `load jdbc`, "
                   "`save ... as jdbc` and `!jdbc`.",
        ['connect jdbc where url="jdbc:..." [and driver="..." and user="..." and password="..."] as NAME;'],
        "connect jdbc where url=\"jdbc:sqlite:${HOME}/shop.db\" as shop;\n"
        "!jdbc shop \"create table items (id integer, name text)\";\nload jdbc.`shop.items` as items;",
        "jdbc.md"),
    "as": Topic("as", "keyword", "Names the table a statement produces (`load`, `select`, `run`), or "
                                 "precedes the format of a `save` and the ET of a `run`.", doc="syntax.md"),
    "where": Topic("where", "keyword", "Starts the options of `load`, `save`, `run`, `set` and "
                                       "`connect`: `key=\"value\"` pairs joined by `and`; values may be "
                                       "'single', \"double\" or '''triple''' quoted.",
                   ('load csv.`people.csv` where header="true" and inferSchema="true" as people;',),
                   doc="syntax.md"),
    "options": Topic("options", "keyword", "Same as `where`: starts the options of a statement.",
                     doc="syntax.md"),
    "partitionby": Topic("partitionBy", "keyword", "Ends a `save`: one folder per value of the columns "
                                                   "(`col=value/`).",
                         ("save overwrite sales as parquet.`out/sales` partitionBy year, month;",), doc="save.md"),
}
for _word in ("insert", "create", "drop", "refresh", "unregister"):
    STATEMENTS[_word] = statement(
        _word, "Parsed as in Byzer but not run by the local engine: the statement stops with "
               "`NotSupported`.", [f"{_word} ...;"], doc="syntax.md")


def command(name: str, summary: str, syntax, example: str = "", doc: str = "commands.md", notes=()) -> Topic:
    return Topic(f"!{name}", "command", summary, tuple(syntax), example, tuple(notes), doc=doc)


COMMANDS = {
    "python": command("python", "Sets a setting of the Python runner (`conf`) or an environment variable "
                                "of the Python code (`env`) for the rest of the session.",
                      ['!python conf "key=value";', '!python env "NAME=value";'],
                      '!python conf "schema=st(field(name,string),field(n,long))";', "python-conf.md",
                      ("Shift+Tab on a conf key (schema, dataMode, runIn, rayAddress...) explains it.",)),
    "ray": command("ray", "Shows the Ray cluster the session uses (nodes, CPUs, GPUs, memory, "
                          "dashboard link), starting the embedded Ray if none runs yet.",
                   ["!ray status;"], doc="commands.md"),
    "show": command("show", "Lists what the session has: tables, ETs, functions, jobs, settings.",
                    ["!show tables;", "!show et;", '!show "et/params/NAME";', "!show functions;",
                     '!show "function/NAME";', "!show jobs;", "!show version;", "!show datasources;",
                     "!show conf;", "!show commands;"], doc="commands.md"),
    "desc": command("desc", "The columns of a table: name, Spark type, nullable.", ["!desc TABLE;"],
                    "!desc people;"),
    "assert": command("assert", "Stops the script with the message unless every row of the table "
                                "satisfies the expression.",
                      ["!assert TABLE '''EXPRESSION''' \"message\";"],
                      "!assert people '''age > 0''' \"ages must be positive\";"),
    "println": command("println", "Shows a message under the cell.", ["!println '''text''';"]),
    "lastCommand": command("lastCommand", "Names the table the previous statement left.",
                           ["!lastCommand named TABLE;"]),
    "emptyTable": command("emptyTable", "Makes the script's result an empty table.", ["!emptyTable;"]),
    "tableRepartition": command("tableRepartition", "Cuts a table into N partitions (the Python "
                                                    "workers of `run ... as Ray` run one each).",
                                ["!tableRepartition _ -i TABLE -num N -o OUTPUT;"]),
    "cache": command("cache", "Accepted for Byzer's scripts; tables live in memory here already.",
                     ["!cache TABLE [script|session|application];"]),
    "unCache": command("unCache", "Accepted for Byzer's scripts; nothing to release here.", ["!unCache TABLE;"]),
    "profiler": command("profiler", "Runs plain SQL, or shows the DuckDB SQL and plan a query becomes.",
                        ["!profiler sql '''SQL''';", "!profiler explain '''SQL''';", "!profiler conf;"],
                        doc="profiler.md"),
    "fs": command("fs", "Hadoop's file shell on the files under BYZER_HOME (`-ls`, `-cat`, `-rm`, "
                        "`-mkdir`, `-cp`, `-mv`...).", ["!fs -ls PATH;"], doc="fs.md"),
    "kill": command("kill", "Stops a running job of the session (`!show jobs;` lists them).",
                    ["!kill JOB;"], doc="jobs.md"),
    "delta": command("delta", "Delta table maintenance: history, versions, compaction.",
                     ["!delta show tables;", "!delta history db.table;", "!delta info db.table;",
                      "!delta compact db.table VERSION NUM_FILES;"],
                     doc="delta.md"),
    "jdbc": command("jdbc", "Runs SQL statements in a database (a `connect jdbc ... as NAME` "
                            "connection), one after another.", ['!jdbc NAME "SQL" ["SQL" ...];'],
                    'connect jdbc where url="jdbc:sqlite:${HOME}/shop.db" as shop;\n'
                    '!jdbc shop "create table items (id integer, name text)" "create index items_name on items (name)";',
                    "jdbc.md"),
    "plot": command("plot", "Charts a table: DuckDB aggregates it first (sums, averages, counts, "
                            "histogram bins), then Plotly draws the points; the result is the "
                            "aggregated table.",
                    ['!plot TABLE where x="COLUMN" and y="COLUMN" and kind="bar|line|scatter|pie|hist";'],
                    'select "a" as city, 3 as sales union all select "b" as city, 5 as sales as t;\n'
                    '!plot t where x="city" and y="sales" and kind="bar";', "charts.md",
                    ("Also agg (sum, avg, count, min, max), color, title, bins (hist), limit.",)),
    "visualize": command("visualize", "Byzer's YAML chart form: `fig.<chart>` keys as plotly.express "
                                      "takes them; the result is a content/mime row with the chart.",
                         ["!visualize TABLE '''YAML''';"],
                         'select "a" as city, 3 as sales union all select "b" as city, 5 as sales as t;\n'
                         "!visualize t '''\nfig:\n  bar:\n    x: city\n    y: sales\n''';", "charts.md"),
    "pyInclude": command("pyInclude", "Makes a table holding a Python file, for `code='''py.TABLE'''` "
                                      "in `run ... as Ray`.",
                         ["!pyInclude project PATH named TABLE;"], doc="include.md"),
    "if": command("if", "Runs the statements up to the next `!elif`, `!else` or `!fi` when the "
                        "condition holds.",
                  ["!if ''' CONDITION ''';", "  statements", "!elif ''' CONDITION ''';", "  statements",
                   "!else;", "  statements", "!fi;"],
                  "set level = \"7\";\n!if ''':level > 5''';\n  select \"high\" as level as t;\n"
                  "!else;\n  select \"low\" as level as t;\n!fi;", "branching.md"),
}
COMMANDS["hdfs"] = COMMANDS["fs"]
COMMANDS["uncache"] = COMMANDS["unCache"]
for _word in ("elif", "else", "fi"):
    COMMANDS[_word] = COMMANDS["if"]

CONF_KEYS = {
    "schema": "The schema of the table the Python code returns (required): `st(field(a,long))`, a DDL "
              "string `a bigint, b string`, Spark's JSON schema, or `file`.",
    "dataMode": "`model` (default): the code hands its rows to `context.build_result`; `data`: it calls "
                "`ray_context.foreach` or `map_iter`.",
    "runIn": "`driver` or `executor` (default); both run on this machine here.",
    "pythonExec": "The interpreter that runs the code; a missing path warns and the kernel's Python runs it.",
    "pythonVersion": "Informational (default 3.6).",
    "rayAddress": "The Ray cluster of this session: `ray://host:10001`, `host:6379`, `auto` or `local`; it "
                  "wins over the address in the code.",
    "cache": "Byzer Notebook's `#%cache`: materialise the output (recorded, not read by the engine).",
    "num_cpus": "CPUs per Ray task.",
    "num_gpus": "GPUs per Ray task.",
}


def conf_key(key: str) -> Topic:
    return Topic(key, "!python conf key", CONF_KEYS[key], (f'!python conf "{key}=...";',), doc="python-conf.md")


def format_topic(name: str, summary: str, options=(), example: str = "", doc: str = "formats.md",
                 saves: bool = True) -> Topic:
    syntax = [f'load {name}.`PATH` [where key="value" and ...] as TABLE;']
    if saves:
        syntax.append(f"save [overwrite|append|ignore|errorIfExists] TABLE as {name}.`PATH` [where ...];")
    return Topic(name, "format", summary, tuple(syntax), example, rows=tuple(options),
                 rows_header=("option", "meaning"), doc=doc)


_JSON_OPTIONS = (("mode", "`PERMISSIVE` (default: a bad line goes to `_corrupt_record`), `DROPMALFORMED` "
                          "or `FAILFAST`"),
                 ("primitivesAsString", "`true`: every value is read as a string"),
                 ("allowComments, allowSingleQuotes, ...", "Spark's JSON reader options"))
_CSV_OPTIONS = (("header", "`true`: the first line names the columns (else `_c0`, `_c1`, ...)"),
                ("inferSchema", "`true`: numbers, booleans and dates get their types (else strings)"),
                ("delimiter / sep", "the column separator (default `,`)"),
                ("quote, escape, nullValue, comment, encoding", "as in Spark's CSV reader"),
                ("skipFirstNLines, skipLastNLines", "Byzer's: lines dropped before parsing"))

FORMATS = {
    "jsonStr": format_topic(
        "jsonStr", "JSON records, one per line, from the text of a variable (named without `${}`); "
                   "columns as Spark infers them, in name order.", _JSON_OPTIONS,
        "set people = '''\n{\"name\": \"Ana\", \"age\": 31}\n{\"name\": \"Bo\", \"age\": 27}\n''';\n"
        "load jsonStr.`people` as people;", saves=False),
    "csvStr": format_topic(
        "csvStr", "CSV from the text of a variable (named without `${}`).", _CSV_OPTIONS,
        "set rows = '''name,age\nAna,31''';\nload csvStr.`rows` where header=\"true\" and "
        "inferSchema=\"true\" as people;", saves=False),
    "script": format_topic(
        "script", "The text of a variable as one row (column `content`), e.g. the code of a "
                  "`register ScriptUDF`.", (), doc="register-udf.md", saves=False),
    "json": format_topic("json", "JSON Lines files (a file, a folder of part files, a glob); `save` "
                                 "writes part files, one record per line.", _JSON_OPTIONS),
    "csv": format_topic("csv", "CSV files; `save` writes part files.", _CSV_OPTIONS,
                        "load csv.`people.csv` where header=\"true\" and inferSchema=\"true\" as people;"),
    "parquet": format_topic("parquet", "Parquet files; types survive a round trip.",
                            (("compression", "save: `snappy` (default), `gzip`, `zstd`, `none`..."),),
                            "save overwrite people as parquet.`out/people`;\nload parquet.`out/people` as back;"),
    "text": format_topic("text", "Text files: one row per line (columns `file`, `value`), or per file "
                                 "with `wholetext=\"true\"`; `save` writes a table of one string column.",
                         (("wholetext", "`true`: one row per file"),
                          ("fileName, imageColumn", "save: one file per row, named by a column")), doc="formats.md"),
    "Rest": format_topic("Rest", "Calls an HTTP API: one row per request with the answer's `content` and "
                                 "`status`; `config.format=\"json\"` gives the JSON answer as a table.",
                         (("config.method", "`GET` (default), `POST` or `PUT`"),
                          ("header.NAME", "a request header"),
                          ("form.NAME", "a query parameter or form field"),
                          ("body", "the body of a POST/PUT"),
                          ("config.format", "`json`: the answer as a table"),
                          ("config.page.next, config.page.values", "paging through several requests")),
                         "load Rest.`https://api.github.com/orgs/byzer-org` where config.method=\"GET\" "
                         "as org;", "rest.md"),
    "delta": format_topic("delta", "Delta Lake tables under `BYZER_HOME/_delta` (`db.table`), read and "
                                   "written without Spark; upserts with `idCols`, past versions with "
                                   "`versionAsOf`.",
                          (("idCols", "save: upsert on these columns"),
                           ("versionAsOf", "load: that version"),
                           ("startingVersion, endingVersion", "load: versions S to E-1, with "
                                                              "`__delta_version__`"),
                           ("mode", "`path`: the path is a folder, not `db.table`")),
                          "save overwrite people as delta.`default.people`;\nload delta.`default.people` as back;",
                          "delta.md"),
    "excel": format_topic("excel", "A sheet of an Excel workbook (xlsx, xlsm, xls, xlsb, ods), with "
                                   "spark-excel's options.",
                          (("header", "`true` (default): the first row names the columns"),
                           ("dataAddress", "where the table is: `A1`, `'Sheet2'!A20`, `'Sheet2'!A20:D34`"),
                           ("inferSchema", "`true`: numbers, dates and booleans get their types"),
                           ("treatEmptyValuesAsNulls", "`true` (default): an empty cell is null")),
                          "save overwrite people as excel.`out/people.xlsx`;\n"
                          "load excel.`out/people.xlsx` where inferSchema=\"true\" as back;", "excel.md"),
    "orc": format_topic("orc", "ORC files; `save` writes part files.",
                        (("compression", "save: `snappy` (default), `zlib`, `lz4`, `zstd`, `none`"),),
                        doc="binary-files.md"),
    "binaryFile": format_topic("binaryFile", "One row per file: `path`, `modificationTime`, `length` "
                                             "and `content` (the bytes).",
                               (("pathGlobFilter", "keeps the files whose name matches a glob"),),
                               doc="binary-files.md", saves=False),
    "image": format_topic("image", "Decoded images: one column `image` (`origin`, `height`, `width`, "
                                   "`nChannels`, `mode`, `data` as BGR(A) bytes).",
                          (("pathGlobFilter", "keeps the files whose name matches a glob"),
                           ("dropInvalid", "`true`: no row for a file that is not an image")),
                          doc="binary-files.md", saves=False),
    "jdbc": format_topic("jdbc", "A database table or query (PostgreSQL, MySQL, MariaDB, SQLite) through "
                                 "a JDBC URL, with Spark's type mapping; `connect jdbc ... as NAME` keeps "
                                 "the connection, `` jdbc.`NAME.table` `` uses it.",
                         (("url, driver, user, password", "the database, when no connection is named"),
                          ("directQuery", "load: a query run in the database"),
                          ("partitionColumn, lowerBound, upperBound, numPartitions",
                           "load: several queries in parallel"),
                          ("customSchema", "load: Spark types for some columns"),
                          ("truncate", "save overwrite: keep the table, replace its rows"),
                          ("idCol", "save: upsert on these columns"),
                          ("createTableColumnTypes", "save: column types of a created table")),
                         "connect jdbc where url=\"jdbc:sqlite:${HOME}/shop.db\" as shop;\n"
                         "!jdbc shop \"create table items (id integer, name text)\";\n"
                         "load jdbc.`shop.items` as items;", "jdbc.md"),
}
