"""Start-up and execute round-trip latency: rapideels against ipykernel, same client code, one run.

Prints `name: ours X unit, peer Y unit, ratio Z` per figure (ratio > 1: ours is faster) and `ratio: Z` for the
headline (execute round trip p50). Run through bench/kernel_latency.sh, which installs the peer.
"""
import os
import statistics
import subprocess
import tempfile
import time
import uuid

import zmq
from jupyter_client import KernelManager
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.session import Session

STARTS = int(os.environ.get("LATENCY_STARTS", "10"))
ROUNDS = int(os.environ.get("LATENCY_ROUNDS", "300"))
# Clients connect before the kernel binds; libzmq then retries every RECONNECT_IVL (100 ms by default), which would
# dominate start-up. A 2 ms interval, the same for both kernels, measures the kernels rather than the retry timer.
zmq.Context.instance().setsockopt(zmq.RECONNECT_IVL, 2)

KERNELS = {"ours": ("rapideels", "let x = 1 + 1"), "peer": ("python3", "x = 1 + 1")}


def startup_seconds(kernel_name: str) -> tuple[float, float]:
    """(wall, CPU) seconds from launching the kernel process to its first kernel_info reply.

    The kernelspec's argv is launched directly (no KernelManager bookkeeping) and one DEALER socket, connected
    before the process starts, sends kernel_info_request at once; the request waits in the socket until the
    kernel binds. CPU is the kernel process's user + system time (/proc, clock ticks), which machine load
    does not inflate the way it inflates wall time.
    """
    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    fname = tempfile.mktemp(suffix=".json")
    key = uuid.uuid4().hex.encode()
    _, info = write_connection_file(fname=fname, ip="127.0.0.1", key=key)
    socket = zmq.Context.instance().socket(zmq.DEALER)
    socket.linger = 0
    socket.connect(f"tcp://127.0.0.1:{info['shell_port']}")
    session = Session(key=key)
    argv = [a.replace("{connection_file}", fname) for a in spec.argv]
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    session.send(socket, "kernel_info_request", {})
    assert socket.poll(60_000), f"{kernel_name}: no kernel_info reply within 60 s"
    session.recv(socket)
    wall = time.perf_counter() - start
    with open(f"/proc/{process.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    process.kill()
    process.wait()
    socket.close()
    os.unlink(fname)
    return wall, cpu


def execute_round_trips(kernel_name: str, code: str) -> list[float]:
    """Seconds from sending execute_request to its reply and the idle status, ROUNDS times."""
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    times = []
    for i in range(ROUNDS + 10):
        start = time.perf_counter()
        msg_id = kc.execute(code)
        while True:
            reply = kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        assert reply["content"]["status"] == "ok", reply["content"]
        while True:
            msg = kc.get_iopub_msg(timeout=30)
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"):
                break
        if i >= 10:  # warm-up rounds are not counted
            times.append(time.perf_counter() - start)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    startup = {}
    startup_cpu = {}
    rounds = {}
    # Interleave the two kernels so that machine noise hits both alike.
    samples = {side: [] for side in KERNELS}
    for _ in range(STARTS):
        for side, (name, _) in KERNELS.items():
            samples[side].append(startup_seconds(name))
    for side in KERNELS:
        startup[side] = statistics.median(wall for wall, _ in samples[side])
        startup_cpu[side] = statistics.median(cpu for _, cpu in samples[side])
    for side, (name, code) in KERNELS.items():
        rounds[side] = execute_round_trips(name, code)
    figures = [
        ("startup_to_kernel_info", startup["ours"], startup["peer"], 1.0, "s"),
        ("startup_cpu", startup_cpu["ours"], startup_cpu["peer"], 1.0, "s"),
        ("execute_round_trip_p50", percentile(rounds["ours"], 0.5), percentile(rounds["peer"], 0.5), 1e3, "ms"),
        ("execute_round_trip_p99", percentile(rounds["ours"], 0.99), percentile(rounds["peer"], 0.99), 1e3, "ms"),
    ]
    for name, ours, peer, scale, unit in figures:
        ratio = peer / ours if ours > 0 else float("inf")
        print(f"{name}: ours {ours * scale:.3f} {unit}, peer {peer * scale:.3f} {unit}, ratio {ratio:.2f}")
    print(f"ratio: {percentile(rounds['peer'], 0.5) / percentile(rounds['ours'], 0.5):.2f}")


if __name__ == "__main__":
    main()
