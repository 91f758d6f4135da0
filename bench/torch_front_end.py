"""PyTorch side of bench/front_end_bench: Conv1d(128 -> 64, kernel 5) + relu + max_pool1d(4) in float64 over
ROWS random rows, timed in-process after warm-up. Prints 'torch_front_end_ms MEDIAN'.
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


main()
