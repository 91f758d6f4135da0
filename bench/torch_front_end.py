"""PyTorch side of bench/front_end_bench: Conv1d(128 -> 64, kernel 5) + relu + max_pool1d(4) in float64 over
ROWS random rows, timed in-process after warm-up: the forward pass alone, and the forward pass with autograd's
backward to the input (what attribution through a front end costs). Prints 'torch_front_end_ms MEDIAN' and
'torch_front_end_backward_ms MEDIAN'.
usage: /usr/bin/python3 torch_front_end.py ROWS THREADS REPEATS"""
import sys
import time

import torch


def main():
    rows, threads, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    x = torch.rand(1, 128, rows, dtype=torch.float64)
    w = torch.rand(64, 128, 5, dtype=torch.float64)
    b = torch.rand(64, dtype=torch.float64)
    times = []
    with torch.no_grad():
        torch.nn.functional.max_pool1d(torch.relu(torch.nn.functional.conv1d(x, w, b)), 4)
        for _ in range(repeats):
            t0 = time.perf_counter()
            torch.nn.functional.max_pool1d(torch.relu(torch.nn.functional.conv1d(x, w, b)), 4)
            times.append(time.perf_counter() - t0)
    times.sort()
    print("torch_front_end_ms %.3f" % (1e3 * times[len(times) // 2]))
    x.requires_grad_(True)
    out_steps = (rows - 4) // 4
    grad_out = torch.rand(1, 64, out_steps, dtype=torch.float64)
    backward = []
    for k in range(repeats + 1):
        x.grad = None
        t0 = time.perf_counter()
        y = torch.nn.functional.max_pool1d(torch.relu(torch.nn.functional.conv1d(x, w, b)), 4)
        y.backward(grad_out)
        if k:  # the first is warm-up
            backward.append(time.perf_counter() - t0)
    backward.sort()
    print("torch_front_end_backward_ms %.3f" % (1e3 * backward[len(backward) // 2]))


main()
