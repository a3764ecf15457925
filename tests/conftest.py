"""Shared fixtures. One embedded Ray serves the whole test session (started lazily by the first
test that needs it); tests that need a real cluster start and stop their own."""
import pytest

from byzer_kernel.engine import Session


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A fresh engine Session whose relative paths resolve under a temporary BYZER_HOME."""
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    s = Session(home=str(tmp_path))
    yield s
    s.close()


# --- runtime (Ray) fixtures: one embedded Ray for the whole test session -----------------------
@pytest.fixture(scope="session")
def embedded_ray():
    """Start the embedded Ray once in the driver process (2 CPUs, no dashboard) and stop the
    driver, and with it that Ray, after the last test. Yields the driver_client module."""
    import os

    from byzer_kernel.runtime import driver_client

    os.environ.pop("BYZER_RAY_ADDRESS", None)
    driver_client.start_embedded(num_cpus=2, include_dashboard=False)
    yield driver_client
    driver_client.shutdown()


@pytest.fixture
def ray_session(embedded_ray, tmp_path, monkeypatch):
    """A fresh runtime Session (Ray ET installed) bound to the shared embedded Ray."""
    from byzer_kernel.runtime import create_session

    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    monkeypatch.delenv("BYZER_RAY_ADDRESS", raising=False)
    s = create_session(home=str(tmp_path))
    yield s
    s.close()


# --- database servers: one PostgreSQL and one MariaDB for the whole test session ---------------
@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server of its own on 127.0.0.1 (tests/db_servers.py), started by the first
    test that asks for it and stopped, temp dir and all, after the last test."""
    from db_servers import PostgresServer

    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def mariadb_server():
    """A MariaDB server of its own on 127.0.0.1 (tests/db_servers.py), started by the first test
    that asks for it and stopped, temp dir and all, after the last test."""
    from db_servers import MariaDBServer

    with MariaDBServer() as server:
        yield server


# --- Spark servers (tests/spark_servers.py): started once, by the first test that asks ----------
@pytest.fixture(scope="session")
def spark_standalone():
    """A Spark standalone cluster of one master and two 1-core workers on 127.0.0.1, from the
    installed pyspark. Yields the SparkStandaloneCluster: master_url (spark://127.0.0.1:PORT),
    web_ui_url, master_pid, worker_pids, workers, alive_workers(), active_applications(). Its
    workers have one core each, so one application at a time gets executors: stop yours. Tests
    that kill parts of it take breakable_spark_standalone instead."""
    from spark_servers import SparkStandaloneCluster

    with SparkStandaloneCluster(workers=2) as cluster:
        yield cluster


@pytest.fixture
def breakable_spark_standalone(spark_standalone):
    """The shared standalone cluster for a test that kills parts of it (kill_worker(i),
    kill_master()): restored to a master and two ALIVE workers after the test (a restarted
    master has a new URL: read master_url again)."""
    yield spark_standalone
    spark_standalone.restore()


@pytest.fixture(scope="session")
def spark_connect_server():
    """A Spark Connect server on 127.0.0.1 with a local[2] Spark behind it (SparkConnectServer:
    url, pid, log_tail())."""
    from spark_servers import SparkConnectServer

    with SparkConnectServer(master="local[2]") as server:
        yield server


@pytest.fixture(scope="session")
def spark_connect(spark_connect_server):
    """The shared Spark Connect server's URL: sc://127.0.0.1:PORT."""
    return spark_connect_server.url
