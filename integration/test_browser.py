"""End-to-end: JupyterLab in Debian's Chromium (driven by Playwright) runs notebook 00 on the RapidEELS kernel.

The server listens on 127.0.0.1 only, in a temporary copy of notebooks/, with a fresh workspace folder. The printed
text we expect is read from the same notebook executed headless with nbclient, so the browser must show exactly what
the kernel produced there; the SVG figure must render as an <img> with a data:image/svg+xml source.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "00-kernel-tour.ipynb"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DISPLAY_NAME = "RapidEELS (Swift)"


def _need(condition, message):
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


_ROOTS = {}


def lab_root(base, token):
    """The folder the lab fixture's server serves."""
    return _ROOTS[(base, token)]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _headless_streams():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, kernel_name="rapideels", timeout=120, allow_errors=True).execute()
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                texts += [line.strip() for line in out["text"].splitlines() if line.strip()]
    return texts


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    _need(NOTEBOOK.exists(), f"{NOTEBOOK} is missing")
    _need(os.path.exists(CHROMIUM), "Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    port, token = _free_port(), "rapideels-browser-test"
    env = dict(os.environ, JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"))
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}", "--allow-root"]
    log = open(work / "lab.log", "w")
    server = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except Exception:
                if server.poll() is not None or time.time() > deadline:
                    raise RuntimeError("jupyter lab did not start: " + (work / "lab.log").read_text()[-2000:])
                time.sleep(0.3)
        _ROOTS[(base, token)] = work
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_notebook_runs_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright, expect

    base, token = lab
    expected = _headless_streams()
    assert expected, "notebook 00 prints nothing when run headless"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
            status = page.locator("#jp-main-statusbar")
            expect(status).to_contain_text(DISPLAY_NAME, timeout=60_000)
            expect(status).to_contain_text("Idle", timeout=60_000)
            page.locator(".lm-MenuBar-item", has_text="Run").click()
            page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
            notebook = page.locator(".jp-NotebookPanel:visible")
            outputs = notebook.locator(".jp-OutputArea-output")
            for text in expected[:5]:
                expect(outputs.filter(has_text=text).first).to_be_visible(timeout=60_000)
            svg = notebook.locator('.jp-RenderedSVG img[src^="data:image/svg+xml"]')
            expect(svg.first).to_be_visible(timeout=60_000)
            expect(notebook.locator(".jp-InputPrompt", has_text="[1]:").first).to_be_visible(timeout=30_000)
            page.screenshot(path=str(Path(os.environ.get("BROWSER_SCREENSHOT", "/tmp/rapideels-lab.png"))))
        finally:
            browser.close()


def test_navigate_widget_moves_in_jupyterlab(lab, tmp_path):
    """navigate(si) renders as ipywidgets through JupyterLab's own widget manager; typing a new column into the
    slider's readout redraws the pixel's spectrum (the <img> source changes) and the status line follows."""
    from playwright.sync_api import sync_playwright, expect

    pytest.importorskip("jupyterlab_widgets", reason="jupyterlab_widgets is in requirements-dev.txt; run `make venv`")
    base, token = lab
    work = Path(lab_root(base, token))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "rapideels", "display_name": DISPLAY_NAME, "language": "swift"}
    nb.cells = [nbformat.v4.new_code_cell("let si = simulatePaperDataset(seed: 3, scale: 0.02).test[0]\n"
                                          "navigate(si, truth: si.blockMean())")]
    nbformat.write(nb, work / "navigate.ipynb")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            # ?reset: a fresh workspace, so the first test's notebook is not restored beside this one.
            page.goto(f"{base}/lab/tree/navigate.ipynb?reset&token={token}")
            status = page.locator("#jp-main-statusbar")
            expect(status).to_contain_text(DISPLAY_NAME, timeout=60_000)
            expect(status).to_contain_text("Idle", timeout=60_000)
            notebook = page.locator(".jp-NotebookPanel:visible")
            # Run the cell from its own editor (the Run menu can act on another open notebook's panel).
            notebook.locator(".jp-Cell .jp-InputArea-editor").first.click()
            page.keyboard.press("Shift+Enter")
            sliders = notebook.locator(".widget-slider")
            try:
                expect(sliders.first).to_be_visible(timeout=90_000)
            except AssertionError:
                page.screenshot(path=str(work / "navigate-failed.png"))
                outputs = notebook.locator(".jp-OutputArea-output").all_inner_texts()
                raise AssertionError(f"no widget slider; outputs: {outputs}; screenshot {work / 'navigate-failed.png'}")
            images = notebook.locator(".widget-html-content img")
            expect(images.nth(1)).to_be_visible(timeout=30_000)
            before = images.nth(1).get_attribute("src")
            readout = notebook.locator(".widget-readout").nth(1)   # the column slider's
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("7")
            page.keyboard.press("Enter")
            expect(notebook.locator(".widget-html-content", has_text="pixel (0, 7)")).to_be_visible(timeout=30_000)
            assert images.nth(1).get_attribute("src") != before, "moving the pointer did not redraw the spectrum"
            page.screenshot(path=str(Path(os.environ.get("BROWSER_SCREENSHOT_WIDGETS", "/tmp/rapideels-navigate.png"))))
        finally:
            browser.close()


def test_live_display_updates_in_jupyterlab(lab):
    """watch(...) in JupyterLab: one output updates in place while the simulator (its own process) writes frames;
    the status text's frame count rises and the figure is redrawn, in the same output."""
    from playwright.sync_api import sync_playwright, expect
    import re

    base, token = lab
    work = Path(lab_root(base, token))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "rapideels", "display_name": DISPLAY_NAME, "language": "swift"}
    nb.cells = [nbformat.v4.new_code_cell(
        'let a = startAcquisition("live/train/a", edge: "mn", frames: 1, rate: 50, rows: 8, columns: 40, from: 0, to: 0, seed: 1)\n'
        'let b = startAcquisition("live/train/b", edge: "mn", frames: 1, rate: 50, rows: 8, columns: 40, from: 1, to: 1, seed: 2)\n'
        'a.wait()\nb.wait()\n'
        'let data = dataset([load("live/train/a/frame_00001.dm4"), load("live/train/b/frame_00001.dm4")], labels: ["Mn2+", "Mn3+"], classes: ["Mn2+", "Mn3+"])\n'
        'let model = autoencoder(latent: 5, method: method(window: 632...664, bin: 0.4, background: 600...630, block: [2, 8]))\n'
        'train(model, on: data, epochs: 3, batchSize: 128);\n'
        'let classifier = trainClassifier(model, on: data, epochs: 20, batchSize: 128);\n'
        'let acq = startAcquisition("live/session", edge: "mn", frames: 24, rate: 3, rows: 8, columns: 40)\n'
        'let run = watch("live/session", denoiser: model, classifier: classifier, frames: 24, seconds: 120, truth: acq, existing: true, refresh: 0.1)')]
    nbformat.write(nb, work / "live.ipynb")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(f"{base}/lab/tree/live.ipynb?reset&token={token}")
            status = page.locator("#jp-main-statusbar")
            expect(status).to_contain_text(DISPLAY_NAME, timeout=60_000)
            expect(status).to_contain_text("Idle", timeout=60_000)
            notebook = page.locator(".jp-NotebookPanel:visible")
            notebook.locator(".jp-Cell .jp-InputArea-editor").first.click()
            page.keyboard.press("Shift+Enter")
            live = notebook.locator("pre.rapideels-live-status")
            try:
                expect(live.filter(has_text=re.compile(r"[2-9] frames|[1-9][0-9] frames"))).to_be_visible(timeout=120_000)
            except AssertionError:
                page.screenshot(path=str(work / "live-failed.png"))
                outputs = notebook.locator(".jp-OutputArea-output").all_inner_texts()
                raise AssertionError(f"no live status; outputs: {outputs}; screenshot {work / 'live-failed.png'}")
            first_text = live.first.inner_text()
            first_image = notebook.locator(".rapideels-live img").first.get_attribute("src")
            frames = lambda text: int(re.search(r"(\d+) frames", text).group(1))
            expect(live.filter(has_text="24 frames")).to_be_visible(timeout=120_000)
            assert live.count() == 1, "the display is updated in place, not appended"
            assert frames(live.first.inner_text()) > frames(first_text)
            assert notebook.locator(".rapideels-live img").first.get_attribute("src") != first_image
            assert notebook.locator(".rapideels-live").count() == 1
            page.screenshot(path=str(Path(os.environ.get("BROWSER_SCREENSHOT_LIVE", "/tmp/rapideels-live.png"))))
        finally:
            browser.close()
