"""PyTorch side of bench/record_bench: times torch.nn.LSTM's forward on the weights of a native model
file, in-process after warm-up, on one-hot inputs. Prints 'torch_forward_ms MEDIAN' and 'torch_threads N'.
usage: /usr/bin/python3 torch_lstm_forward.py MODEL.h5 STEPS THREADS REPEATS"""
import sys
import time

import h5py
import numpy as np
import torch


def main():
    path, steps, threads, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    with h5py.File(path, "r") as f:
        V = len(f["input/vocab"])
        layers = len([k for k in f["lstm"].keys()])
        H = f["lstm/0/fwd/W_hh"].shape[1]
        lstm = torch.nn.LSTM(V, H, num_layers=layers)
        with torch.no_grad():
            for l in range(layers):
                for name, key in (("weight_ih", "W_ih"), ("weight_hh", "W_hh"), ("bias_ih", "b_ih"), ("bias_hh", "b_hh")):
                    getattr(lstm, f"{name}_l{l}").copy_(torch.from_numpy(f[f"lstm/{l}/fwd/{key}"][()]))
    rng = np.random.default_rng(0)
    tokens = torch.from_numpy(rng.integers(0, V, size=steps))
    x = torch.nn.functional.one_hot(tokens, V).float().unsqueeze(1)
    times = []
    with torch.no_grad():
        for _ in range(2):
            lstm(x)
        for _ in range(repeats):
            t0 = time.perf_counter()
            lstm(x)
            times.append(time.perf_counter() - t0)
    print(f"torch_forward_ms {1000 * float(np.median(times)):.3f}")
    print(f"torch_threads {torch.get_num_threads()}")
    print(f"torch_blas {torch.__config__.show().count('OpenBLAS') > 0 and 'openblas' or 'other'}")


if __name__ == "__main__":
    main()
