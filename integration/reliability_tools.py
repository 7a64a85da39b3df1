"""Helpers for the reliability tests: kernels with their own environment, cells run to idle, RSS, raw frames."""
import contextlib
import os
import pathlib
import time

import zmq
from jupyter_client import KernelManager

from conftest import KERNEL_NAME

TIMEOUT = 30


@contextlib.contextmanager
def started_kernel(env=None, stderr_path=None):
    """A kernel started with `env` added to this process's environment (stderr to `stderr_path` if given)."""
    km = KernelManager(kernel_name=KERNEL_NAME)
    kwargs = {"env": {**os.environ, **(env or {})}}
    stderr = open(stderr_path, "w") if stderr_path else None
    if stderr:
        kwargs["stderr"] = stderr
    km.start_kernel(**kwargs)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=TIMEOUT)
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        if stderr:
            stderr.close()


def kernel_pid(km) -> int:
    return km.provisioner.process.pid


def rss_bytes(pid) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def run_cell(kc, code, timeout=TIMEOUT, on_message=None):
    """Runs one cell to its idle status; returns (reply content, iopub messages of the cell).

    Raises AssertionError when idle or the reply does not come within `timeout` (both are never to be lost).
    """
    msg_id = kc.execute(code)
    return wait_for_cell(kc, msg_id, timeout, on_message)


def wait_for_cell(kc, msg_id, timeout=TIMEOUT, on_message=None):
    deadline = time.monotonic() + timeout
    messages = []
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no idle status within {timeout} s"
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except Exception as error:  # queue.Empty
            raise AssertionError(f"no idle status within {timeout} s") from error
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if on_message:
            on_message(msg)
        else:
            messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    return shell_reply(kc, msg_id, max(1.0, deadline - time.monotonic())), messages


def shell_reply(kc, msg_id, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "no shell reply"
        reply = kc.get_shell_msg(timeout=left)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def value_of(kc, expression):
    """The text/plain result of `expression`."""
    content, messages = run_cell(kc, expression)
    assert content["status"] == "ok", content
    results = [m["content"]["data"]["text/plain"] for m in messages if m["msg_type"] == "execute_result"]
    assert results, f"no result for {expression}"
    return results[-1]


def raw_socket(km, channel, socket_type=zmq.DEALER):
    """A fresh socket connected to the kernel's `channel` ("shell", "control", "hb"), outside jupyter_client."""
    info = km.get_connection_info()
    sock = zmq.Context.instance().socket(socket_type)
    sock.linger = 0
    sock.connect(f"{info['transport']}://{info['ip']}:{info[channel + '_port']}")
    return sock


def signed_frames(session, msg_type, content_bytes, header=None):
    """The wire frames of a message whose content frame is exactly `content_bytes`, signed with `session`."""
    header = header or session.msg_header(msg_type)
    parts = [session.pack(header), session.pack({}), session.pack({}), content_bytes]
    return [b"<IDS|MSG>", session.sign(parts)] + parts
