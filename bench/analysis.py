#!/usr/bin/env python3
"""Ours (bench/analysis-swift) against scikit-learn PCA, openTSNE, scikit-learn TSNE, lmfit and scipy curve_fit
on the same 25,520 x 240 synthetic spectra, in one run. Run through bench/analysis.sh, which makes the venv.

Figures print as `name: ours X unit, peer Y unit, ratio Z` (ratio > 1: we are better); the last line is
`ratio: Z`, the t-SNE time ratio against openTSNE. Lines starting with '#' are notes (agreement checks).
--skip-slow skips scikit-learn TSNE (~135 s here) and shortens the lmfit loop.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

ROWS_PER_SI, COLS_PER_SI, CHANNELS = 638, 10, 240
ENERGY = 520.0 + 0.25 * np.arange(CHANNELS)
WINDOW = (ENERGY >= 524.0) & (ENERGY <= 545.0)
CENTRE = 0.5 * (ENERGY[WINDOW][0] + ENERGY[WINDOW][-1])


def gaussian(e, mu, h, s):
    return h * np.exp(-0.5 * ((e - mu) / s) ** 2)


def make_data(seed=2021):
    """Four categories (2 oxidation-like states x 2 thicknesses) of 638 x 10 pixels, 1.5 eV shift across the
    scan, a pre-peak whose height and position depend on the state, Poisson noise."""
    rng = np.random.default_rng(seed)
    blocks = []
    for state in (0, 1):
        for thick in (0.75, 1.1):
            n = ROWS_PER_SI * COLS_PER_SI
            shift = 1.5 * np.repeat(np.arange(ROWS_PER_SI) / (ROWS_PER_SI - 1), COLS_PER_SI)[:, None]
            e = ENERGY[None, :]
            bg = 70 * thick - 0.6 * (e - CENTRE)
            pre = gaussian(e, 528.0 + 0.8 * state + shift, (160 - 80 * state) * thick, 0.8)
            main = gaussian(e, 535.0 + shift, 220 * thick, 1.6)
            broad = gaussian(e, 560.0 + shift, 150 * thick ** 2, 6.0)
            clean = bg + pre + main + broad
            blocks.append(rng.poisson(np.broadcast_to(clean, (n, CHANNELS))).astype(np.float32))
    return np.concatenate(blocks)


def common_start(x):
    """One starting point for every spectrum, for ours and the peers alike (from the mean spectrum)."""
    mean = x.mean(axis=0)[WINDOW]
    e = ENERGY[WINDOW]
    b0 = 0.5 * (mean[:3].mean() + mean[-3:].mean())
    h1 = mean[np.argmin(abs(e - 528.3))] - b0
    h2 = mean[np.argmin(abs(e - 535.5))] - b0
    return [b0, 0.0, 528.3, h1, 1.0, 535.5, h2, 1.5]


def model(e, b0, b1, m1, h1, s1, m2, h2, s2):
    return b0 + b1 * (e - CENTRE) + gaussian(e, m1, h1, s1) + gaussian(e, m2, h2, s2)


def line(name, ours, peer, unit, better_lower=True):
    ratio = peer / ours if better_lower else ours / peer
    print(f"{name}: ours {ours:.4g} {unit}, peer {peer:.4g} {unit}, ratio {ratio:.3g}", flush=True)
    return ratio


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="the analysis-bench executable")
    ap.add_argument("--skip-slow", action="store_true", help="skip scikit-learn TSNE, shorten the lmfit loop")
    ap.add_argument("--skip-tsne", action="store_true", help="skip every t-SNE (ours and peers)")
    args = ap.parse_args()

    x = make_data()
    n = x.shape[0]
    start = common_start(x)
    print(f"# data: {n} x {CHANNELS} synthetic spectra, {os.cpu_count()} cores", flush=True)
    tmp = tempfile.mkdtemp(prefix="analysis-bench-")
    prefix = os.path.join(tmp, "")
    x.tofile(prefix + "data.f32")
    with open(prefix + "start.txt", "w") as f:
        f.write(" ".join(repr(float(v)) for v in start))

    cmd = [args.ours, prefix + "data.f32", str(n), str(CHANNELS), prefix] + (["--skip-tsne"] if args.skip_tsne else [])
    t0 = time.time()
    ours = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    print(f"# ours: {time.time() - t0:.1f} s in all", flush=True)

    # PCA.
    from sklearn.decomposition import PCA
    PCA(n_components=3).fit_transform(x)
    times = []
    for _ in range(7):
        t = time.perf_counter()
        skl = PCA(n_components=3)
        skl.fit_transform(x)
        times.append(time.perf_counter() - t)
    pca_peer = float(np.median(times))
    evr_diff = float(np.max(abs(np.array(ours["pca_explained_variance_ratio"]) - skl.explained_variance_ratio_)))
    print(f"# PCA explained variance ratio, max difference from scikit-learn: {evr_diff:.2e}")
    pca_ratio = line("pca_3_components_time", ours["pca_s"] * 1e3, pca_peer * 1e3, "ms")

    # Peak fits: same model, window and start values for every fitter.
    from scipy.optimize import curve_fit
    e = ENERGY[WINDOW]
    ours_params = np.fromfile(prefix + "ours_params.f64").reshape(n, 8)
    ours_rate = n / ours["fit_s"]
    print(f"# ours: {n} fits, {100 * ours['fit_success']:.2f} % flagged successful")
    for failure in ours.get("fit_failures", []):
        print(f"#   failed: {failure}")
    m_cf = 2000
    sub = np.random.default_rng(0).choice(n, m_cf, replace=False)
    cf_params = np.empty((m_cf, 8))
    t, c = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, i in enumerate(sub):
            cf_params[k], _ = curve_fit(model, e, x[i, WINDOW].astype(np.float64), p0=start, method="lm")
    cf_rate = m_cf / (time.perf_counter() - t)
    cf_cpu_rate = m_cf / (time.process_time() - c)
    fit_ratio = line("gaussian_fits_vs_curve_fit", ours_rate, cf_rate, "fits/s", better_lower=False)
    line("gaussian_fits_per_cpu_second_vs_curve_fit", n / ours["fit_cpu_s"], cf_cpu_rate, "fits/cpu-s",
         better_lower=False)
    ok = np.isfinite(ours_params[sub]).all(axis=1)
    d = abs(ours_params[sub][ok] - cf_params[ok])
    pos = d[:, [2, 5]].max(axis=1)
    rel_h = (d[:, [3, 6]] / abs(cf_params[ok][:, [3, 6]])).max(axis=1)
    agree = np.mean((pos < 1e-3) & (rel_h < 1e-3))
    print(f"# same parameters as curve_fit (|d position| < 1e-3 eV and |d height| < 0.1 %): {100 * agree:.2f} % of "
          f"the {ok.sum()} of {m_cf} where ours succeeded; median |d position| {np.median(pos):.1e} eV, "
          f"median |d height| {np.median(rel_h):.1e} (relative)")
    bad = ~ok
    if bad.any():
        print(f"# where ours flagged a failure ({bad.sum()}), curve_fit's pre-peak height: median "
              f"{np.median(cf_params[bad, 3]):.3g} counts (start {start[3]:.3g}), sigma median "
              f"{np.median(cf_params[bad, 4]):.3g} eV")

    import lmfit
    m_lm = 100 if args.skip_slow else 400
    gm = (lmfit.models.GaussianModel(prefix="p1_") + lmfit.models.GaussianModel(prefix="p2_")
          + lmfit.models.LinearModel())
    root2pi = np.sqrt(2 * np.pi)
    lm_params = np.empty((m_lm, 8))
    t = time.perf_counter()
    for k, i in enumerate(sub[:m_lm]):
        p = gm.make_params(p1_center=start[2], p1_amplitude=start[3] * start[4] * root2pi, p1_sigma=start[4],
                           p2_center=start[5], p2_amplitude=start[6] * start[7] * root2pi, p2_sigma=start[7],
                           slope=start[1], intercept=start[0] - start[1] * CENTRE)
        r = gm.fit(x[i, WINDOW].astype(np.float64), p, x=e)
        v = r.params
        lm_params[k] = [v[name].value for name in ("intercept", "slope", "p1_center", "p1_height", "p1_sigma",
                                                    "p2_center", "p2_height", "p2_sigma")]
        lm_params[k, 0] += lm_params[k, 1] * CENTRE
    lm_rate = m_lm / (time.perf_counter() - t)
    line("gaussian_fits_vs_lmfit_loop", ours_rate, lm_rate, "fits/s", better_lower=False)
    okl = np.isfinite(ours_params[sub[:m_lm]]).all(axis=1)
    dl = abs(ours_params[sub[:m_lm]][okl] - lm_params[okl])
    print(f"# same parameters as lmfit: median |d position| {np.median(dl[:, [2, 5]]):.1e} eV over {okl.sum()} fits")

    # t-SNE.
    tsne_ratio = None
    if not args.skip_tsne:
        from openTSNE import TSNE as OpenTSNE
        from sklearn.manifold import trustworthiness
        t, c = time.perf_counter(), time.process_time()
        emb = OpenTSNE(perplexity=30, early_exaggeration_iter=250, n_iter=750, n_jobs=-1, random_state=1).fit(x)
        ot_time = time.perf_counter() - t
        ot_cpu = time.process_time() - c
        ot_kl = float(emb.kl_divergence)
        print(f"# ours t-SNE: affinities {ours['tsne_affinities_s']:.1f} s, optimisation "
              f"{ours['tsne_optimise_s']:.1f} s; openTSNE {ot_time:.1f} s")
        tsne_ratio = line("tsne_time_vs_openTSNE", ours["tsne_s"], ot_time, "s")
        line("tsne_cpu_time_vs_openTSNE", ours["tsne_cpu_s"], ot_cpu, "cpu-s")
        line("tsne_kl_vs_openTSNE", ours["tsne_kl"], ot_kl, "nats")
        ours_emb = np.fromfile(prefix + "ours_tsne.f64").reshape(n, 2)
        sub3 = np.random.default_rng(1).choice(n, 3000, replace=False)
        tw_ours = trustworthiness(x[sub3], ours_emb[sub3], n_neighbors=10)
        tw_ot = trustworthiness(x[sub3], np.asarray(emb)[sub3], n_neighbors=10)
        line("tsne_trustworthiness_vs_openTSNE", tw_ours, tw_ot, "(3000-point sample)", better_lower=False)
        if not args.skip_slow:
            from sklearn.manifold import TSNE as SkTSNE
            t = time.perf_counter()
            sk = SkTSNE(perplexity=30, init="pca", learning_rate="auto", random_state=1, n_jobs=-1)
            sk.fit_transform(x)
            sk_time = time.perf_counter() - t
            line("tsne_time_vs_sklearn", ours["tsne_s"], sk_time, "s")
            line("tsne_kl_vs_sklearn", ours["tsne_kl"], float(sk.kl_divergence_), "nats")
        else:
            print("# scikit-learn TSNE skipped (--skip-slow)")
    print(f"ratio: {tsne_ratio if tsne_ratio is not None else fit_ratio:.3g}")


if __name__ == "__main__":
    sys.exit(main())
