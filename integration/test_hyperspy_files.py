"""Files our writers produce, opened by rosettasciio (HyperSpy's reader library) with the same data and axes."""
import pathlib

import numpy as np
import pytest

from test_execution import execute

SHARED = pathlib.Path(__file__).resolve().parent.parent.parent / "shared"

rsciio_msa = pytest.importorskip("rsciio.msa", reason="rosettasciio is in requirements-dev.txt; run `make venv`")


def run_ok(kc, code):
    reply, messages = execute(kc, code, timeout=60)
    errors = [m["content"] for _, m in messages if m["msg_type"] == "error"]
    assert reply["status"] == "ok", (reply, errors)
    return messages


def test_msa_written_by_us_opens_in_rosettasciio_with_same_data_and_axis(kernel, tmp_path):
    _, kc = kernel
    path = tmp_path / "edge.msa"
    run_ok(kc, f'''
let s = simulatePaperDataset(seed: 3, scale: 0.02).test[0].spectrum(row: 0, column: 0)
s.save("{path}")
''')
    (signal,) = rsciio_msa.file_reader(str(path))
    data = np.asarray(signal["data"])
    axis = signal["axes"][0]
    ours = np.array([float(line) for line in path.read_text().splitlines() if line and not line.startswith("#")])
    assert data.size > 100, f"rosettasciio read {data.size} values from our MSA file"
    np.testing.assert_allclose(data, ours, rtol=0, atol=0)
    header = {line[1:].split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
              for line in path.read_text().splitlines() if line.startswith("#") and ":" in line}
    assert axis["size"] == data.size
    assert axis["offset"] == pytest.approx(float(header["OFFSET"]))
    assert axis["scale"] == pytest.approx(float(header["XPERCHAN"]))
    assert axis["units"] == "eV"
    assert signal["metadata"]["Signal"]["signal_type"] == "EELS"


def test_kernel_info_links_to_the_papers_doi(kernel):
    from test_protocol import kernel_info_reply

    _, kc = kernel
    links = kernel_info_reply(kc)["content"]["help_links"]
    assert any(link["url"] == "https://doi.org/10.1038/s41598-021-97668-8" for link in links), links
