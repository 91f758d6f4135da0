"""numpy / scikit-learn side of bench/probe_bench: the same data (handed over in memory files the bench
process writes, so both sides read identical bits), the same computation, timed here.

- pearson: Pearson r of every unit of one (steps x units) float32 block against a number label, two-pass in
  float64 as ours and numpy.corrcoef are. Written as a numpy user who knows the sizes writes it: the centring
  goes 1,024 steps at a time, because `x - mean` on the whole block makes a 4 GB float64 temporary and runs
  10-20x slower (measured: 17-34 s instead of 1.5-2 s per block). With `r_regression`, also times
  scikit-learn's sklearn.feature_selection.r_regression (one pass, by moments) on the block.
- logistic: LogisticRegression(C=1, solver) on a (steps x features) float64 block and a 0/1 label.

Reads the block into its own array before timing (ours holds its block in memory too), then prints
'numpy_s' or 'sklearn_s', 'peak_mb' (the process's peak RSS, getrusage), 'extra_mb' (peak RSS while
computing beyond what was resident before: temporaries, copies), and the scores or coefficients.
usage: /usr/bin/python3 numpy_probing.py pearson VALUES_FD LABEL_FD UNITS STEPS [r_regression]
       /usr/bin/python3 numpy_probing.py logistic X_FD Y_FD FEATURES STEPS SOLVER MAX_ITER"""
import resource
import sys
import time
import warnings

import numpy as np


def read_shared(fd, dtype, shape):
    out = np.empty(shape, dtype)
    view = memoryview(out.reshape(-1)).cast("B")
    with open(f"/proc/self/fd/{fd}", "rb", buffering=0) as f:
        done = 0
        while done < len(view):  # one read() returns at most 2 GB
            done += f.readinto(view[done:])
    return out


def status_mb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measured(f):
    """f()'s result, wall time, and its peak RSS beyond what was resident before (Linux: clear_refs 5
    resets the peak)."""
    with open("/proc/self/clear_refs", "w") as c:
        c.write("5")
    before = status_mb("VmRSS")
    t0 = time.perf_counter()
    result = f()
    seconds = time.perf_counter() - t0
    return result, seconds, status_mb("VmHWM") - before


def pearson(x, y, chunk=1024):
    mean = x.mean(axis=0, dtype=np.float64)
    yc = y - y.mean()
    cross = np.zeros(x.shape[1])
    squares = np.zeros(x.shape[1])
    for s in range(0, x.shape[0], chunk):
        xc = x[s:s + chunk] - mean  # float64
        cross += yc[s:s + chunk] @ xc
        squares += np.einsum("ij,ij->j", xc, xc)
    return np.clip(cross / np.sqrt(squares * (yc @ yc)), -1, 1)


def main():
    mode = sys.argv[1]
    fd_x, fd_y, width, steps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    y = read_shared(fd_y, np.float64, (steps,))
    if mode == "pearson":
        x = read_shared(fd_x, np.float32, (steps, width))
        r, seconds, extra = measured(lambda: pearson(x, y))
        print(f"numpy_s {seconds:.4f}")
        print(f"extra_mb {extra:.0f}")
        if len(sys.argv) > 6:
            from sklearn.feature_selection import r_regression
            r2, seconds, extra = measured(lambda: r_regression(x, y))
            print(f"r_regression_s {seconds:.4f}")
            print(f"r_regression_extra_mb {extra:.0f}")
            print(f"r_regression_diff {np.max(np.abs(r2 - r)):.3e}")
        print("scores " + " ".join(f"{v:.17g}" for v in r))
    else:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_info
        x = read_shared(fd_x, np.float64, (steps, width))
        probe = LogisticRegression(C=1.0, solver=sys.argv[6], max_iter=int(sys.argv[7]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _, seconds, extra = measured(lambda: probe.fit(x, y))
        print(f"sklearn_s {seconds:.4f}")
        print(f"extra_mb {extra:.0f}")
        print(f"n_iter {int(probe.n_iter_[0])}")
        print(f"converged {0 if any(issubclass(w.category, ConvergenceWarning) for w in caught) else 1}")
        print(f"accuracy {probe.score(x, y):.6f}")
        print(f"blas_threads {max(p['num_threads'] for p in threadpool_info())}")
        print("coef " + " ".join(f"{v:.17g}" for v in np.append(probe.coef_[0], probe.intercept_[0])))
    print(f"peak_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
