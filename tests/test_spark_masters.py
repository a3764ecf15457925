"""`yarn` and `k8s://` masters without their environment (docs/reference/spark-engine.md, "Errors"):
no YARN or Kubernetes runs here, so what is tested is that each fails before any JVM starts,
well within 30 s, in one message naming the master and what is missing, and that the session
goes on."""
import socket
import time

import pytest

from byzer_kernel.engine.spark.cluster_managers import kubernetes_api_address, resource_managers
from byzer_kernel.lang.errors import SparkUnavailableError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def no_hadoop(monkeypatch):
    for name in ("HADOOP_CONF_DIR", "YARN_CONF_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def fails_on(session, master: str) -> str:
    """The message of the first statement that needs Spark on `master`, timed."""
    session.execute("select 'kept' as v as before")
    session.execute(f'!engine spark where master="{master}"')
    started = time.monotonic()
    with pytest.raises(SparkUnavailableError) as failure:
        session.execute("select * from before as t")
    assert time.monotonic() - started < 30
    assert session.execute("!engine duckdb; select v from before as after").table.to_pylist() == [{"v": "kept"}]
    return str(failure.value)


def yarn_site(folder, properties: dict) -> None:
    items = "".join(f"<property><name>{k}</name><value>{v}</value></property>" for k, v in properties.items())
    (folder / "yarn-site.xml").write_text(f'<?xml version="1.0"?><configuration>{items}</configuration>')


def test_yarn_without_hadoop_configuration_says_what_to_set(session, no_hadoop):
    message = fails_on(session, "yarn")
    assert ("the Spark master yarn needs Hadoop's client configuration, and neither HADOOP_CONF_DIR nor "
            "YARN_CONF_DIR is set: set one of them to the folder holding the cluster's yarn-site.xml") in message


def test_yarn_whose_resource_manager_does_not_answer_names_it(session, no_hadoop, tmp_path):
    port = free_port()
    conf = tmp_path / "hadoop"
    conf.mkdir()
    yarn_site(conf, {"yarn.resourcemanager.hostname": "127.0.0.1",
                     "yarn.resourcemanager.address": f"${{yarn.resourcemanager.hostname}}:{port}"})
    no_hadoop.setenv("YARN_CONF_DIR", str(conf))
    message = fails_on(session, "yarn")
    assert (f"the Spark master yarn does not answer (its ResourceManager, from {conf / 'yarn-site.xml'}: "
            f"127.0.0.1:{port}: Connection refused): start it, or choose another master") in message


def test_yarn_resource_managers_of_high_availability_and_defaults(tmp_path):
    yarn_site(tmp_path, {"yarn.resourcemanager.ha.enabled": "true", "yarn.resourcemanager.ha.rm-ids": "rm1, rm2",
                         "yarn.resourcemanager.hostname.rm1": "rm-a.example",
                         "yarn.resourcemanager.address.rm2": "rm-b.example:9032"})
    assert resource_managers({"HADOOP_CONF_DIR": str(tmp_path)}) == (
        [("rm-a.example", 8032), ("rm-b.example", 9032)], str(tmp_path / "yarn-site.xml"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert resource_managers({"HADOOP_CONF_DIR": str(empty)}) == (
        [("127.0.0.1", 8032)], f"Hadoop's default (no yarn-site.xml in {empty})")


def test_kubernetes_api_server_that_does_not_answer_names_it(session):
    master = f"k8s://https://127.0.0.1:{free_port()}"
    message = fails_on(session, master)
    port = master.rsplit(":", 1)[1]
    assert (f"the Spark master {master} does not answer (its Kubernetes API server: 127.0.0.1:{port}: "
            "Connection refused): start it, or choose another master") in message


def test_kubernetes_api_addresses_as_spark_reads_them():
    assert kubernetes_api_address("k8s://https://10.0.0.5:6443") == ("10.0.0.5", 6443)
    assert kubernetes_api_address("k8s://api.example.org") == ("api.example.org", 443)
    assert kubernetes_api_address("k8s://http://127.0.0.1:8001") == ("127.0.0.1", 8001)
