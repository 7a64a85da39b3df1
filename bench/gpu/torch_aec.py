"""The paper autoencoder in PyTorch, the peer of bench/gpu.sh (runs on the GPU machine's own PyTorch).

--write-data FILE  writes SAMPLES x 240 float32 N(0, 1) spectra (seeded) that both sides train on.
Otherwise trains for EPOCHS on FILE (x -> x, MSE, Adam 1e-3, eps 1e-7, batch 512, shuffled; dropout 0.2 after
conv0..conv3) and prints `key: value` lines: train_seconds, loss_first_epoch, loss_last_epoch,
inference_device_spectra_per_second. The data live on the GPU (the strongest setting for the peer); the loss is
read back once per epoch.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def same_pad(length, out, k, s):
    total = max((out - 1) * s + k - length, 0)
    return total // 2, total - total // 2


class Conv(nn.Module):
    """Keras Conv1D 'same' (asymmetric padding, smaller half on the left)."""

    def __init__(self, cin, cout, k, s, length, relu=True):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, k, stride=s)
        self.out = -(-length // s)
        self.pad = same_pad(length, self.out, k, s)
        self.relu = relu

    def forward(self, x):
        y = self.conv(F.pad(x, self.pad))
        return F.relu(y) if self.relu else y


class Deconv(nn.Module):
    """Keras Conv1DTranspose 'same': the full transposed convolution cropped like TensorFlow."""

    def __init__(self, cin, cout, k, s, length, out, relu=True):
        super().__init__()
        self.deconv = nn.ConvTranspose1d(cin, cout, k, stride=s)
        self.left = same_pad(out, length, k, s)[0]
        self.out = out
        self.relu = relu

    def forward(self, x):
        y = self.deconv(x)[:, :, self.left:self.left + self.out]
        return F.relu(y) if self.relu else y


class Autoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.ModuleList([Conv(1, 8, 7, 2, 240), Conv(8, 16, 7, 2, 120), Conv(16, 16, 5, 2, 60),
                                      Conv(16, 32, 5, 2, 30), Conv(32, 64, 3, 2, 15)])
        self.latent = nn.Linear(512, 5)
        self.dense = nn.Linear(5, 512)
        self.decoder = nn.ModuleList([Deconv(64, 64, 3, 2, 8, 15), Deconv(64, 32, 5, 2, 15, 30),
                                      Deconv(32, 16, 5, 2, 30, 60), Deconv(16, 16, 7, 2, 60, 120),
                                      Deconv(16, 8, 7, 2, 120, 240), Deconv(8, 1, 7, 1, 240, 240, relu=False)])

    def forward(self, x):  # x [batch, 1, 240]
        for index, conv in enumerate(self.encoder):
            x = conv(x)
            if index < 4:
                x = F.dropout(x, 0.2, self.training)
        z = F.relu(self.latent(x.transpose(1, 2).reshape(x.shape[0], 512)))  # Keras flatten order
        x = self.dense(z).reshape(-1, 8, 64).transpose(1, 2)
        for deconv in self.decoder:
            x = deconv(x)
        return x


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--write-data")
    parser.add_argument("--data")
    parser.add_argument("--samples", type=int, default=127600)
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--inference", type=int, default=1 << 20)
    args = parser.parse_args()
    if args.write_data:
        generator = torch.Generator().manual_seed(1)
        x = torch.randn(args.samples, 240, generator=generator, dtype=torch.float32)
        with open(args.write_data, "wb") as file:
            file.write(x.numpy().astype("<f4").tobytes())
        return
    device = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    raw = open(args.data, "rb").read(args.samples * 240 * 4)
    x = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(args.samples, 1, 240).to(device)
    torch.manual_seed(1)
    model = Autoencoder().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    print(f"device: torch {torch.__version__} on {torch.cuda.get_device_name()}")

    def epoch():
        order = torch.randperm(args.samples, device=device)
        total = torch.zeros((), device=device)
        for start in range(0, args.samples, args.batch):
            batch = x[order[start:start + args.batch]]
            loss = F.mse_loss(model(batch), batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach() * batch.shape[0]
        return (total / args.samples).item()

    model.train()
    epoch()  # warm-up (cuDNN autotuning)
    torch.cuda.synchronize()
    started = time.perf_counter()
    losses = [epoch() for _ in range(args.epochs)]
    torch.cuda.synchronize()
    print(f"train_seconds: {time.perf_counter() - started}")
    print(f"loss_first_epoch: {losses[0]}")
    print(f"loss_last_epoch: {losses[-1]}")
    model.eval()
    big = x[torch.arange(args.inference, device=device) % args.samples]
    times = []
    with torch.no_grad():
        for chunk in (65536,):
            for _ in range(4):
                torch.cuda.synchronize()
                started = time.perf_counter()
                for start in range(0, args.inference, chunk):
                    model(big[start:start + chunk])
                torch.cuda.synchronize()
                times.append(time.perf_counter() - started)
    print(f"inference_device_spectra_per_second: {args.inference / sorted(times)[len(times) // 2]}")


if __name__ == "__main__":
    main()
