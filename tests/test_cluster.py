"""Real Ray clusters started with `ray start` (docs/design.md §4.5), and the embedded Ray's start.

Only one Ray can be connected per process, so every run happens in a fresh process
(cluster_tools.run_driver) that prints its findings as one JSON line; the clusters are stopped by
their temp dir, never with a plain `ray stop`.
"""
import shutil
import subprocess
import tempfile
import textwrap

import pytest

from cluster_tools import (RAY, LocalCluster, cluster_env, free_port, multi_node_cluster_env,
                           run_driver, user_env)

pytestmark = pytest.mark.cluster

TOKEN = "byzer-test-token-5d41402abc4b2a76b9719d911017c592"

# The driver: runs a Byzer script through a Session and reports the table, the messages, the
# connection and the status dict. {script} and {after} are filled in per test.
DRIVER = '''
import json, os, sys, time, traceback
from byzer_kernel.runtime import create_session
from byzer_kernel.runtime.driver_client import cluster_for

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
    return cluster_for(session).connection  # facts of the Ray the driver process uses, or None
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
"""), cluster_env())
    assert report["run"]["error"] is None, report
    assert {row["env"] for row in report["run"]["rows"]} == {"from-byzer"}


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


def test_embedded_ray_workers_share_the_driver_sys_path(tmp_path):
    """A module importable in the kernel only through sys.path is importable in Ray workers, so
    functions pickled by reference run there; status() before any run starts nothing."""
    (tmp_path / "byzer_user_module.py").write_text("def greet():\n    return 'hello from a user module'\n")
    report = run_driver(driver(f"""
sys.path.append({str(tmp_path)!r})
import byzer_user_module, ray
from byzer_kernel.runtime import cluster  # the policy itself, in this process
from byzer_kernel.runtime.driver import DriverSession
here = DriverSession()
report["before"] = cluster.cluster_for(here).status()
report["ray_before"] = ray.is_initialized()
made = cluster.cluster_for(here).connect(None, events)
report["greeting"] = ray.get(ray.remote(lambda: byzer_user_module.greet()).remote())
report["connection"] = {{"embedded": made.embedded}}
"""), cluster_env())
    assert report["before"]["connected"] is False and report["ray_before"] is False
    assert report["greeting"] == "hello from a user module"
    assert report["connection"]["embedded"] and report["messages"] == []


# -- a cluster as Ray starts it: `ray start --head`, token authentication from ~/.ray/auth_token --
@pytest.fixture(scope="module")
def plain_head():
    """`ray start --head` with no address or auth flags on a machine that has ~/.ray/auth_token
    (written here by `ray get-auth-token --generate`; the embedded Ray's ray.init() writes it
    too): Ray turns token authentication on and registers the node under the host's address."""
    root = tempfile.mkdtemp(prefix="bkp", dir="/tmp")  # short: Ray's socket paths are limited
    home = f"{root}/home"
    env = user_env(home, RAY_TMPDIR=root)  # `auto` finds the cluster in $RAY_TMPDIR/ray
    subprocess.run([RAY, "get-auth-token", "--generate"], env=env, capture_output=True,
                   check=True, timeout=120)
    cluster = LocalCluster(env, temp_dir=f"{root}/ray", extra_dirs=[root])
    try:
        cluster.start_plain_head()
        with open(f"{home}/.ray/auth_token") as handle:
            cluster.token = handle.read().strip()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_a_plain_ray_start_cluster_through_every_address_form(plain_head):
    """The client address, the GCS address as 127.0.0.1, localhost and the host's address (the
    one the node registered with), and `auto` all reach the cluster, one after the other in one
    session, with the token from ~/.ray/auth_token (named, never shown); a configured token still
    wins over the file."""
    head = plain_head
    forms = [f"ray://127.0.0.1:{head.client_port}", f"127.0.0.1:{head.gcs_port}",
             f"localhost:{head.gcs_port}", f"{head.host}:{head.gcs_port}", "auto"]
    wrong = '!python conf "rayAuthToken=not-the-token";\n'
    body = "".join(f"""
report[{form!r}] = run({('!python conf "rayAddress=' + form + '";' + node_script("local"))!r})
report[{form!r}]["connection"] = connection()
report[{form!r}]["status"] = cluster_for(session).status()
""" for form in forms) + f"""
report["wrong"] = run({(wrong + '!python conf "rayAddress=127.0.0.1:' + str(head.gcs_port) + '";' + node_script("local"))!r})
"""
    report = run_driver(driver(body), head.env, timeout=900)
    nodes = set()
    for form in forms:
        got = report[form]
        assert got["error"] is None, (form, report)
        assert got["seconds"] < 90, (form, got["seconds"])
        connection = got["connection"]
        assert connection["kind"] == ("client" if form.startswith("ray://") else "gcs"), connection
        assert connection["how"] == "rayAddress" and not connection["embedded"]
        assert "token from ~/.ray/auth_token" in connection["notice"]
        assert got["status"]["connected"] and got["status"]["nodes"] == {"alive": 1, "dead": 0}
        assert "token from ~/.ray/auth_token" in got["status"]["notice"]
        nodes |= {row["node"] for row in got["rows"]}
    assert len(nodes) == 1  # the one node of that cluster, whatever the spelling
    assert report["auto"]["connection"]["address"] == f"{head.host}:{head.gcs_port}"  # found
    for form in forms:  # one notice per connection, naming the token's source
        notice = [m for m in report["messages"] if m.startswith(f"Ray at {form} ")]
        assert len(notice) == 1 and notice[0].endswith("sent the token from ~/.ray/auth_token"), \
            report["messages"]
    assert head.token not in str(report)
    assert report["wrong"]["kind"] == "RayConnectionError"
    assert "refused the token from rayAuthToken" in report["wrong"]["error"]
    assert report["wrong"]["seconds"] < 30


# -- the embedded Ray ------------------------------------------------------------------------------
EMBEDDED = '''
import glob, json, os, socket, sys, time
from byzer_kernel.runtime import cluster, ray_private
started = time.time()
try:
    cluster.start_embedded(num_cpus=1, include_dashboard={dashboard})
    error = None
except Exception as failure:
    error = {{"kind": type(failure).__name__, "message": str(failure)}}
import ray, psutil
report = {{"error": error, "seconds": time.time() - started}}
me = psutil.Process()
if error is None:
    ray.get(ray.remote(lambda: 1).remote())  # a worker process too
    sessions = [ray_private.global_node().get_session_dir_path()]
else:
    sessions = sorted(glob.glob(os.path.join(os.environ["RAY_TMPDIR"], "ray", "session_2*")))
report["sessions"] = sessions
report["logs"] = [sorted(os.listdir(os.path.join(s, "logs"))) for s in sessions]
procs = {{p.pid: p for p in me.children(recursive=True)}}
for proc in psutil.process_iter(["pid", "cmdline"]):
    if any(s in " ".join(proc.info["cmdline"] or []) for s in sessions):
        procs[proc.pid] = proc
procs[me.pid] = me
report["processes"], report["sockets"] = [], []
for pid, proc in sorted(procs.items()):
    try:
        name = " ".join(proc.cmdline())[:120]
        found = proc.net_connections("inet")
    except psutil.Error:
        continue
    if pid != me.pid:
        report["processes"].append(name)
    for c in found:  # listening TCP sockets and bound, unconnected UDP ones
        if c.status == psutil.CONN_LISTEN or (c.type == socket.SOCK_DGRAM and not c.raddr):
            report["sockets"].append([name, c.laddr.ip, c.laddr.port])
print("RESULT:" + json.dumps(report))
'''


def embedded_env(**extra):
    """Its own HOME (ray.init writes ~/.ray/auth_token) and Ray temp dir (the sessions to look at)."""
    root = tempfile.mkdtemp(prefix="bke", dir="/tmp")
    return root, user_env(f"{root}/home", RAY_TMPDIR=root, **extra)


def test_the_embedded_ray_listens_on_loopback_only():
    """Every socket of the embedded Ray (GCS, raylet, object manager, workers, dashboard, its
    agents, metrics export, runtime-env agent, and this driver's own) listens on 127.0.0.1."""
    root, env = embedded_env()
    try:
        report = run_driver(EMBEDDED.format(dashboard=True), env, timeout=600)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert report["error"] is None, report
    names = " ".join(report["processes"])
    for part in ("gcs_server", "raylet", "dashboard.py", "DashboardAgent", "RuntimeEnvAgent",
                 "ray::IDLE"):
        assert part in names, (part, report["processes"])
    assert len(report["sockets"]) >= 8, report["sockets"]
    off_loopback = [s for s in report["sockets"]
                    if s[1] not in ("127.0.0.1", "::ffff:127.0.0.1", "::1")]
    assert off_loopback == [], off_loopback


def test_a_failed_embedded_start_is_retried_once_and_leaves_no_process():
    """With a start timeout too short to succeed, both attempts fail; each attempt's processes
    (its raylet did start) are stopped before the next, and the error names the setting."""
    # The GCS gets its own (generous) wait, so each attempt gets as far as starting the raylet.
    root, env = embedded_env(BYZER_RAY_START_TIMEOUT="1", RAY_gcs_server_port_wait_time_s="90")
    try:
        report = run_driver(EMBEDDED.format(dashboard=False), env, timeout=600)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert report["error"]["kind"] == "RayConnectionError", report
    assert "did not start" in report["error"]["message"]
    assert "BYZER_RAY_START_TIMEOUT" in report["error"]["message"]
    assert len(report["sessions"]) == 2, report  # the first attempt and one retry
    assert all("raylet.out" in logs and "gcs_server.out" in logs for logs in report["logs"]), report
    assert report["processes"] == [], report["processes"]  # nothing of either attempt is left
