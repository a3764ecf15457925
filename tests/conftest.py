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
