"""PyTorch side of bench/attribution_bench: Integrated Gradients (midpoint rule, all steps as one batch) with
autograd on the weights of a native model file, in float32 and float64, after warm-up.
Prints 'torch_ig_ms_float32 MEDIAN', 'torch_ig_ms_float64 MEDIAN' and the attributions' sum (float64), and
'torch_ig_ms_float32_ftz MEDIAN': float32 again with torch.set_flush_denormal(True). From a zero baseline the
first points' states are tiny and float32 makes denormals in bulk, which this CPU handles ~10x slower; we
flush them (docs/ENGINE.md "Numerics"), PyTorch does only when asked, so both are shown.
A model without an embedding reads one-hot vectors (the identity as its embedding).
usage: /usr/bin/python3 torch_ig.py MODEL.h5 TOKENS.txt STEPS THREADS [REPEATS]"""
import sys
import time

import h5py
import numpy as np
import torch


def load(path, dtype):
    with h5py.File(path, "r") as f:
        if "input/embedding" in f:
            emb = torch.tensor(f["input/embedding"][()], dtype=dtype)  # stored (V, E), like nn.Embedding
        else:
            emb = torch.eye(f["lstm/0/fwd/W_ih"].shape[1], dtype=dtype)
        layers = len(f["lstm"].keys())
        H = f["lstm/0/fwd/W_hh"].shape[1]
        lstm = torch.nn.LSTM(emb.shape[1], H, num_layers=layers).to(dtype)
        with torch.no_grad():
            for l in range(layers):
                for name, key in (("weight_ih", "W_ih"), ("weight_hh", "W_hh"), ("bias_ih", "b_ih"), ("bias_hh", "b_hh")):
                    getattr(lstm, f"{name}_l{l}").copy_(torch.tensor(f[f"lstm/{l}/fwd/{key}"][()], dtype=dtype))
        W = torch.tensor(f["head/weight"][()], dtype=dtype)
        b = torch.tensor(f["head/bias"][()], dtype=dtype)
    return emb, lstm, W, b


def ig(emb, lstm, W, b, tokens, target, n):
    x = emb[tokens]  # (T, E)
    alphas = (torch.arange(n, dtype=x.dtype) + 0.5) / n
    path = (alphas.view(1, n, 1) * x.unsqueeze(1)).detach().requires_grad_(True)  # zero baseline, (T, n, E)
    out, _ = lstm(path)
    logits = out[-1] @ W.T + b  # last step, (n, K)
    (logits[:, target].sum() / n).backward()
    return (x * path.grad.sum(1)).sum(1)


def main():
    path, tokens_path, n, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    torch.set_num_threads(threads)
    tokens = torch.tensor([int(t) for t in open(tokens_path).read().split()])
    for dtype, name, flush in ((torch.float32, "float32", False), (torch.float32, "float32_ftz", True),
                               (torch.float64, "float64", False)):
        torch.set_flush_denormal(flush)
        emb, lstm, W, b = load(path, dtype)
        with torch.no_grad():
            out, _ = lstm(emb[tokens].unsqueeze(1))
            target = int(torch.argmax(out[-1, 0] @ W.T + b))
        ig(emb, lstm, W, b, tokens, target, n)  # warm-up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            a = ig(emb, lstm, W, b, tokens, target, n)
            times.append(time.perf_counter() - t0)
        print(f"torch_ig_ms_{name} {1000 * float(np.median(times)):.1f}")
        if dtype == torch.float64:
            print(f"torch_ig_sum {float(a.sum()):.10g}")


if __name__ == "__main__":
    main()
