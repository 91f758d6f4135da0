"""The PyTorch models the foreign-format fixtures are made of, written the way users write them."""
import torch
import torch.nn as nn


class CharLM(nn.Module):  # embedding -> 2-layer LSTM -> linear at every step
    def __init__(self, vocab, emb, hidden):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=2, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, ids):
        out, _ = self.lstm(self.embedding(ids))
        return self.decoder(out)


class CellLM(nn.Module):  # embedding -> an nn.LSTMCell called once per step -> linear at every step
    def __init__(self, vocab, emb, hidden):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.cell = nn.LSTMCell(emb, hidden)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids):
        x = self.embedding(ids)
        h = x.new_zeros(x.shape[0], self.cell.hidden_size)
        c = x.new_zeros(x.shape[0], self.cell.hidden_size)
        outputs = []
        for t in range(x.shape[1]):
            h, c = self.cell(x[:, t], (h, c))
            outputs.append(h)
        return self.head(torch.stack(outputs, 1))


class BiClassifier(nn.Module):  # h_n of both directions -> dense ReLU -> classes
    def __init__(self, vocab, emb, hidden, classes):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hidden, num_layers=2, bidirectional=True, batch_first=True)
        self.fc1 = nn.Linear(2 * hidden, 8)
        self.fc2 = nn.Linear(8, classes)

    def forward(self, ids):
        _, (h, _) = self.rnn(self.emb(ids))
        return self.fc2(torch.relu(self.fc1(torch.cat([h[-2], h[-1]], dim=1))))


class OneHotLM(nn.Module):  # char-rnn style: one-hot input, no embedding
    def __init__(self, vocab, hidden):
        super().__init__()
        self.vocab = vocab
        self.lstm = nn.LSTM(vocab, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, ids):
        out, _ = self.lstm(nn.functional.one_hot(ids, self.vocab).to(self.out.weight.dtype))
        return self.out(out)


class Forecaster(nn.Module):  # numeric features -> last step -> one value
    def __init__(self, features, hidden):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])
