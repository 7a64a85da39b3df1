"""The general method's preprocessing against an independent NumPy reference, on the same file: a spectrum image
written here with NumPy (odd dispersion and offset), prepared by a kernel cell with `modelInput` / `groundTruth`
for several windows, bin widths and blocks, saved as .npy, and compared with the same steps written in NumPy:

- inputs: the raw channel nearest the window start, then `bin / dispersion` channels summed per bin;
- targets without background: the mean of each spatial block (edge blocks average what they hold), windowed;
- targets with a power-law background: per block A * E^-r fitted by least squares on the fit window (a log-log
  estimate refined by Gauss-Newton here; Levenberg-Marquardt in the kernel) and subtracted."""
import json
import pathlib

import numpy as np
import pytest

from test_execution import execute

CASES = [
    # window start, end, bin (eV), background window or None, block rows, block columns
    (630.0, 660.0, 0.3, None, 2, 3),
    (612.5, 648.5, 0.2, None, 3, 5),
    (632.0, 662.0, 0.5, (601.0, 628.0), 2, 4),
]


def write_si(path: pathlib.Path, rng):
    rows, columns, channels = 5, 9, 700
    offset, scale = 600.02, 0.1
    energy = offset + scale * np.arange(channels)
    mean = 3e7 * energy ** -2.5 + np.where(energy > 640, 25 * np.exp(-((energy - 645) ** 2) / 5) + 5, 0)
    data = rng.poisson(np.broadcast_to(mean, (rows, columns, channels))).astype(np.float32)
    np.save(path, data)
    axes = [
        {"name": "y", "offset": 0, "scale": 1, "size": rows, "units": "px", "navigate": True},
        {"name": "x", "offset": 0, "scale": 1, "size": columns, "units": "px", "navigate": True},
        {"name": "Energy loss", "offset": offset, "scale": scale, "size": channels, "units": "eV", "navigate": False},
    ]
    path.with_suffix(".json").write_text(json.dumps({"kind": "spectrumImage", "axes": axes, "metadata": {}}))
    return data, offset, scale


def reference_inputs(data, offset, scale, start, end, width):
    factor = int(round(width / scale))
    channels = int(round((end - start) / width))
    first = int(round((start - offset) / scale))
    raw = data[:, :, first:first + channels * factor]
    return raw.reshape(data.shape[0], data.shape[1], channels, factor).sum(axis=3, dtype=np.float64)


def power_law(energy, values):
    """Least-squares A * E^-r: the log-log line, then Gauss-Newton on the counts."""
    positive = values > 0
    slope, intercept = np.polyfit(np.log(energy[positive]), np.log(values[positive]), 1)
    log_a, r = intercept, -slope
    for _ in range(100):
        model = np.exp(log_a - r * np.log(energy))
        jacobian = np.stack([model, -model * np.log(energy)], axis=1)
        step, *_ = np.linalg.lstsq(jacobian, values - model, rcond=None)
        log_a, r = log_a + step[0], r + step[1]
        if np.max(np.abs(step)) < 1e-12:
            break
    return np.exp(log_a), r


def reference_targets(data, offset, scale, start, end, width, background, block_rows, block_columns):
    factor = int(round(width / scale))
    first = int(round((start - offset) / scale))
    phase = first % factor
    usable = (data.shape[2] - phase) // factor
    binned = data[:, :, phase:phase + usable * factor].reshape(data.shape[0], data.shape[1], usable, factor)
    binned = binned.sum(axis=3, dtype=np.float64)
    binned_offset = offset + phase * scale
    energy = binned_offset + width * np.arange(usable)
    window_first = int(round((start - binned_offset) / width))
    channels = int(round((end - start) / width))
    out = np.zeros((data.shape[0], data.shape[1], channels))
    for r0 in range(0, data.shape[0], block_rows):
        for c0 in range(0, data.shape[1], block_columns):
            mean = binned[r0:r0 + block_rows, c0:c0 + block_columns].reshape(-1, usable).mean(axis=0)
            if background is not None:
                inside = (energy >= background[0] - 1e-9) & (energy <= background[1] + 1e-9)
                a, r = power_law(energy[inside], mean[inside])
                mean = mean - a * energy ** -r
            out[r0:r0 + block_rows, c0:c0 + block_columns] = mean[window_first:window_first + channels]
    return out


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}eV-bin{c[2]}-bg{c[3] is not None}" for c in CASES])
def test_inputs_and_targets_match_numpy(kernel, tmp_path, case):
    start, end, width, background, block_rows, block_columns = case
    _, kc = kernel
    data, offset, scale = write_si(tmp_path / "si.npy", np.random.default_rng(7))
    bg = "nil" if background is None else f"{background[0]}...{background[1]}"
    code = (f'let si = load("{tmp_path / "si.npy"}")\n'
            f"let m = method(window: {start}...{end}, bin: {width}, background: {bg}, "
            f"block: [{block_rows}, {block_columns}])\n"
            f'modelInput(si, method: m).save("{tmp_path / "x.npy"}")\n'
            f'groundTruth(si, method: m).save("{tmp_path / "y.npy"}")\n'
            "m.channels")
    content, messages = execute(kc, code, timeout=60)
    assert content["status"] == "ok", content
    channels = int(round((end - start) / width))
    x = np.load(tmp_path / "x.npy")
    y = np.load(tmp_path / "y.npy")
    assert x.shape == (5, 9, channels)
    axis = json.loads((tmp_path / "x.json").read_text())["axes"][2]
    assert axis["offset"] == pytest.approx(start) and axis["scale"] == pytest.approx(width)
    np.testing.assert_allclose(x, reference_inputs(data, offset, scale, start, end, width), rtol=1e-6)
    expected = reference_targets(data, offset, scale, start, end, width, background, block_rows, block_columns)
    tolerance = 1e-4 if background is None else 2e-3
    np.testing.assert_allclose(y, expected, rtol=tolerance, atol=tolerance * np.abs(expected).max())


def test_a_model_of_another_window_refuses_data_and_the_kernel_lives_on(kernel, tmp_path):
    _, kc = kernel
    write_si(tmp_path / "si.npy", np.random.default_rng(1))
    content, _ = execute(kc, f'let si = load("{tmp_path / "si.npy"}")\n'
                             "modelInput(si, method: paperMethod())", timeout=60)
    assert content["status"] == "error" and content["ename"] == "ValueError"
    assert "dispersion is 0.1 eV/channel, which does not divide the bin width 0.25 eV" in content["evalue"]
    content, _ = execute(kc, "modelInput(si, method: method(window: 520...580, bin: 0.2))", timeout=60)
    assert content["status"] == "error" and content["ename"] == "ValueError"
    assert "the window needs 520.00-580.00 eV" in content["evalue"]
    content, _ = execute(kc, "si.channels")
    assert content["status"] == "ok"
