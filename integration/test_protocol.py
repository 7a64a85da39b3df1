"""Protocol behaviour driven with jupyter_client: signatures, heartbeat, control while busy, restart, CurveZMQ."""
import time

import jupyter_client
import pytest
import zmq
from jupyter_client.session import Session

from conftest import KERNEL_NAME

TIMEOUT = 10


def kernel_info_reply(kc, timeout=TIMEOUT):
    msg_id = kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def test_wrong_key_gets_no_reply_and_the_kernel_still_answers(kernel):
    km, kc = kernel
    good_session = kc.session
    kc.session = Session(key=b"not-the-key", session=good_session.session, username=good_session.username)
    forged = kc.kernel_info()
    with pytest.raises(Exception):  # queue.Empty: the forged request is dropped
        while True:
            reply = kc.get_shell_msg(timeout=1.5)
            assert reply["parent_header"].get("msg_id") != forged, "kernel answered a badly signed message"
    kc.session = good_session
    reply = kernel_info_reply(kc)
    assert reply["content"]["status"] == "ok"
    assert km.is_alive()


def test_kernel_info_reply_and_busy_idle(kernel):
    _, kc = kernel
    reply = kernel_info_reply(kc)
    content = reply["content"]
    assert content["protocol_version"] == "5.4"
    assert content["language_info"]["name"] == "swift"
    assert content["language_info"]["file_extension"] == ".swift"
    assert content["language_info"]["mimetype"] == "text/x-swift"
    assert content["language_info"]["codemirror_mode"] == "swift"
    assert content["language_info"]["pygments_lexer"] == "swift"
    assert content["banner"]
    assert reply["header"]["version"] == "5.4"
    assert reply["header"]["date"]
    states = []
    while len(states) < 2:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") == reply["parent_header"]["msg_id"] and msg["msg_type"] == "status":
            states.append(msg["content"]["execution_state"])
    assert states == ["busy", "idle"]


def test_kernel_info_on_control(kernel):
    km, kc = kernel
    msg = kc.session.msg("kernel_info_request", {})
    kc.control_channel.send(msg)
    reply = kc.control_channel.get_msg(timeout=TIMEOUT)
    assert reply["msg_type"] == "kernel_info_reply"
    assert reply["parent_header"]["msg_id"] == msg["header"]["msg_id"]


def heartbeat_round_trip(km) -> float:
    """Seconds for one heartbeat echo on a fresh REQ socket."""
    info = km.get_connection_info()
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.REQ)
    sock.linger = 0
    if info.get("curve_publickey"):
        sock.curve_publickey, sock.curve_secretkey = zmq.curve_keypair()
        sock.curve_serverkey = info["curve_publickey"].encode()
    sock.connect(f"{info['transport']}://{info['ip']}:{info['hb_port']}")
    try:
        sock.send(b"ping")  # the first connect may take a moment; time a second echo
        assert sock.poll(5000), "no heartbeat echo within 5 s"
        assert sock.recv() == b"ping"
        start = time.perf_counter()
        sock.send(b"ping-2")
        assert sock.poll(2000), "no heartbeat echo within 2 s"
        assert sock.recv() == b"ping-2"
        return time.perf_counter() - start
    finally:
        sock.close()


def test_heartbeat_echoes(kernel):
    km, _ = kernel
    assert heartbeat_round_trip(km) < 0.1


def test_shutdown_exits_promptly():
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=30)
    try:
        reply = kernel_info_reply(kc)
        assert reply["content"]["status"] == "ok"
        msg = kc.session.msg("shutdown_request", {"restart": False})
        kc.control_channel.send(msg)
        shutdown_reply = kc.control_channel.get_msg(timeout=TIMEOUT)
        assert shutdown_reply["content"] == {"status": "ok", "restart": False}
        deadline = time.time() + 3
        while km.is_alive() and time.time() < deadline:
            time.sleep(0.05)
        assert not km.is_alive(), "kernel still running 3 s after shutdown_request"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_restart_gives_a_working_kernel(kernel):
    km, kc = kernel
    pid_before = km.provisioner.process.pid
    km.restart_kernel(now=False)
    assert km.provisioner.process.pid != pid_before
    kc.wait_for_ready(timeout=30)
    assert kernel_info_reply(kc)["content"]["status"] == "ok"


@pytest.mark.skipif(not zmq.has("curve"), reason="pyzmq without CurveZMQ")
def test_curve_encryption_required():
    km = jupyter_client.KernelManager(kernel_name=KERNEL_NAME, transport_encryption="required")
    km.start_kernel()
    try:
        info = km.get_connection_info()
        assert len(info["curve_publickey"]) == 40 and len(info["curve_secretkey"]) == 40
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=30)
        assert kernel_info_reply(kc)["content"]["status"] == "ok"
        assert heartbeat_round_trip(km) < 0.1
        # A client without the server key cannot talk to the kernel.
        ctx = zmq.Context.instance()
        plain = ctx.socket(zmq.DEALER)
        plain.linger = 0
        plain.connect(f"{info['transport']}://{info['ip']}:{info['shell_port']}")
        plain.send_multipart(kc.session.serialize(kc.session.msg("kernel_info_request", {})))
        assert not plain.poll(1000), "an unencrypted client got a reply from a CurveZMQ kernel"
        plain.close()
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)


def test_ipc_transport(tmp_path):
    km = jupyter_client.KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(tmp_path / "k"))
    km.start_kernel()
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=30)
        assert kernel_info_reply(kc)["content"]["status"] == "ok"
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
