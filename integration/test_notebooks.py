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
    if nb.metadata.get("rapideels", {}).get("needs_shared") and not (ROOT.parent / "shared").is_dir():
        message = f"{path.name} reads ../shared, which is not beside the project ({ROOT.parent / 'shared'})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
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
    if path.name == "02-paper-workflow.ipynb":
        check_paper_workflow(nb)
    if path.name == "03-simulated-vs-real.ipynb":
        check_simulated_vs_real(nb)
    if path.name == "04-your-own-data.ipynb":
        check_own_data(nb)
    if path.name == "05-live.ipynb":
        check_live(nb)


def check_paper_workflow(nb):
    """The executed paper notebook shows every figure and table of the paper's results, with the paper's values."""
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    plain = [o.get("data", {}).get("text/plain", "") for o in outputs]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    streams = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    for title in ["Fig. 2a", "Fig. 2b", "Fig. 2c", "Fig. 3B: SNR against frame rate", "Fig. 5A", "Fig. 5B: MSE against "
                  "frame rate", "Fig. 6", "Fig. 7", "Fig. 8", "raw, 400 FPS", "raw, 200 FPS", "raw, 100 FPS",
                  "raw, 50 FPS", "raw, 25 FPS", "denoised, 400 FPS", "autoencoder loss"]:
        assert any(title in svg for svg in svgs), f"no figure titled {title!r} in the executed notebook"
    assert all(svg.lstrip().startswith("<svg") or svg.lstrip().startswith("<?xml") for svg in svgs)
    fig6 = next(svg for svg in svgs if "Fig. 6" in svg)
    assert fig6.count(">AEC<") == 4 and fig6.count(">PCA-3<") == 4, "Fig. 6 has an AEC and a PCA-3 panel per test SI"
    assert fig6.count(">ground truth<") == 8 and 'stroke="#7f7f7f" stroke-width="1.5" stroke-linejoin="round" ' \
        'stroke-dasharray="5 3"' in fig6, "Fig. 6 draws the ground truth as a grey dashed line in every panel"
    fig7 = next(svg for svg in svgs if "Fig. 7" in svg)
    for text in [">A<", ">B<", ">C<", ">D<", "Raw pixel", "Ground truth (1 FPS)", "after AEC", "left (column",
                 "centre (column", "right (column"]:
        assert text in fig7, f"Fig. 7 lacks {text!r}"
    assert "autoencoder: " in streams and "classifier: " in streams, "the report does not say how the models were trained"

    table = next((t for t in plain if t.startswith("Test accuracy by frame rate")), None)
    assert table, "the frame-rate accuracy table is missing"
    for rate, paper in [("400 FPS", "82.0-85.8"), ("200 FPS", "88.5"), ("100 FPS", "92.3"), ("25 FPS", "93.0")]:
        row = next(line for line in table.splitlines() if line.startswith(rate))
        accuracy = float(row.split()[2])
        assert 0 <= accuracy <= 100, row
        assert row.split()[3] == paper, f"the paper's value {paper} is not beside ours: {row}"
    per_si = next((t for t in plain if t.startswith("SI Table 3")), None)
    assert per_si and len([l for l in per_si.splitlines() if l.startswith("EELS")]) == 4, "SI Table 3 is missing"

    mse = next((t for t in plain if t.startswith("MSE against the 1 FPS ground truth")), None)
    assert mse, "the Fig. 5A MSE table is missing"
    rows = [line for line in mse.splitlines() if line.startswith("EELS")]
    assert len(rows) == 4 and all("PCA-5 and PCA-7" in r for r in rows), "the paper's claim is not beside ours"
    for row in rows:
        aec, pca3, pca5, pca7 = (float(v) for v in row.split()[3:7])  # the names are "EELS thin 1_1"
        assert row.split()[7] == ("yes" if aec < pca5 and aec < pca7 else "no"), f"the verdict is not ours: {row}"
    by_rate = next((t for t in plain if t.startswith("Mean MSE over the test SIs against the ground truth, by frame")), None)
    assert by_rate and len([l for l in by_rate.splitlines() if "FPS" in l.split("  ")[0]]) == 5, "Fig. 5B's table"
    raw = [float(l.split()[2]) for l in by_rate.splitlines() if l.split() and l.split()[0].isdigit()]
    assert raw == sorted(raw, reverse=True), f"raw MSE must fall as the frame rate falls: {raw}"
    snr = next((t for t in plain if t.startswith("SNR per 0.125 eV channel")), None)
    assert snr, "Fig. 3B's SNR table is missing"
    for line in [l for l in snr.splitlines() if l.startswith("EELS")]:
        values = [float(v) for v in line.split()[4:]]
        assert values == sorted(values), f"SNR must rise as the frame rate falls: {line}"
    peaks = next((t for t in plain if t.startswith("SI Table 2")), None)
    assert peaks and "PCA-3" in peaks.splitlines()[1] and "pre-peak position (eV)" in peaks, "SI Table 2 (PCA, units)"
    shift = next((t for t in plain if t.startswith("Fig. 7D: pre-peak position across the scan")), None)
    assert shift and "ground truth" in shift and "AEC" in shift, "the Fig. 7D shift table is missing"


def check_simulated_vs_real(nb):
    """The executed comparison notebook shows the four Fig. 7B comparisons, the measured-edge overlay and the table."""
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    for title in ["Ground truth, initial (SrFeO3), thin", "Ground truth, initial (SrFeO3), thick",
                  "Ground truth, annealed (SrFeO2.5), thin", "Ground truth, annealed (SrFeO2.5), thick",
                  "O K edge: simulated vs measured", "Raw SI means"]:
        assert any(title in svg for svg in svgs), f"no figure titled {title!r} in the executed notebook"
    plain = [o.get("data", {}).get("text/plain", "") for o in outputs]
    table = next((t for t in plain if t.startswith("Simulated block ground truth vs the paper")), None)
    assert table is not None, "no table comparing the simulated ground truth with Fig. 7B"
    rms = [float(line.split()[-1]) for line in table.splitlines()[2:] if line.strip()]
    # The calibrated simulator (κ = 0.15) is 0.57-0.81 counts from the digitised Fig. 7B; the textbook plural
    # strength κ = 1 was 2.1 counts off on the thick initial SI. 1.2 counts catches that kind of drift.
    assert len(rms) == 4 and all(0 < r < 1.2 for r in rms), table


def check_own_data(nb):
    """The own-data notebook denoises well below the raw spectra's error and classifies 3 classes well above chance."""
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    plain = [o.get("data", {}).get("text/plain", "") for o in outputs]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("<th>dispersion</th>" in h and "mn4_04.dm4" in h for h in html), "no dataset table of the files"
    for title in ["Mean spectra: Mn L2,3 by valence", "autoencoder loss", "class map", "class probabilities",
                  "drift map", "t-SNE of denoised test pixels"]:
        assert any(title in svg for svg in svgs), f"no figure titled {title!r}"
    assert any("validation" in svg for svg in svgs), "the loss figure has no validation curve"
    assert any("Mn4+, thin" in svg and "t-SNE" in svg for svg in svgs), "the t-SNE legend does not name the classes"
    table = next((t for t in plain if t.startswith("Denoising MSE against the block ground truth")), None)
    assert table, "the denoising MSE table is missing"
    mean_row = next(line for line in table.splitlines() if line.startswith("mean"))
    raw, denoised = (float(v) for v in mean_row.split()[1:3])
    print(f"notebook 04: MSE raw {raw:.4g}, denoised {denoised:.4g}")
    assert denoised < 0.5 * raw, mean_row
    matrix = next((t for t in plain if t.startswith("Confusion matrix")), None)
    assert matrix, "the confusion matrix is missing"
    overall = float(next(line for line in matrix.splitlines() if line.startswith("overall")).split()[-1])
    per_class = [line.split()[-1] for line in matrix.splitlines() if line.startswith("Mn")]
    print(f"notebook 04: accuracy {overall} % overall, per class {per_class}")
    assert len(per_class) == 3, matrix
    assert overall > 60, matrix  # chance is 33.3 %
    streams = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    reloaded = [line for line in streams.splitlines() if line.startswith("reloaded:")]
    assert reloaded, "no reload line"
    after, before = reloaded[0].split("accuracy ")[1].split(" (before saving ")
    assert float(after) == float(before.rstrip(")")), reloaded[0]


def check_live(nb):
    """The live notebook follows the simulated anneal: the watch's display, the class fractions against time beside
    the simulator's truth, a small fraction error, the growing files."""
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    for title in ["class map", "mean denoised spectrum vs class references", "class fractions against time"]:
        assert any(title in svg for svg in svgs), f"no live panel titled {title!r}"
    assert any("truth (Mn3+)" in svg for svg in svgs), "the fraction curve has no truth beside it"
    streams = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    line = next(l for l in streams.splitlines() if l.startswith("mean |measured - true| converted fraction"))
    error = float(line.split()[-1])
    print(f"notebook 05: {line}")
    assert error < 0.15, line
    growing = next(l for l in streams.splitlines() if l.startswith("growing files:"))
    assert "frame_00001.npy" in growing and "frame_00002.npy" in growing, growing
