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


# --- HyperSpy's .hspy, our NPY and the DM4 calibration (issue 17) -------------------------------------------------

import json

rsciio_hspy = pytest.importorskip("rsciio.hspy", reason="rosettasciio is in requirements-dev.txt; run `make venv`")
DM4 = SHARED / "data" / "real" / "EELS_SI.dm4"
REFERENCE = SHARED / "data" / "real" / "reference.json"


def needs_dm4():
    if not DM4.exists():
        pytest.skip(f"{DM4} is missing (../shared beside the project)")


def sidecar_axes(npy):
    return json.loads(npy.with_suffix(".json").read_text())["axes"]


def assert_same_axes(theirs, ours, navigate=None):
    """rosettasciio's axis dictionaries against ours (the NPY sidecar, or what the test wrote)."""
    assert len(theirs) == len(ours), (theirs, ours)
    for i, (a, b) in enumerate(zip(theirs, ours)):
        assert int(a["size"]) == int(b["size"]), (i, a, b)
        assert float(a["offset"]) == pytest.approx(float(b["offset"]), abs=1e-12), (i, a, b)
        assert float(a["scale"]) == pytest.approx(float(b["scale"]), rel=1e-12), (i, a, b)
        assert a["units"] == b["units"], (i, a, b)
        assert a["name"] == b["name"], (i, a, b)
        if navigate is not None:
            assert bool(a["navigate"]) == navigate[i], (i, a)


def svgs(messages):
    return [m["content"]["data"]["image/svg+xml"] for _, m in messages
            if m["msg_type"] in ("execute_result", "display_data") and "image/svg+xml" in m["content"]["data"]]


def test_hspy_spectrum_images_and_spectra_written_by_us_open_in_rosettasciio(kernel, tmp_path):
    needs_dm4()
    _, kc = kernel
    run_ok(kc, f'''
let si = load("{DM4}")
si.save("{tmp_path}/si.hspy")
si.save("{tmp_path}/si.npy")
let sub = si[1..<2, 0...1]
sub.save("{tmp_path}/sub.hspy")
sub.save("{tmp_path}/sub.npy")
let s = si.mean()
s.save("{tmp_path}/mean.hspy")
s.save("{tmp_path}/mean.npy")
''')
    for name, nav in [("si", [True, True, False]), ("sub", [True, True, False]), ("mean", [False])]:
        (signal,) = rsciio_hspy.file_reader(str(tmp_path / f"{name}.hspy"))
        ours = np.load(tmp_path / f"{name}.npy")
        assert signal["data"].dtype == np.float32
        np.testing.assert_array_equal(signal["data"], ours)
        assert_same_axes(signal["axes"], sidecar_axes(tmp_path / f"{name}.npy"), navigate=nav)
        assert signal["metadata"]["Signal"]["signal_type"] == "EELS", name
    (si,) = rsciio_hspy.file_reader(str(tmp_path / "si.hspy"))
    assert si["metadata"]["General"]["title"] == "EELS_SI"
    # The DM4's spatial calibration, as rosettasciio reads it from the DM4 itself.
    reference = {a["name"]: a for a in json.loads(REFERENCE.read_text())["EELS_SI.dm4"]["axes"]}
    for axis in si["axes"][:2]:
        assert axis["scale"] == pytest.approx(reference[axis["name"]]["scale"], rel=1e-12)
        assert axis["units"] == reference[axis["name"]]["units"]
    # Slicing row 1 moves the y offset by one pixel.
    (sub,) = rsciio_hspy.file_reader(str(tmp_path / "sub.hspy"))
    assert sub["axes"][0]["offset"] == pytest.approx(si["axes"][0]["offset"] + si["axes"][0]["scale"])
    assert sub["data"].shape == (1, 2, 2048)


def test_hspy_maps_and_fit_maps_written_by_us_open_in_rosettasciio_as_2d_signals(kernel, tmp_path):
    needs_dm4()
    _, kc = kernel
    run_ok(kc, f'''
let si = load("{DM4}")
let m = si[0..<2, 0..<2, 230]
m.save("{tmp_path}/map.hspy")
m.save("{tmp_path}/map.npy")
let fits = fit(si, peaks: [530], window: 510...560)
fits.save("{tmp_path}/fit.hspy")
for name in fits.parameterNames {{ fits.map(name).save("{tmp_path}/fit-" + name + ".npy") }}
''')
    (signal,) = rsciio_hspy.file_reader(str(tmp_path / "map.hspy"))
    np.testing.assert_array_equal(signal["data"], np.load(tmp_path / "map.npy"))
    assert_same_axes(signal["axes"], sidecar_axes(tmp_path / "map.npy"), navigate=[False, False])
    assert signal["metadata"]["Signal"]["signal_type"] == ""  # a plain Signal2D
    experiments = rsciio_hspy.file_reader(str(tmp_path / "fit.hspy"))
    titles = {e["metadata"]["General"]["title"]: e for e in experiments}
    names = [p.name[len("fit-"):-len(".npy")] for p in tmp_path.glob("fit-*.npy")]
    assert len(names) == 5 and set(names) <= set(titles), (names, list(titles))
    assert "reduced chi-square" in titles
    for name in names:
        e = titles[name]
        np.testing.assert_array_equal(e["data"], np.load(tmp_path / f"fit-{name}.npy"))
        assert_same_axes(e["axes"], sidecar_axes(tmp_path / f"fit-{name}.npy"), navigate=[False, False])
        assert e["axes"][1]["units"] == "µm" and e["axes"][1]["scale"] == pytest.approx(0.0019920736085623503)


def test_npy_written_by_us_opens_in_rosettasciio_numpy_reader(kernel, tmp_path):
    """rosettasciio's NumPy reader reads the array only: it ignores our JSON sidecar (axes, signal type)."""
    rsciio_numpy = pytest.importorskip("rsciio.numpy")
    _, kc = kernel
    run_ok(kc, f'''
let si = simulatePaperDataset(seed: 3, scale: 0.02).test[0][0..<3, 0..<4]
si.save("{tmp_path}/si.npy")
si.save("{tmp_path}/si.hspy")
''')
    (signal,) = rsciio_numpy.file_reader(str(tmp_path / "si.npy"))
    (hspy,) = rsciio_hspy.file_reader(str(tmp_path / "si.hspy"))
    np.testing.assert_array_equal(signal["data"], hspy["data"])
    assert signal["data"].shape == (3, 4, hspy["axes"][2]["size"])


def rosettasciio_signal(data, axes, title, signal_type):
    return {"data": data, "axes": axes, "metadata": {"General": {"title": title},
                                                      "Signal": {"signal_type": signal_type}},
            "original_metadata": {"Instrument": {"beam_energy": 300}}, "attributes": {"_lazy": False},
            "tmp_parameters": {}, "package_info": {"name": "hyperspy", "version": "2.0"},
            "learning_results": {}, "models": {}}


def axis(name, offset, scale, size, units, navigate):
    return dict(name=name, offset=offset, scale=scale, size=size, units=units, navigate=navigate)


@pytest.mark.parametrize("case", ["spectrum image", "spectrum", "image", "line scan"])
def test_hspy_written_by_rosettasciio_is_read_by_us_with_the_same_data_and_axes(kernel, tmp_path, case):
    rng = np.random.default_rng(5)
    if case == "spectrum image":
        data = rng.poisson(50, size=(3, 4, 40)).astype(np.float32)
        axes = [axis("y", 2.0, 1.5, 3, "nm", True), axis("x", -1.0, 0.5, 4, "nm", True),
                axis("Energy loss", 520.0, 0.25, 40, "eV", False)]
        signal_type, member = "EELS", "shape"
    elif case == "spectrum":
        data = rng.normal(100, 5, size=60)  # float64
        axes = [axis("Energy loss", 400.0, 0.5, 60, "eV", False)]
        signal_type, member = "EELS", "count"
    elif case == "image":
        data = rng.integers(-300, 300, size=(5, 6)).astype(np.int16)
        axes = [axis("y", 0.0, 0.2, 5, "µm", False), axis("x", 1.0, 0.2, 6, "µm", False)]
        signal_type, member = "", "shape"
    else:
        data = rng.integers(0, 1000, size=(7, 30)).astype(np.uint16)
        axes = [axis("y", 3.0, 2.0, 7, "nm", True), axis("Energy loss", 700.0, 1.0, 30, "eV", False)]
        signal_type, member = "EELS", "shape"
    _, kc = kernel
    path = tmp_path / "theirs.hspy"
    rsciio_hspy.file_writer(str(path), rosettasciio_signal(data, axes, f"rosettasciio {case}", signal_type))
    out = tmp_path / "ours.npy"
    run_ok(kc, f'''
let x = load("{path}")
x.save("{out}")
x.{member}
''')
    ours = np.load(out)
    np.testing.assert_array_equal(ours.reshape(data.shape), data.astype(np.float32))
    if case == "line scan":  # a one-column spectrum image: (rows, 1, channels)
        assert ours.shape == (7, 1, 30)
        ours_axes = [a for a in sidecar_axes(out) if a["name"] != "x"]
    else:
        assert ours.shape == data.shape
        ours_axes = sidecar_axes(out)
    assert_same_axes(axes, ours_axes)
    meta = json.loads(out.with_suffix(".json").read_text())["metadata"]
    assert meta["title"] == f"rosettasciio {case}"
    assert meta["Instrument.beam_energy"] == "300"
    assert meta["dtype"] == str(data.dtype)


def test_dm4_calibration_reaches_map_figures_and_saved_files(kernel, tmp_path):
    needs_dm4()
    _, kc = kernel
    messages = run_ok(kc, f'''
let si = load("{DM4}")
display(si)
display(si[0..<2, 0..<2, 230])
plot(fit(si, peaks: [530], window: 510...560))
''')
    figures = svgs(messages)
    assert len(figures) == 3
    for svg in figures:
        assert "x (nm)" in svg and "y (nm)" in svg, svg[:400]
        assert "(px)" not in svg
    text = [m["content"]["data"]["text/plain"] for _, m in messages if m["msg_type"] == "display_data"]
    assert "1.992 x 1.992 nm/px" in text[0], text
    run_ok(kc, f'si.save("{tmp_path}/si.hspy")\nsi.save("{tmp_path}/si.npy")')
    (saved,) = rsciio_hspy.file_reader(str(tmp_path / "si.hspy"))
    for axes in (saved["axes"][:2], sidecar_axes(tmp_path / "si.npy")[:2]):
        assert [a["units"] for a in axes] == ["µm", "µm"]
        assert [a["scale"] for a in axes] == pytest.approx([0.0019920736085623503] * 2)


def test_corrupt_and_foreign_hdf5_files_are_clear_file_errors(kernel, tmp_path):
    import h5py

    _, kc = kernel
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["entry/data"] = np.arange(4.0)
    good = tmp_path / "good.hspy"
    rsciio_hspy.file_writer(str(good), rosettasciio_signal(np.arange(10.0), [axis("E", 0.0, 1.0, 10, "eV", False)],
                                                           "ok", "EELS"))
    (tmp_path / "truncated.hspy").write_bytes(good.read_bytes()[:300])
    for name, phrase in [("foreign.h5", "not HyperSpy's .hspy"), ("truncated.hspy", "HDF5")]:
        reply, messages = execute(kc, f'load("{tmp_path / name}")', timeout=60)
        assert reply["status"] == "error"
        assert reply["ename"] == "FileError", reply
        assert phrase in reply["evalue"] and name in reply["evalue"], reply["evalue"]
    run_ok(kc, f'load("{good}").count')  # the kernel is still alive and reads the good file


def test_dm4_written_by_us_opens_in_rosettasciio_like_the_measured_dm4(kernel, tmp_path):
    """Our DM4 writer (own-sim's DMWriter) through `.save("x.dm4")`: rosettasciio reads the same data, axes and
    signal type as from the measured EELS_SI.dm4 it was loaded from (DM stores scale and origin as float32)."""
    rsciio_dm = pytest.importorskip("rsciio.digitalmicrograph")
    needs_dm4()
    _, kc = kernel
    run_ok(kc, f'''
let si = load("{DM4}")
si.save("{tmp_path}/si.dm4")
si[0..<2, 0..<2, 230].save("{tmp_path}/map.dm4")
si.mean().save("{tmp_path}/mean.dm4")
''')
    for name in ["si", "map", "mean"]:
        (ours,) = rsciio_dm.file_reader(str(tmp_path / f"{name}.dm4"))
        if name == "si":
            (measured,) = rsciio_dm.file_reader(str(DM4))
            np.testing.assert_array_equal(ours["data"], measured["data"])
            expected_axes = measured["axes"]
            assert ours["metadata"]["Signal"]["signal_type"] == "EELS"
        else:
            reference = np.asarray(measured["data"])  # (E, y, x) as rosettasciio returns the measured SI
            expected = reference[230] if name == "map" else reference.reshape(reference.shape[0], -1).mean(axis=1)
            np.testing.assert_allclose(ours["data"], expected, rtol=1e-6)
            expected_axes = measured["axes"][1:] if name == "map" else [dict(measured["axes"][0], navigate=False)]
        assert len(ours["axes"]) == len(expected_axes)
        for a, b in zip(ours["axes"], expected_axes):
            assert (a["name"], a["units"], a["size"], bool(a["navigate"])) == \
                (b["name"], b["units"], b["size"], bool(b["navigate"])), (name, a, b)
            assert a["scale"] == pytest.approx(b["scale"], rel=1e-6)
            assert a["offset"] == pytest.approx(b["offset"], abs=1e-6 * abs(b["scale"]) + 1e-12)


def test_mutated_hspy_files_load_or_are_file_errors_and_the_kernel_lives(kernel, tmp_path):
    """Seeded byte flips of one of our .hspy files (as HSpyFuzzTests makes them): every one loads or is a
    FileError (a libhdf5 crash in the check process included), and the kernel answers afterwards."""
    import random

    _, kc = kernel
    base = tmp_path / "base.hspy"
    run_ok(kc, f'simulatePaperDataset(seed: 3, scale: 0.02).test[0].save("{base}")')
    original = bytearray(base.read_bytes())
    rng = random.Random(17)
    failures = 0
    for attempt in range(300):
        mutant = bytearray(original)
        for _ in range(1 + rng.randrange(8)):
            mutant[8 + rng.randrange(len(mutant) - 8)] ^= rng.randrange(256) | 1
        path = tmp_path / f"mutant-{attempt}.hspy"
        path.write_bytes(mutant)
        reply, _ = execute(kc, f'load("{path}")', timeout=120)
        assert reply["status"] == "ok" or reply["ename"] == "FileError", reply
        failures += reply["status"] == "error"
        path.unlink()
    assert failures > 0, "no mutation broke the file: the mutations do not reach the data the reader checks"
    messages = run_ok(kc, "1 + 1")
    assert [m["content"]["data"]["text/plain"] for _, m in messages if m["msg_type"] == "execute_result"] == ["2"]
