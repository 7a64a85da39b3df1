#!/usr/bin/env python3
"""The paper's autoencoder, ours (aec-bench) against Keras/TensorFlow on the same random data, batch 512.

Run: bench/aec_keras.sh  (creates bench/.venv-keras with tensorflow-cpu, builds aec-bench, runs this).
The per-CPU-second lines divide by the process's CPU time (all its threads): on a shared, oversubscribed
machine they show the cost of the work independent of the scheduler's share. Each figure is the median over REPS alternating runs (each run: median over epochs / repeats).
Prints `name: ours X unit, peer Y unit, ratio Z` per figure and `ratio: Z` (training, 2 threads) last.

Threads: each run (ours and Keras) is pinned to the first THREADS processors this process may use
(sched_setaffinity), so "1 thread" and "2 threads" mean one and two cores for both sides. Keras is given
TensorFlow's own defaults on that many cores: intra-op threads = THREADS, inter-op left to TensorFlow, oneDNN on
(TensorFlow's default on x86-64). Earlier versions of this bench also forced inter-op threads = THREADS, which
made Keras's 2-thread training slower (about 3.2k against 4.7k samples/s here); setting nothing at all under the
same affinity measured the same as this configuration. XLA (jit_compile=True) is not Keras's default on the CPU
and was slower still.
"""
import os, subprocess, sys, tempfile, time, statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNT = int(os.environ.get("AEC_COUNT", "8192"))
EPOCHS = int(os.environ.get("AEC_EPOCHS", "5"))
REPS = int(os.environ.get("AEC_REPS", "3"))  # ours and Keras alternate REPS times per setting; medians are quoted


def keras_worker(path, count, threads, epochs):
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    from tensorflow import keras
    from keras import layers
    data = np.fromfile(path, dtype="<f4").reshape(2, count, 240, 1)
    x, y = data[0], data[1]
    inp = keras.Input((240, 1))
    h = inp
    for i, (f, k) in enumerate([(8, 7), (16, 7), (16, 5), (32, 5), (64, 3)]):
        h = layers.Conv1D(f, k, strides=2, padding="same", activation="relu")(h)
        if i < 4:
            h = layers.Dropout(0.2)(h)
    h = layers.Flatten()(h)
    z = layers.Dense(5, activation="relu")(h)
    h = layers.Dense(512)(z)
    h = layers.Reshape((8, 64))(h)
    for f, k, op in [(64, 3, 0), (32, 5, None), (16, 5, None), (16, 7, None), (8, 7, None)]:
        h = layers.Conv1DTranspose(f, k, strides=2, padding="same", output_padding=op, activation="relu")(h)
    out = layers.Conv1DTranspose(1, 7, strides=1, padding="same")(h)
    model = keras.Model(inp, out)
    assert model.count_params() == 44678, model.count_params()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    times, cpu = [], []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t, self.c = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t)
            cpu.append(time.process_time() - self.c)

    print("peer_version", f"tensorflow-{tf.__version__}/keras-{keras.__version__}")
    model.fit(x, y, batch_size=512, epochs=epochs + 1, shuffle=True, verbose=0, callbacks=[Timer()])
    print("train_samples_per_s", count / statistics.median(times[1:]))
    print("train_samples_per_cpu_s", count / statistics.median(cpu[1:]))
    model.predict(x, batch_size=512, verbose=0)
    infer, infer_cpu = [], []
    for _ in range(max(3, epochs)):
        t, c = time.perf_counter(), time.process_time()
        model.predict(x, batch_size=512, verbose=0)
        infer.append(time.perf_counter() - t)
        infer_cpu.append(time.process_time() - c)
    print("infer_spectra_per_s", count / statistics.median(infer))
    print("infer_spectra_per_cpu_s", count / statistics.median(infer_cpu))


def parse(text):
    values = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                values[parts[0]] = float(parts[1])
            except ValueError:
                values[parts[0]] = parts[1]
    return values


def run(command, threads, env=None):
    """Runs `command` pinned to the first `threads` processors available to this process."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < threads:
        sys.exit(f"{threads} threads asked for, but only {len(cpus)} processors are available")
    result = subprocess.run(command, capture_output=True, text=True, env=env,
                            preexec_fn=lambda: os.sched_setaffinity(0, cpus[:threads]))
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    return parse(result.stdout)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--keras-worker":
        keras_worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        return
    import numpy as np
    rng = np.random.default_rng(2021)
    grid = np.linspace(0, 1, 240, dtype=np.float32)
    centres = rng.uniform(0.2, 0.8, (COUNT, 1)).astype(np.float32)
    clean = np.exp(-((grid - centres) / 0.05) ** 2) + 0.5 * (grid > centres)
    noisy = clean + rng.normal(0, 0.3, clean.shape)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "data.f32")
        np.stack([noisy, clean]).astype("<f4").tofile(path)
        exe = os.path.join(ROOT, ".build", "release", "aec-bench")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        rows, headline = [], None
        for threads in (1, 2):
            ours_runs, peer_runs = [], []
            for _ in range(REPS):
                ours_runs.append(run([exe, path, str(COUNT), str(threads), str(EPOCHS)], threads, env))
                peer_runs.append(run([sys.executable, __file__, "--keras-worker", path, str(COUNT), str(threads),
                                      str(EPOCHS)], threads))
            if threads == 1:
                print(f"peer: {peer_runs[0].get('peer_version')}, {COUNT} spectra, batch 512, {EPOCHS} timed epochs, "
                      f"{REPS} alternating runs per setting (medians)", flush=True)
            for key, name, unit in [("train_samples_per_s", "training", "samples/s"),
                                    ("infer_spectra_per_s", "inference", "spectra/s"),
                                    ("train_samples_per_cpu_s", "training per CPU-second", "samples/cpu-s"),
                                    ("infer_spectra_per_cpu_s", "inference per CPU-second", "spectra/cpu-s")]:
                ours = {key: statistics.median(r[key] for r in ours_runs)}
                peer = {key: statistics.median(r[key] for r in peer_runs)}
                ratio = ours[key] / peer[key]
                print(f"{name} {threads} thread{'s' if threads > 1 else ''}: ours {ours[key]:.0f} {unit}, "
                      f"peer {peer[key]:.0f} {unit}, ratio {ratio:.2f}", flush=True)
                if threads == 2 and key == "train_samples_per_s":
                    headline = ratio
        print(f"ratio: {headline:.2f}")


if __name__ == "__main__":
    main()
