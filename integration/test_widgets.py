"""Comms and Jupyter widgets against the real kernel: the messaging spec's comm messages, the widget
protocol's control comm, and navigate() live (comm updates) and static (headless)."""
import time

import nbformat
from nbclient import NotebookClient

from conftest import KERNEL_NAME
from test_execution import execute

SETUP = "let si = simulatePaperDataset(seed: 3, scale: 0.02).test[0]\n"


def send(kc, msg_type, content):
    msg = kc.session.msg(msg_type, content)
    kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def iopub_until_idle(kc, msg_id, timeout=30):
    out = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out
    raise AssertionError(f"no idle for {msg_id}")


def comm_info(kc, target=None):
    msg_id = kc.comm_info(target_name=target)
    while True:
        reply = kc.get_shell_msg(timeout=10)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["comms"]


def test_unknown_target_gets_comm_close_and_comm_info_lists_open_comms(kernel):
    _, kc = kernel
    msgs = iopub_until_idle(kc, send(kc, "comm_open", {"comm_id": "nope", "target_name": "no.such.target", "data": {}}))
    assert [m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_close"] == ["nope"]
    assert comm_info(kc) == {}

    iopub_until_idle(kc, send(kc, "comm_open", {"comm_id": "ctl", "target_name": "jupyter.widget.control",
                                                "data": {}}))
    assert comm_info(kc, "jupyter.widget.control") == {"ctl": {"target_name": "jupyter.widget.control"}}
    msgs = iopub_until_idle(kc, send(kc, "comm_msg", {"comm_id": "ctl", "data": {"method": "request_states"}}))
    replies = [m["content"]["data"] for m in msgs if m["msg_type"] == "comm_msg"]
    assert replies and replies[0]["method"] == "update_states" and replies[0]["states"] == {}
    iopub_until_idle(kc, send(kc, "comm_close", {"comm_id": "ctl", "data": {}}))
    assert comm_info(kc) == {}


def test_navigate_is_live_over_comms_when_a_widget_manager_is_listening(kernel):
    _, kc = kernel
    iopub_until_idle(kc, send(kc, "comm_open", {"comm_id": "ctl", "target_name": "jupyter.widget.control",
                                                "data": {}}))
    reply, messages = execute(kc, SETUP + "let nav = navigate(si, truth: si.blockMean())\nnav", timeout=60)
    assert reply["status"] == "ok"
    msgs = [m for _, m in messages]
    opens = {m["content"]["comm_id"]: m["content"] for m in msgs if m["msg_type"] == "comm_open"}
    assert all(c["target_name"] == "jupyter.widget" for c in opens.values())
    # The widget manager reads the protocol version from the message's metadata (as ipykernel sends it).
    assert all(m["metadata"]["version"].startswith("2.") for m in msgs if m["msg_type"] == "comm_open")
    result = [m for m in msgs if m["msg_type"] == "execute_result"][0]["content"]["data"]
    view = result["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] in opens and view["version_major"] == 2
    widgets = comm_info(kc, "jupyter.widget")
    assert set(widgets) == set(opens)

    def model(name, description=None):
        return next(i for i, c in opens.items() if c["data"]["state"]["_model_name"] == name and
                    (description is None or c["data"]["state"].get("description") == description))

    column = model("IntSliderModel", "column")
    msgs = iopub_until_idle(kc, send(kc, "comm_msg", {"comm_id": column, "data": {
        "method": "update", "state": {"value": 5}, "buffer_paths": []}}))
    updates = [m["content"] for m in msgs if m["msg_type"] == "comm_msg"]
    html_values = [u["data"]["state"]["value"] for u in updates if "value" in u["data"].get("state", {})
                   and isinstance(u["data"]["state"]["value"], str)]
    assert any(v.startswith("<img") for v in html_values), updates
    assert any("pixel (0, 5)" in v for v in html_values)
    reply, messages = execute(kc, "nav.column")
    assert [m["content"]["data"]["text/plain"] for _, m in messages if m["msg_type"] == "execute_result"] == ["5"]


def test_navigate_headless_leaves_a_static_figure():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP + "navigate(si, span: 525...545)")]
    NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=120).execute()
    (output,) = [o for o in nb.cells[0].outputs if o["output_type"] == "execute_result"]
    assert "image/svg+xml" in output["data"]
    assert "application/vnd.jupyter.widget-view+json" not in output["data"]
    assert "static" in output["data"]["text/plain"]
