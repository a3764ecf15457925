"""Real Ray clusters started with `ray start` on 127.0.0.1 (DESIGN §4.5).

Only one Ray can be connected per process, so every run happens in a fresh driver process
(cluster_tools.run_driver) that prints its findings as one JSON line; the clusters are stopped by
their temp dir, never with a plain `ray stop`.
"""
import textwrap

import pytest

from cluster_tools import LocalCluster, cluster_env, free_port, multi_node_cluster_env, run_driver

pytestmark = pytest.mark.cluster

TOKEN = "byzer-test-token-5d41402abc4b2a76b9719d911017c592"

# The driver: runs a Byzer script through a Session and reports the table, the messages, the
# connection and the status dict. {script} and {after} are filled in per test.
DRIVER = '''
import json, os, sys, time, traceback
from byzer_kernel.runtime import create_session
from byzer_kernel.runtime.cluster import cluster_for

class Events:
    def __init__(self): self.messages = []
    def message(self, text): self.messages.append(text)
    def __getattr__(self, name): return lambda *a, **k: None

session = create_session()
events = Events()
report = {{}}
def run(script):
    started = time.time()
    try:
        result = session.execute(script, events)
        rows = result.table.to_pylist() if result.table is not None else None
        return {{"rows": rows, "error": None, "seconds": time.time() - started}}
    except Exception as error:
        return {{"rows": None, "error": str(error), "kind": type(error).__name__,
                "seconds": time.time() - started}}
def connection():
    c = cluster_for(session).connection
    return None if c is None else {{"address": c.address, "how": c.how, "embedded": c.embedded,
                                    "kind": c.kind, "dashboard_url": c.dashboard_url}}
{body}
report["messages"] = events.messages
print("RESULT:" + json.dumps(report, default=str))
session.close()
'''

# A Byzer cell whose Python code connects to `address` and reports where its tasks ran.
NODE_SCRIPT = """
!python conf "schema=st(field(node,string),field(nodes,long),field(env,string))";
!python conf "dataMode=model";
run command as Ray.`` where inputTable="command" and outputTable="out" and code='''
import os
import ray
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), {address!r})

@ray.remote
def where(i):
    import time, os
    time.sleep(0.5)
    return ray.get_runtime_context().get_node_id(), os.environ.get("BYZER_TEST_ENV", "")

seen = ray.get([where.options(scheduling_strategy="SPREAD").remote(i) for i in range({tasks})])
alive = [n for n in ray.nodes() if n["Alive"]]
context.build_result([{{"node": node, "nodes": len(alive), "env": env}} for node, env in seen])
''';
"""


def node_script(address, tasks=2):
    return NODE_SCRIPT.format(address=address, tasks=tasks)


def driver(body: str) -> str:
    return DRIVER.format(body=textwrap.indent(textwrap.dedent(body), ""))


@pytest.fixture(scope="module")
def head():
    cluster = LocalCluster(cluster_env())
    try:
        cluster.start_head(num_cpus=1, dashboard=True)
        yield cluster
    finally:
        cluster.stop()


def head_node_ids(cluster, env):
    """Node ids as the cluster itself reports them (read by a short GCS driver)."""
    got = run_driver(
        "import json, ray\n"
        f"ray.init(address={cluster.gcs_address!r}, log_to_driver=False)\n"
        "print('RESULT:' + json.dumps([n['NodeID'] for n in ray.nodes() if n['Alive']]))\n",
        env)
    return set(got)


def test_configured_address_wins_over_the_code(head):
    """`!python conf "rayAddress=..."` (a Ray client address) beats the address in the code,
    and status() describes that cluster."""
    env = cluster_env()
    script = f'!python conf "rayAddress={head.client_address}";\n' + node_script("127.0.0.1:1")
    report = run_driver(driver(f"""
report["run"] = run({script!r})
report["connection"] = connection()
report["status"] = cluster_for(session).status()
"""), env)
    assert report["run"]["error"] is None, report
    assert report["connection"]["how"] == "rayAddress"
    assert report["connection"]["kind"] == "client"
    assert report["connection"]["address"] == f"ray://{head.client_address}"
    assert report["messages"] == []  # the code's dead address was never tried: no notice
    ids = head_node_ids(head, env)
    assert {row["node"] for row in report["run"]["rows"]} <= ids
    status = report["status"]
    assert status["connected"] and status["how"] == "rayAddress"
    assert status["dashboard_url"] == f"http://127.0.0.1:{head.dashboard_port}"
    assert status["nodes"] == {"alive": 1, "dead": 0}
    assert status["resources"]["CPU"]["total"] == 1.0
    assert status["resources"]["object_store_memory"]["total"] > 0
    # task states reach the state API asynchronously: a count, not an exact number
    assert isinstance(status["tasks"]["running"], int) and isinstance(status["actors"]["alive"], int)
    assert status["errors"] == []
    assert status["configured_address"] == head.client_address


def test_env_address_and_code_address(head):
    """BYZER_RAY_ADDRESS (a GCS address) is used when no conf is set; with neither, the code's
    address is used because it answers."""
    env = cluster_env(BYZER_RAY_ADDRESS=head.gcs_address)
    report = run_driver(driver(f"""
report["run"] = run({node_script("127.0.0.1:1")!r})
report["connection"] = connection()
"""), env)
    assert report["run"]["error"] is None, report
    assert report["connection"]["how"] == "BYZER_RAY_ADDRESS"
    assert report["connection"]["kind"] == "gcs"
    assert {row["node"] for row in report["run"]["rows"]} <= head_node_ids(head, cluster_env())

    report = run_driver(driver(f"""
report["run"] = run({node_script(head.client_address)!r})
report["connection"] = connection()
report["again"] = run({node_script(head.client_address)!r})
report["same"] = connection()
"""), cluster_env())
    assert report["run"]["error"] is None, report
    assert report["connection"]["how"] == "code"
    assert report["connection"]["kind"] == "client"  # probed, not guessed from the port
    assert report["again"]["error"] is None and report["same"] == report["connection"]
    assert report["messages"] == []


def test_env_items_reach_tasks(head):
    """`!python env` items become the environment of the Ray tasks the code starts."""
    script = '!python env "BYZER_TEST_ENV=from-byzer";\n' + node_script(head.client_address)
    report = run_driver(driver(f"""
report["run"] = run({script!r})
from byzer_kernel.runtime.cluster import runtime_env_for
report["runtime_env"] = runtime_env_for(session)
"""), cluster_env())
    assert report["run"]["error"] is None, report
    assert {row["env"] for row in report["run"]["rows"]} == {"from-byzer"}
    assert report["runtime_env"]["env_vars"]["BYZER_TEST_ENV"] == "from-byzer"


def test_unreachable_configured_address_fails_naming_it():
    dead = f"127.0.0.1:{free_port()}"
    script = f'!python conf "rayAddress={dead}";\n' + node_script("local")
    report = run_driver(driver(f"""
report["run"] = run({script!r})
report["connection"] = connection()
"""), cluster_env())
    assert report["run"]["kind"] == "PythonCodeError" or "RayConnectionError" in report["run"]["error"]
    assert dead in report["run"]["error"] and "did not answer" in report["run"]["error"]
    assert report["connection"] is None
    print("configured unreachable address failed after %.1f s" % report["run"]["seconds"])


def test_unreachable_code_address_falls_back_to_embedded_with_one_notice():
    dead = f"127.0.0.1:{free_port()}"
    report = run_driver(driver(f"""
report["run"] = run({node_script(dead)!r})
report["connection"] = connection()
report["status"] = cluster_for(session).status()
"""), cluster_env())
    assert report["run"]["error"] is None, report
    assert report["connection"]["embedded"] and report["connection"]["how"] == "embedded"
    assert report["messages"] == [f"Ray at {dead} did not answer; using the embedded local Ray"]
    assert report["status"]["embedded"] and report["status"]["nodes"]["alive"] == 1


def test_switching_the_configured_address_reconnects(head):
    report = run_driver(driver(f"""
report["first"] = run({('!python conf "rayAddress=' + head.gcs_address + '";' + node_script("local"))!r})
report["first_connection"] = connection()
report["second"] = run({('!python conf "rayAddress=local";' + node_script("local"))!r})
report["second_connection"] = connection()
"""), cluster_env())
    assert report["first"]["error"] is None and report["second"]["error"] is None, report
    assert report["first_connection"]["address"] == head.gcs_address
    assert report["second_connection"]["embedded"]
    assert report["second_connection"]["how"] == "rayAddress"
    first = {row["node"] for row in report["first"]["rows"]}
    second = {row["node"] for row in report["second"]["rows"]}
    assert first.isdisjoint(second)


def test_tasks_land_on_both_nodes_of_a_two_node_cluster():
    cluster = LocalCluster(multi_node_cluster_env(), host="127.0.0.2")
    try:
        cluster.start_head(num_cpus=1)
        cluster.add_node(num_cpus=1, node_ip="127.0.0.3")
        ids = head_node_ids(cluster, multi_node_cluster_env())
        assert len(ids) == 2
        script = f'!python conf "rayAddress={cluster.client_address}";\n' + node_script("local", 6)
        report = run_driver(driver(f"""
report["run"] = run({script!r})
report["status"] = cluster_for(session).status()
"""), cluster_env())
        assert report["run"]["error"] is None, report
        assert {row["node"] for row in report["run"]["rows"]} == ids
        assert {row["nodes"] for row in report["run"]["rows"]} == {2}
        assert report["status"]["nodes"] == {"alive": 2, "dead": 0}
        assert report["status"]["resources"]["CPU"]["total"] == 2.0
    finally:
        cluster.stop()


def test_token_authentication():
    cluster = LocalCluster(cluster_env(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=TOKEN))
    try:
        cluster.start_head(num_cpus=1)
        for address in (cluster.client_address, cluster.gcs_address):
            refused = f'!python conf "rayAddress={address}";\n' + node_script("local")
            by_conf = f'!python conf "rayAuthToken={TOKEN}";\n' + refused
            report = run_driver(driver(f"""
report["refused"] = run({refused!r})
report["by_conf"] = run({by_conf!r})
report["connection"] = connection()
"""), cluster_env())
            assert address in report["refused"]["error"]
            assert "token" in report["refused"]["error"]
            assert report["by_conf"]["error"] is None, report
            assert report["connection"]["address"].endswith(address)
        report = run_driver(driver(f"""
report["run"] = run({node_script("local")!r})
report["connection"] = connection()
"""), cluster_env(BYZER_RAY_ADDRESS=cluster.client_address, BYZER_RAY_AUTH_TOKEN=TOKEN))
        assert report["run"]["error"] is None, report
        assert report["connection"]["how"] == "BYZER_RAY_ADDRESS"
    finally:
        cluster.stop()


def test_cluster_dying_during_a_run_gives_a_clear_error_and_the_session_goes_on(tmp_path):
    cluster = LocalCluster(cluster_env())
    marker = tmp_path / "task-started"
    try:
        cluster.start_head(num_cpus=1)
        dying = f"""
!python conf "schema=st(field(a,long))";
!python conf "rayAddress={cluster.client_address}";
run command as Ray.`` where inputTable="command" and outputTable="out" and code='''
import pathlib, time
import ray
from pyjava.api.mlsql import RayContext
RayContext.connect(globals(), "127.0.0.1:10001")  # the configured rayAddress wins
@ray.remote
def slow():
    pathlib.Path({str(marker)!r}).write_text("started")
    time.sleep(120)
    return 1
context.build_result([{{"a": ray.get(slow.remote())}}])
''';
"""
        report = run_driver(driver(f"""
import threading, pathlib
sys.path.insert(0, "tests")
from cluster_tools import LocalCluster
doomed = LocalCluster(dict(os.environ), temp_dir={cluster.temp_dir!r}, gcs_port={cluster.gcs_port})
def kill_when_started():
    while not pathlib.Path({str(marker)!r}).exists():
        time.sleep(0.2)
    doomed.kill()
threading.Thread(target=kill_when_started, daemon=True).start()
report["dying"] = run({dying!r})
report["after"] = run({('!python conf "rayAddress=local";' + node_script("local"))!r})
report["connection"] = connection()
"""), cluster_env(), timeout=400)
        assert report["dying"]["error"] is not None
        assert report["dying"]["kind"] == "RayConnectionError", report
        assert "stopped answering during the run" in report["dying"]["error"]
        assert cluster.client_address in report["dying"]["error"]
        print(report["dying"]["error"])
        assert report["after"]["error"] is None, report
        assert report["connection"]["embedded"]
    finally:
        cluster.stop()


def test_embedded_ray_workers_share_the_driver_sys_path(tmp_path):
    """A module importable in the kernel only through sys.path is importable in Ray workers, so
    functions pickled by reference run there; status() before any run starts nothing."""
    (tmp_path / "byzer_user_module.py").write_text("def greet():\n    return 'hello from a user module'\n")
    report = run_driver(driver(f"""
sys.path.append({str(tmp_path)!r})
import byzer_user_module, ray
report["before"] = cluster_for(session).status()
report["ray_before"] = ray.is_initialized()
cluster_for(session).connect(None, events)
report["greeting"] = ray.get(ray.remote(lambda: byzer_user_module.greet()).remote())
report["connection"] = connection()
"""), cluster_env())
    assert report["before"]["connected"] is False and report["ray_before"] is False
    assert report["greeting"] == "hello from a user module"
    assert report["connection"]["embedded"] and report["messages"] == []
