"""PyTorch side of bench/front_end_occlusion_bench: occlusion of every row of a table through a front end, as
a research script (or Captum's Occlusion with perturbations_per_eval) computes it: batches of occluded copies
of the whole table, each run through Conv1d + relu + max_pool1d and an LSTM to the head on the final state, in
float64. Same shapes as the C++ side (weights random: the timing is what is compared). Prints
'torch_occlusion_ms TIME'.
usage: /usr/bin/python3 torch_front_end_occlusion.py ROWS FEATURES FILTERS KERNEL POOL HIDDEN BATCH THREADS"""
import sys
import time

import torch


def main():
    rows, features, filters, kernel, pool, hidden, batch, threads = map(int, sys.argv[1:9])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.rand(1, features, rows, dtype=torch.float64)
    conv = torch.nn.Conv1d(features, filters, kernel, padding="same").double()
    lstm = torch.nn.LSTM(filters, hidden, batch_first=True).double()
    head = torch.nn.Linear(hidden, 1).double()

    def scores(inputs):
        steps = torch.nn.functional.max_pool1d(torch.relu(conv(inputs)), pool)
        _, (h, _) = lstm(steps.transpose(1, 2))
        return head(h[-1])[:, 0]

    with torch.no_grad():
        scores(x)  # warm-up
        t0 = time.perf_counter()
        clean = scores(x)[0]
        drops = torch.empty(rows, dtype=torch.float64)
        for start in range(0, rows, batch):
            n = min(batch, rows - start)
            occluded = x.repeat(n, 1, 1)
            for k in range(n):
                occluded[k, :, start + k] = 0
            drops[start:start + n] = clean - scores(occluded)
        elapsed = time.perf_counter() - t0
    print("torch_occlusion_ms %.3f" % (1e3 * elapsed))


main()
