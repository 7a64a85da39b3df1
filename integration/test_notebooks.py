"""Every notebooks/*.ipynb runs headless on the rapideels kernel with nbclient (cells tagged raises-exception
may fail; any other error fails the test). A notebook may carry CI overrides in its metadata:

    "rapideels": {"ci_parameters": "let epochs = 2\\nlet pixels = 64"}

which are run as a first cell (after a cell tagged `parameters`, as papermill would inject them)."""
import copy
import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import KERNEL_NAME, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT = int(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "1800"))


def with_ci_parameters(nb):
    code = nb.metadata.get("rapideels", {}).get("ci_parameters")
    if not code:
        return nb
    nb = copy.deepcopy(nb)
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["tags"] = ["injected-parameters"]
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path: pathlib.Path):
    nb = with_ci_parameters(nbformat.read(path, as_version=4))
    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=TIMEOUT, startup_timeout=60,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if "raises-exception" in cell.metadata.get("tags", []):
            assert errors, f"{path.name}: a cell tagged raises-exception ran without error:\n{cell.source}"
        else:
            assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
