"""Live mode against the real kernel: `watch(...)` follows a folder that `rapideels-kernel simulate-acquisition`
writes into as its own process; one display is updated in place; an interrupt stops the watch between frames and
keeps the kernel; bad files become lines and the watch goes on. One kernel and one small model for all (CI time)."""
import os
import shutil
import subprocess
import time

import pytest

from conftest import ROOT

KERNEL = ROOT / ".build" / "release" / "rapideels-kernel"

TRAIN = """
let before = startAcquisition("{d}/train/mn2", edge: "mn", frames: 2, rate: 50, rows: 16, columns: 48, from: 0, to: 0, seed: 101)
let after = startAcquisition("{d}/train/mn3", edge: "mn", frames: 2, rate: 50, rows: 16, columns: 48, from: 1, to: 1, seed: 202)
before.wait()
after.wait()
let images = [load("{d}/train/mn2/frame_00001.dm4"), load("{d}/train/mn2/frame_00002.dm4"), load("{d}/train/mn3/frame_00001.dm4"), load("{d}/train/mn3/frame_00002.dm4")]
let data = dataset(images, labels: ["Mn2+", "Mn2+", "Mn3+", "Mn3+"], classes: ["Mn2+", "Mn3+"])
let m = method(window: 632...664, bin: 0.4, background: 600...630, block: [2, 8])
let model = autoencoder(latent: 5, seed: 1, method: m)
train(model, on: data, epochs: 25, batchSize: 64, seed: 1);
let classifier = trainClassifier(model, on: data, epochs: 200, batchSize: 64, seed: 1);
"""


def run_cell(kc, code, timeout=300):
    """Executes `code`; returns (reply content, iopub messages of the cell)."""
    msg_id = kc.execute(code)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=timeout)
    return reply["content"], messages


def text_of(kc, expression):
    reply, messages = run_cell(kc, expression)
    assert reply["status"] == "ok", reply
    return next(m["content"]["data"]["text/plain"] for m in messages if m["msg_type"] == "execute_result")


@pytest.fixture(scope="module")
def live_kernel(tmp_path_factory):
    from jupyter_client.manager import start_new_kernel

    folder = tmp_path_factory.mktemp("live")
    km, kc = start_new_kernel(kernel_name="rapideels", startup_timeout=30)
    try:
        reply, messages = run_cell(kc, TRAIN.format(d=folder), timeout=600)
        errors = [m["content"] for m in messages if m["msg_type"] == "error"]
        assert reply["status"] == "ok", errors
        yield km, kc, folder
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_watch_follows_the_simulator_process_and_updates_one_display(live_kernel):
    km, kc, folder = live_kernel
    session = folder / "session"
    code = (f'let acq = startAcquisition("{session}", edge: "mn", frames: 10, rate: 8, rows: 10, columns: 48, seed: 3)\n'
            f'let run = watch("{session}", denoiser: model, classifier: classifier, frames: 10, seconds: 120, '
            f'truth: acq, existing: true, refresh: 0.1)')
    reply, messages = run_cell(kc, code)
    assert reply["status"] == "ok", [m["content"] for m in messages if m["msg_type"] == "error"]
    displays = [m for m in messages if m["msg_type"] in ("display_data", "update_display_data")]
    assert displays[0]["msg_type"] == "display_data"
    ids = {m["content"]["transient"]["display_id"] for m in displays}
    assert len(ids) == 1, f"one display, updated in place: {ids}"
    updates = [m for m in displays if m["msg_type"] == "update_display_data"]
    assert len(updates) >= 3, f"{len(updates)} updates"
    final = displays[-1]["content"]["data"]
    assert "10 frames" in final["text/plain"], final["text/plain"]
    assert {"text/plain", "text/html", "image/svg+xml"} <= set(final), set(final)
    for title in ["class map", "mean denoised spectrum vs class references", "class fractions against time"]:
        assert title in final["image/svg+xml"], title
    files = text_of(kc, "run.files")
    expected = [f"frame_{i:05d}.dm4" for i in range(1, 11)]
    assert files == str(expected).replace("'", '"'), files
    error = float(text_of(kc, "run.fractionError()"))
    print(f"live: mean |measured - true| converted fraction over 10 frames: {error:.4f}")
    assert error < 0.12
    assert float(text_of(kc, "run.latencyP99")) < 5
    assert text_of(kc, "run.problems.count") == "0"


def test_an_interrupt_stops_the_watch_between_frames_and_keeps_the_kernel(live_kernel):
    km, kc, folder = live_kernel
    empty = folder / "quiet"
    empty.mkdir()
    msg_id = kc.execute(f'let quiet = watch("{empty}", classifier: classifier)')
    time.sleep(1.5)
    started = time.time()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert time.time() - started < 3, "the watch did not stop at once"
    assert text_of(kc, "1 + 1") == "2"
    assert "interrupted" in text_of(kc, "quiet.stopReason")


def test_bad_files_are_lines_and_the_watch_goes_on(live_kernel):
    km, kc, folder = live_kernel
    good = sorted((folder / "session").glob("frame_*.dm4"))[0].read_bytes()
    bad = folder / "bad"
    bad.mkdir()
    msg_id = kc.execute(f'let checked = watch("{bad}", classifier: classifier, frames: 1, seconds: 60, refresh: 0)')
    time.sleep(1.0)
    (bad / "a_corrupt.dm4").write_bytes(b"\x00\x00\x00\x04" + os.urandom(4000))
    (bad / "b_truncated.dm4").write_bytes(good[: len(good) // 3])
    time.sleep(0.5)
    (bad / "c_good.dm4").write_bytes(good)
    texts = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] in ("display_data", "update_display_data"):
            texts.append(msg["content"]["data"]["text/plain"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    assert kc.get_shell_msg(timeout=10)["content"]["status"] == "ok"
    final = texts[-1]
    print(final)
    assert "unreadable 2" in final, final
    assert "a_corrupt.dm4" in final and "b_truncated.dm4" in final
    assert "1 frames" in final
    assert text_of(kc, "checked.files") == '["c_good.dm4"]'


def test_simulate_acquisition_writes_files_and_truth(tmp_path):
    out = tmp_path / "acq"
    subprocess.run([str(KERNEL), "simulate-acquisition", str(out), "--edge", "mn", "--frames", "3", "--rate", "50",
                    "--rows", "4", "--columns", "20", "--mode", "growing", "--format", "npy"], check=True,
                   capture_output=True)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["frame_00001.json", "frame_00001.npy", "frame_00002.json", "frame_00002.npy",
                     "frame_00003.json", "frame_00003.npy", "truth.csv"], names
    lines = (out / "truth.csv").read_text().splitlines()
    assert lines[0].startswith("frame,file,time_s,unix_time,converted_fraction")
    assert [float(l.split(",")[4]) for l in lines[1:]] == [0.0, 0.5, 1.0]
    bad = subprocess.run([str(KERNEL), "simulate-acquisition", str(out), "--edge", "xx"], capture_output=True, text=True)
    assert bad.returncode != 0 and "--edge" in bad.stderr
