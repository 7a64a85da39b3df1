"""Shared setup for the integration tests: they drive the kernel installed by `make kernel` (name `rapideels`)."""
import json
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
KERNEL_NAME = "rapideels"

# jupyter_client finds kernelspecs under sys.prefix/share/jupyter; make sure the venv's data folder is searched
# even when pytest runs from another interpreter.
_venv_data = ROOT / ".venv" / "share" / "jupyter"
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    p for p in [str(_venv_data), os.environ.get("JUPYTER_PATH", "")] if p
)


def kernel_spec_dir() -> pathlib.Path:
    from jupyter_client.kernelspec import KernelSpecManager

    return pathlib.Path(KernelSpecManager().get_kernel_spec(KERNEL_NAME).resource_dir)


@pytest.fixture(scope="session", autouse=True)
def installed_kernel():
    """Fails early, with the fix, when the kernelspec or its binary is missing."""
    try:
        spec_dir = kernel_spec_dir()
    except Exception as error:  # jupyter_client raises NoSuchKernel
        pytest.fail(f"kernelspec '{KERNEL_NAME}' not found ({error}); run `make kernel` first")
    argv = json.loads((spec_dir / "kernel.json").read_text())["argv"]
    if not os.access(argv[0], os.X_OK):
        pytest.fail(f"kernel binary {argv[0]} is missing; run `make kernel`")
    return spec_dir


@pytest.fixture()
def kernel():
    """A fresh kernel and a started blocking client; shut down afterwards."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=30)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In the conformance suite a skipped test means missing samples: report it as a failure."""
    outcome = yield
    report = outcome.get_result()
    if item.module.__name__.endswith("test_conformance") and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"conformance test skipped: {call.excinfo.value if call.excinfo else 'no reason'}"
