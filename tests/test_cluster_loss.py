"""A Ray cluster that dies during a run: the kernel process lives on, its tables stay, the run gets
one RayConnectionError naming the address within 30 s, and the next run works.

The "kernel" is a fresh interpreter (cluster_tools.run_driver) so that it starts its own driver
process with the cluster's environment; the cluster is killed by its temp dir once the task runs.
"""
import pytest

from cluster_tools import LocalCluster, cluster_env, run_driver

pytestmark = pytest.mark.cluster

KERNEL = '''
import json, os, pathlib, sys, threading, time
sys.path.insert(0, "tests")
from cluster_tools import LocalCluster
from byzer_kernel.runtime import create_session
from byzer_kernel.runtime.driver_client import cluster_for

doomed = LocalCluster(dict(os.environ), temp_dir={temp_dir!r}, gcs_port={gcs_port})
marker = pathlib.Path({marker!r})
killed = {{}}
def kill_when_started():
    while not marker.exists():
        time.sleep(0.1)
    killed["at"] = time.monotonic()  # the loss starts with the first SIGKILL
    doomed.kill()
threading.Thread(target=kill_when_started, daemon=True).start()

session = create_session()
session.execute("select 1 as a as kept;")
report = {{}}
try:
    session.execute({script!r})
    report["error"] = None
except Exception as error:
    report.update(error=str(error), kind=type(error).__name__,
                  seconds=time.monotonic() - killed.get("at", time.monotonic()))
report["kept"] = session.table("kept").to_pylist()
after = session.execute({after!r})
report["after"] = after.table.to_pylist()
report["after_embedded"] = cluster_for(session).connection["embedded"]
print("RESULT:" + json.dumps(report))
session.close()
'''

SCRIPT = """
!python conf "schema=st(field(a,long))";
!python conf "rayAddress={address}";
run command as Ray.`` where inputTable="command" and outputTable="out" and code='''
import pathlib, time
import ray
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), "127.0.0.1:10001")
@ray.remote
def slow():
    pathlib.Path({marker!r}).write_text("started")
    time.sleep(300)
    return 1
context.build_result([{{"a": ray.get(slow.remote())}}])
''';
"""


@pytest.fixture
def cluster():
    started = LocalCluster(cluster_env())
    try:
        yield started.start_head(num_cpus=1)
    finally:
        started.stop()


@pytest.mark.parametrize("form", ["gcs", "client"])
def test_a_cluster_killed_mid_run_is_one_error_in_time_and_the_kernel_goes_on(cluster, form, tmp_path):
    address = cluster.gcs_address if form == "gcs" else f"ray://{cluster.client_address}"
    marker = str(tmp_path / "task-started")
    script = SCRIPT.format(address=address, marker=marker)
    after = SCRIPT.format(address="local", marker=marker).replace("time.sleep(300)", "pass")
    report = run_driver(KERNEL.format(temp_dir=cluster.temp_dir, gcs_port=cluster.gcs_port,
                                      marker=marker, script=script, after=after),
                        cluster_env(), timeout=400)
    assert report["kind"] == "RayConnectionError", report
    assert address.replace("ray://", "") in report["error"]
    assert "stopped answering" in report["error"]
    print(f"{form}: the error came {report['seconds']:.1f} s after the kill")
    assert report["seconds"] < 30, report  # the bound: reported within 30 s of the loss
    assert report["kept"] == [{"a": 1}]
    assert report["after"] == [{"a": 1}] and report["after_embedded"]
