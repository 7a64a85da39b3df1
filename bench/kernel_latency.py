"""Start-up and execute round-trip latency: rapideels against ipykernel, same client code, one run.

Prints `name: ours X unit, peer Y unit, ratio Z` per figure (ratio > 1: ours is faster) and `ratio: Z` for the
headline (execute round trip p50). Run through bench/kernel_latency.sh, which installs the peer.
"""
import os
import statistics
import time

import zmq
from jupyter_client import KernelManager

STARTS = int(os.environ.get("LATENCY_STARTS", "10"))
ROUNDS = int(os.environ.get("LATENCY_ROUNDS", "300"))
# Clients connect before the kernel binds; libzmq then retries every RECONNECT_IVL (100 ms by default), which would
# dominate start-up. A 2 ms interval, the same for both kernels, measures the kernels rather than the retry timer.
zmq.Context.instance().setsockopt(zmq.RECONNECT_IVL, 2)

KERNELS = {"ours": ("rapideels", "let x = 1 + 1"), "peer": ("python3", "x = 1 + 1")}


def startup_seconds(kernel_name: str) -> float:
    """Seconds from launching the process to the first kernel_info reply (the request waits in the socket)."""
    km = KernelManager(kernel_name=kernel_name)
    start = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - start
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return elapsed


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
    rounds = {}
    # Interleave the two kernels so that machine noise hits both alike.
    samples = {side: [] for side in KERNELS}
    for _ in range(STARTS):
        for side, (name, _) in KERNELS.items():
            samples[side].append(startup_seconds(name))
    for side in KERNELS:
        startup[side] = statistics.median(samples[side])
    for side, (name, code) in KERNELS.items():
        rounds[side] = execute_round_trips(name, code)
    figures = [
        ("startup_to_kernel_info", startup["ours"], startup["peer"], 1.0, "s"),
        ("execute_round_trip_p50", percentile(rounds["ours"], 0.5), percentile(rounds["peer"], 0.5), 1e3, "ms"),
        ("execute_round_trip_p99", percentile(rounds["ours"], 0.99), percentile(rounds["peer"], 0.99), 1e3, "ms"),
    ]
    for name, ours, peer, scale, unit in figures:
        print(f"{name}: ours {ours * scale:.3f} {unit}, peer {peer * scale:.3f} {unit}, ratio {peer / ours:.2f}")
    print(f"ratio: {percentile(rounds['peer'], 0.5) / percentile(rounds['ours'], 0.5):.2f}")


if __name__ == "__main__":
    main()
