"""`jupyter nbconvert --to notebook --execute` runs notebooks/00-kernel-tour.ipynb, and the executed notebook has a
stream, a result, an inline SVG and the expected error (its cell is tagged raises-exception)."""
import pathlib
import subprocess
import sys

import nbformat

from conftest import KERNEL_NAME, ROOT


def test_nbconvert_executes_the_kernel_tour(tmp_path: pathlib.Path):
    source = ROOT / "notebooks" / "00-kernel-tour.ipynb"
    out = tmp_path / "tour.ipynb"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}", "--ExecutePreprocessor.timeout=120",
                    "--output", str(out), str(source)], check=True, capture_output=True, text=True, timeout=300)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    kinds = {o.output_type for o in outputs}
    assert {"stream", "execute_result", "display_data", "error"} <= kinds, kinds
    svgs = [o.data["image/svg+xml"] for o in outputs if o.output_type == "display_data" and "image/svg+xml" in o.data]
    assert svgs and svgs[0].startswith("<svg") and "polyline" in svgs[0]
    errors = [(c, o) for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1
    cell, error = errors[0]
    assert "raises-exception" in cell.metadata.get("tags", [])
    assert error.ename == "NameError"
    streams = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "The O K edge starts near 528.0 eV" in streams
    last = [o for o in nb.cells[-1].outputs if o.output_type == "execute_result"]
    assert last and last[0].data["text/plain"] == '"O K at 528.0 eV"', "variables before the error survive"
