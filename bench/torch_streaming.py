"""PyTorch side of bench/streaming_bench: a voice-activity model shaped as Silero VAD v5 is (an STFT as a strided
Conv1d of 258 filters over 256 taps with reflect padding, a magnitude, four Conv1d + ReLU to 128 features, an
LSTM of 128 units carrying its state from call to call, a 1x1 Conv1d + sigmoid head), exported to ONNX with its
state as input and output, and a WAV file of SECONDS of noisy tones. Then the module runs call by call over the
audio (576 samples: 64 of context and 512 new), float32, timed after warm-up. Prints 'torch_ms_per_call X',
'flop_per_call X' and 'calls N'.
usage: /usr/bin/python3 torch_streaming.py OUTDIR SECONDS THREADS"""
import os
import sys
import time
import wave

import numpy as np
import torch

CHUNK, HOP = 576, 512


class Vad(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stft = torch.nn.Conv1d(1, 258, 256, stride=128, bias=False)
        self.encoder = torch.nn.ModuleList([torch.nn.Conv1d(129, 128, 3, padding=1), torch.nn.Conv1d(128, 64, 3, stride=2, padding=1),
                                            torch.nn.Conv1d(64, 64, 3, stride=2, padding=1), torch.nn.Conv1d(64, 128, 3, padding=1)])
        self.lstm = torch.nn.LSTM(128, 128)
        self.head = torch.nn.Conv1d(128, 1, 1)

    def forward(self, x, state):
        spec = self.stft(torch.nn.functional.pad(x.unsqueeze(1), (0, 64), mode="reflect"))
        real, imag = spec[:, :129], spec[:, 129:]
        y = torch.sqrt(real * real + imag * imag)
        for conv in self.encoder:
            y = torch.relu(conv(y))
        features = y.mean(dim=2)  # one feature vector per call
        _, (h, c) = self.lstm(features.unsqueeze(0), (state[0:1], state[1:2]))
        prob = torch.sigmoid(self.head(torch.relu(h[0]).unsqueeze(2)))[:, 0, 0]
        return prob, torch.cat([h, c])


def main():
    out, seconds, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = Vad().eval()
    torch.onnx.export(model, (torch.zeros(1, CHUNK), torch.zeros(2, 1, 128)), os.path.join(out, "vad.onnx"),
                      input_names=["input", "state"], output_names=["output", "stateN"], opset_version=14)
    n = int(seconds * 16000)
    t = np.arange(n) / 16000
    pcm = (np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.5 * t) > 0) * 8000 +
           np.random.default_rng(1).normal(0, 800, n)).clip(-32768, 32767).astype("<i2")
    with wave.open(os.path.join(out, "speech.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(pcm.tobytes())
    audio = torch.from_numpy(np.concatenate([np.zeros(CHUNK - HOP), pcm / 32768.0]).astype(np.float32))
    calls = (n + HOP - 1) // HOP
    audio = torch.nn.functional.pad(audio, (0, calls * HOP + CHUNK - HOP - len(audio)))
    flop = 2 * (258 * 256 * 4 + 128 * 129 * 3 * 4 + 64 * 128 * 3 * 2 + 64 * 64 * 3 * 1 + 128 * 64 * 3 * 1 +
                4 * 128 * 256 + 128)
    times = []
    with torch.no_grad():
        for _ in range(2):
            state = torch.zeros(2, 1, 128)
            t0 = time.perf_counter()
            for k in range(calls):
                _, state = model(audio[k * HOP:k * HOP + CHUNK].unsqueeze(0), state)
            times.append(time.perf_counter() - t0)
    print("torch_ms_per_call %.5f" % (1e3 * min(times) / calls))
    print("flop_per_call %d" % flop)
    print("calls %d" % calls)


main()
