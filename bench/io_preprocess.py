"""bench/io_preprocess: reading DM4 spectrum images and the paper's preprocessing, ours against rosettasciio +
NumPy (+ lmfit's PowerLawModel, the paper's background fit), on the same files in one run.

Figures: read EELS_SI.dm4 (2 x 2 x 2048), read a generated 10 x 638 x 2048 float32 DM4 with EELS_SI.dm4's tag
structure, then on the big SI: crop 440-580 eV, rebin energy x2, 10 x 40 block means, power-law background
(498-528 eV, one fit per block) subtracted. Peers produce the same layout (rows, columns, channels) and results
are checked equal. Times are process CPU time (ms, medians), the same clock on both sides (wall time printed too;
on a loaded machine it mostly measures waiting for a core). Both sides run single-threaded. Headline: the whole
pipeline (read + crop + rebin + block mean + background).
"""
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from lmfit.models import PowerLawModel
from rsciio.digitalmicrograph import file_reader

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data", "real")
EXE = os.path.join(ROOT, ".build", "release", "io-preprocess-bench")
WORK = os.path.join(ROOT, "bench", ".io-work")
REPEATS = int(os.environ.get("IO_REPEATS", "7"))


WALL = {}


def ms(f, key=None):
    # Process CPU time: the shared machine is oversubscribed, so wall time mostly measures waiting for a core.
    # Wall time is kept too (WALL[key]) and printed alongside.
    t, w = time.process_time(), time.perf_counter()
    out = f()
    if key:
        WALL.setdefault(key, []).append((time.perf_counter() - w) * 1e3)
    return (time.process_time() - t) * 1e3, out


def peer_read(path):
    d = file_reader(path)[0]
    data = d["data"]
    axes = d["axes"]
    # The signal layout both sides deliver: rows x columns x channels, contiguous (HyperSpy's to_signal1D).
    return np.ascontiguousarray(np.moveaxis(data, 0, -1)), axes[0]


def crop_indices(axis, lo, hi):
    start = int(round((lo - axis["offset"]) / axis["scale"]))
    end = int(round((hi - axis["offset"]) / axis["scale"]))
    return start, end


def peer_block_means(x, br, bc):
    rows, cols, ch = x.shape
    rs, cs = np.arange(0, rows, br), np.arange(0, cols, bc)
    sums = np.add.reduceat(np.add.reduceat(x.astype(np.float64), rs, axis=0), cs, axis=1)
    counts = np.outer(np.diff(np.append(rs, rows)), np.diff(np.append(cs, cols)))[:, :, None]
    return (sums / counts).astype(np.float32)


def peer_pipeline_steps(x, axis, repeats_times):
    t, (start, end) = 0.0, crop_indices(axis, 440, 580)
    tc, cropped = ms(lambda: np.ascontiguousarray(x[:, :, start:end]), "crop")
    rows, cols, ch = cropped.shape
    tr, rebinned = ms(lambda: cropped[:, :, : ch // 2 * 2].reshape(rows, cols, ch // 2, 2).sum(-1), "rebin")
    energy = axis["offset"] + start * axis["scale"] + axis["scale"] / 2 + 2 * axis["scale"] * np.arange(ch // 2)

    def block_mean():
        means = peer_block_means(rebinned, 10, 40)
        return means, means[np.arange(rows) // 10][:, np.arange(cols) // 40]

    tb, (means, blocks) = ms(block_mean, "block_mean")

    def background():
        means2 = peer_block_means(rebinned, 10, 40)
        window = (energy >= 498 - 1e-9) & (energy <= 528 + 1e-9)
        model = PowerLawModel()
        bg = np.empty_like(means2)
        for i in range(means2.shape[0]):
            for j in range(means2.shape[1]):
                y = means2[i, j, window].astype(np.float64)
                params = model.guess(y, x=energy[window])
                fit = model.fit(y, params, x=energy[window])
                bg[i, j] = fit.eval(x=energy)
        return blocks - bg[np.arange(rows) // 10][:, np.arange(cols) // 40]

    tg, net = ms(background, "background")
    for name, v in (("crop", tc), ("rebin", tr), ("block_mean", tb), ("background", tg)):
        repeats_times.setdefault(name, []).append(v)
    return rebinned, blocks, net


def main():
    os.makedirs(WORK, exist_ok=True)
    small = os.path.join(SHARED, "EELS_SI.dm4")
    big = os.path.join(WORK, "si_10x638x2048.dm4")
    subprocess.run([EXE, "generate", small, big, "10", "638"], check=True)

    ours_small = json.loads(subprocess.run([EXE, "time", small, str(REPEATS * 5), os.path.join(WORK, "small")],
                                           check=True, capture_output=True, text=True).stdout)
    ours_big = json.loads(subprocess.run([EXE, "time", big, str(REPEATS), os.path.join(WORK, "big")],
                                         check=True, capture_output=True, text=True).stdout)

    peer_small = statistics.median(ms(lambda: peer_read(small))[0] for _ in range(REPEATS * 5))
    peer = {}
    reads = []
    for _ in range(REPEATS):
        t, (x, axis) = ms(lambda: peer_read(big), "read")
        reads.append(t)
        rebinned, blocks, net = peer_pipeline_steps(x, axis, peer)
    peer = {k: statistics.median(v) for k, v in peer.items()}
    peer["read"] = statistics.median(reads)

    # Same results on both sides.
    ours_rebinned = np.load(os.path.join(WORK, "big_rebinned.npy"))
    ours_blocks = np.load(os.path.join(WORK, "big_block_mean.npy"))
    ours_net = np.load(os.path.join(WORK, "big_net.npy"))
    assert ours_rebinned.shape == rebinned.shape, (ours_rebinned.shape, rebinned.shape)
    assert np.allclose(ours_rebinned, rebinned, rtol=1e-5, atol=1e-3), "rebinned data differ"
    assert np.allclose(ours_blocks, blocks, rtol=1e-4, atol=1e-3), "block means differ"
    scale = float(np.abs(blocks).max())
    assert np.abs(ours_net - net).max() < 1e-3 * scale, f"background-subtracted differ {np.abs(ours_net - net).max()}"

    peer_wall = {k: statistics.median(v) for k, v in WALL.items()}

    def line(name, o, p, key=None):
        wall = ""
        if key:
            wo, wp = ours_big["wall." + key], peer_wall[key]
            wall = f"; wall: ours {wo:.3f} ms, peer {wp:.3f} ms, ratio {wp / wo:.2f}"
        print(f"{name}: ours {o:.3f} ms, peer {p:.3f} ms, ratio {p / o:.2f}{wall}")

    print(f"# medians of {REPEATS} runs (EELS_SI.dm4: {REPEATS * 5}); process CPU time, wall time after ';'. "
          f"Both sides single-threaded (OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; "
          "our transposes are OpenBLAS omatcopy, which does not thread; NumPy and lmfit do not thread these steps).")
    line("read EELS_SI.dm4 (2x2x2048)", ours_small["read"], peer_small)
    line("read 10x638x2048 float32 DM4", ours_big["read"], peer["read"], "read")
    for name in ("crop", "rebin", "block_mean", "background"):
        line(f"{name} (10x638)", ours_big[name], peer[name], name)
    keys = ("read", "crop", "rebin", "block_mean", "background")
    total_ours, total_peer = sum(ours_big[k] for k in keys), sum(peer[k] for k in keys)
    wall_ours, wall_peer = sum(ours_big["wall." + k] for k in keys), sum(peer_wall[k] for k in keys)
    print(f"pipeline read+crop+rebin+block_mean+background: ours {total_ours:.3f} ms, peer {total_peer:.3f} ms, "
          f"ratio {total_peer / total_ours:.2f}; wall: ours {wall_ours:.3f} ms, peer {wall_peer:.3f} ms, "
          f"ratio {wall_peer / wall_ours:.2f}")
    print(f"ratio: {total_peer / total_ours:.2f}")


if __name__ == "__main__":
    sys.exit(main())
