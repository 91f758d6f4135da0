"""PyTorch side of bench/attribution_bench's all-targets matrix: gradient x input of every input position for
the logit of the actual next token at every step, in float64, the way a PyTorch user would get it: one
forward pass, then one backward pass per target (retain_graph). Times `sample` targets and scales up.
Prints 'torch_matrix_s_float64 SECONDS' (for all targets) and 'torch_matrix_row_sum ROW VALUE' checks.
usage: /usr/bin/python3 torch_matrix.py MODEL.h5 TOKENS.txt SAMPLE THREADS"""
import sys
import time

import torch

from torch_ig import load


def main():
    path, tokens_path, sample, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    tokens = torch.tensor([int(t) for t in open(tokens_path).read().split()])
    T = len(tokens)
    emb, lstm, W, b = load(path, torch.float64)
    x = emb[tokens].unsqueeze(1).detach().requires_grad_(True)
    out, _ = lstm(x)
    logits = out[:, 0] @ W.T + b  # (T, K)
    targets = [int(tokens[t + 1]) if t + 1 < T else int(torch.argmax(logits[t])) for t in range(T)]
    rows = list(range(T - 1, -1, -max(1, T // sample)))[:sample]
    t0 = time.perf_counter()
    for r in rows:
        (g,) = torch.autograd.grad(logits[r, targets[r]], x, retain_graph=True)
        if r in (rows[0], rows[-1]):
            print(f"torch_matrix_row_sum {r} {float((g[:, 0] * x[:, 0]).sum()):.12g}")
    per_target = (time.perf_counter() - t0) / len(rows)
    print(f"torch_matrix_s_float64 {per_target * T:.3f}")


if __name__ == "__main__":
    main()
