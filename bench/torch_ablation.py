"""PyTorch side of bench/ablation_bench: the full single-unit ablation sweep of c in every layer of a native
model file (each unit of each layer set to zero at every step, one run per unit; the target is the
log-probability of one token at the last step), written as a PyTorch user writes it, in float32:

- batched: all runs as one batch (one column per ablated unit), an explicit LSTM cell per step and layer
  (nn.LSTM has no hook inside its scan), layer 0's input projection computed once;
- one at a time: the same cell, one run per unit, timed on the first RUNS_ONE units and scaled.

Prints 'torch_batched_s', 'torch_one_s' (scaled to every unit; 0 when RUNS_ONE is 0), 'torch_effect_UNIT'
samples, 'torch_threads'.
usage: /usr/bin/python3 torch_ablation.py MODEL.h5 TOKENS.txt TARGET THREADS RUNS_ONE"""
import sys
import time

import h5py
import numpy as np
import torch


def load(path):
    with h5py.File(path, "r") as f:
        layers = len(f["lstm"].keys())
        w = [{k: torch.from_numpy(f[f"lstm/{l}/fwd/{k}"][()]) for k in ("W_ih", "W_hh", "b_ih", "b_hh")}
             for l in range(layers)]
        head = (torch.from_numpy(f["head/weight"][()]), torch.from_numpy(f["head/bias"][()]))
    return w, head


def sweep(w, head, x0proj, target, runs):
    """runs: list of (layer, unit). Returns the target's log-probability per run (one batch)."""
    T = x0proj.shape[0]
    B = len(runs)
    H = w[0]["W_hh"].shape[1]
    rows = torch.arange(B)
    layer_of = torch.tensor([r[0] for r in runs])
    unit_of = torch.tensor([r[1] for r in runs])
    masks = [(layer_of == l) for l in range(len(w))]
    hs = [torch.zeros(B, H) for _ in w]
    cs = [torch.zeros(B, H) for _ in w]
    for t in range(T):
        x = None
        for l, p in enumerate(w):
            z = (x0proj[t].expand(B, -1) if l == 0 else x @ p["W_ih"].T + p["b_ih"]) + hs[l] @ p["W_hh"].T + p["b_hh"]
            i, f, g, o = z.chunk(4, dim=1)
            c = torch.sigmoid(f) * cs[l] + torch.sigmoid(i) * torch.tanh(g)
            sel = rows[masks[l]]
            c[sel, unit_of[sel]] = 0.0
            h = torch.sigmoid(o) * torch.tanh(c)
            cs[l], hs[l] = c, h
            x = h
    logits = x @ head[0].T + head[1]
    return torch.log_softmax(logits, dim=1)[:, target]


def main():
    path, text_path, target, threads, runs_one = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5])
    torch.set_num_threads(threads)
    w, head = load(path)
    tokens = torch.tensor([int(t) for t in open(text_path).read().split()])
    V = w[0]["W_ih"].shape[1]
    H = w[0]["W_hh"].shape[1]
    with torch.no_grad():
        x0proj = torch.nn.functional.one_hot(tokens, V).float() @ w[0]["W_ih"].T + w[0]["b_ih"]
        runs = [(l, u) for l in range(len(w)) for u in range(H)]
        sweep(w, head, x0proj, target, runs[:64])  # warm-up
        t0 = time.perf_counter()
        scores = sweep(w, head, x0proj, target, runs)
        batched = time.perf_counter() - t0
        t0 = time.perf_counter()
        for r in runs[:runs_one]:
            sweep(w, head, x0proj, target, [r])
        one = (time.perf_counter() - t0) * len(runs) / runs_one if runs_one else 0.0
        base = sweep(w, head, x0proj, target, [(len(w), 0)])[0]  # a layer that does not exist: no ablation
    print(f"torch_batched_s {batched:.4f}")
    print(f"torch_one_s {one:.4f}")
    for k in (0, 1, H - 1, H, 2 * H - 1):
        print(f"torch_effect_{k} {float(scores[k] - base):.6e}")
    # PyTorch's own matrix product at the recurrence's shape, for the ratio's context.
    A, W = torch.randn(len(runs), H), torch.randn(4 * H, H)
    A @ W.T
    t0 = time.perf_counter()
    for _ in range(10):
        A @ W.T
    gemm = 10 * 2.0 * len(runs) * H * 4 * H / (time.perf_counter() - t0) / 1e9
    print(f"torch_gemm_gflops {gemm:.1f}")
    print(f"torch_threads {torch.get_num_threads()}")
    # Debian's torch calls the system BLAS (BLAS_INFO=generic): say which library is loaded.
    print(f"torch_blas {'openblas' if 'openblas' in open('/proc/self/maps').read() else 'other'}")


if __name__ == "__main__":
    main()
