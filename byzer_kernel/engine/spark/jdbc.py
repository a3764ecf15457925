"""`load jdbc.`db.table`` and `save ... as jdbc.`db.table`` under the Spark engine through Spark's
own JDBC source, as Byzer does (docs/reference/spark-engine.md, "JDBC"), when the database's driver
is on Spark's classpath (`spark.jars`); else this project's reader and writer do it, with a notice
naming the jar to add. Byzer's upsert (`idCol`) and SQLite files stay with this project's writer."""
from __future__ import annotations

from typing import Optional

from ..formats.options import option
from ..jdbc.connections import resolve
from .pyspark_internals import jvm

DRIVERS = {"postgresql": ("org.postgresql.Driver", "/usr/share/java/postgresql.jar",
                          "Debian/Ubuntu: apt-get install libpostgresql-jdbc-java"),
           "mysql": ("org.mariadb.jdbc.Driver", "/usr/share/java/mariadb-java-client.jar",
                     "Debian/Ubuntu: apt-get install libmariadb-java")}
# Options the embedded reader understands and Spark's JDBC source does not take as they are.
_OURS = {"url", "driver", "directquery", "query", "idcol"}
_SPARK_MODES = {"overwrite": "overwrite", "append": "append", "ignore": "ignore", "errorifexists": "errorifexists"}


def driver_on_classpath(spark, driver: str) -> bool:
    java = jvm(spark).java
    try:
        java.lang.Class.forName(driver, False, java.lang.Thread.currentThread().getContextClassLoader())
        return True
    except Exception:
        return False


def _spark_driver(session, target, events) -> Optional[str]:
    """The driver class Spark loads, or None (with a notice) when Spark cannot."""
    known = DRIVERS.get(target.url.kind)
    if known is None:
        return None  # sqlite: a file of this machine, for this project's reader
    driver = str(option(target.options, "driver", "") or known[0])
    engine = session.spark
    spark = engine.spark()
    # MariaDB's driver speaks to MySQL too: scripts naming MySQL's (com.mysql.jdbc.Driver) still
    # go through Spark when only MariaDB's jar is there.
    for candidate in dict.fromkeys((driver, known[0])):
        if not engine.handle.connect and driver_on_classpath(spark, candidate):
            return candidate
    if events is not None:
        events.message(_missing_driver_notice(driver, known))
    return None


def _passed_on(target) -> dict:
    return {key: str(value) for key, value in target.options.items() if key.lower() not in _OURS}


def spark_jdbc_reader(session, path: str, options: dict, events):
    """A Spark DataFrame reading the table, or None when this project's reader is to read it."""
    target = resolve(session, path, options)
    driver = _spark_driver(session, target, events)
    if driver is None:
        return None
    reader = session.spark.spark().read.format("jdbc").option("url", target.url.url).option("driver", driver)
    direct: Optional[str] = option(target.options, "directQuery") or option(target.options, "query")
    if direct:
        reader = reader.option("query", str(direct).strip().rstrip(";"))
    else:
        reader = reader.option("dbtable", target.table)
    return session.spark.run(reader.options(**_passed_on(target)).load)


def spark_jdbc_write(session, frame, path: str, mode: str, options: dict, events) -> bool:
    """Write a SparkFrame with Spark's JDBC writer; False when this project's writer is to."""
    target = resolve(session, path, options)
    if option(target.options, "idCol") or mode.lower() not in _SPARK_MODES:
        return False  # Byzer's upsert, or a mode this project's writer names in its message
    driver = _spark_driver(session, target, events)
    if driver is None:
        return False
    writer = (frame.dataframe.write.format("jdbc").mode(_SPARK_MODES[mode.lower()])
              .option("url", target.url.url).option("driver", driver).option("dbtable", target.table)
              .options(**_passed_on(target)))
    session.spark.run(writer.save, frame.origin)
    return True


def _missing_driver_notice(driver: str, known: tuple) -> str:
    return (f"jdbc: Spark has no {driver} on its classpath, so this project's reader reads the table "
            f"and Spark gets its rows; for Spark's JDBC source add the driver's jar before Spark starts: "
            f"set spark.jars=\"{known[1]}\" where type=\"conf\" ({known[2]})")
