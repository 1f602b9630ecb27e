"""The studio's classic VAE in PyTorch, as a reference to measure the engine against.

Reads a spec written by scripts/quality-reference.ts: the project's packed cache file (the same
bytes the studio trains on), each split's slots, the studio run's batch order, its model and
training settings. Trains for the same steps on the same batches, then evaluates the validation and
test splits as the studio does (moving batch-norm statistics, no dropout, z = mu, the first
`maxEvalImages` images of each split, in order) and prints one JSON object as its last line.

--conventions keras (the default) follows the seed's Keras model: glorot_uniform kernels with zero
biases, TensorFlow's "same" padding (stride-2 convolutions pad one row/column at the bottom/right;
stride-2 transposed convolutions give exactly input*2 by cropping the last row/column), batch norm
with momentum 0.99 and epsilon 1e-3 (PyTorch momentum 0.01) whose moving variance takes the
unbiased batch variance, dropout after each LeakyReLU, and Keras' Adam (epsilon 1e-7 added to
sqrt(v), bias correction folded into the step size). --conventions pytorch uses PyTorch's own
defaults instead (Kaiming-uniform init, symmetric padding 1 / output_padding 1, batch-norm
momentum 0.1 and epsilon 1e-5, torch.optim.Adam with epsilon 1e-8), to show what those change.

Only needs Debian's python3-torch and numpy (CPU).
"""

import argparse
import json
import math
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as error:  # pragma: no cover - reported to the caller
    print(
        json.dumps({"error": f"{error}; install PyTorch for this python: apt-get install python3-torch"}),
        flush=True,
    )
    sys.exit(3)


class KerasSameConv(nn.Module):
    """Conv2D(k=3, stride 2, padding='same') as TensorFlow pads it for an even input."""

    def __init__(self, in_c, out_c, keras):
        super().__init__()
        self.keras = keras
        self.conv = nn.Conv2d(in_c, out_c, 3, stride=2, padding=0 if keras else 1, bias=not keras)

    def forward(self, x):
        if self.keras:
            x = F.pad(x, (0, 1, 0, 1))
        return self.conv(x)


class KerasSameConvTranspose(nn.Module):
    """Conv2DTranspose(k=3, stride 2, padding='same'): output side = input side * 2."""

    def __init__(self, in_c, out_c, keras, bias):
        super().__init__()
        self.keras = keras
        if keras:
            self.conv = nn.ConvTranspose2d(in_c, out_c, 3, stride=2, padding=0, bias=bias)
        else:
            self.conv = nn.ConvTranspose2d(in_c, out_c, 3, stride=2, padding=1, output_padding=1)

    def forward(self, x):
        y = self.conv(x)
        if self.keras:
            side = x.shape[-1] * 2
            y = y[:, :, :side, :side]
        return y


class VAE(nn.Module):
    """Conv -> BN -> LeakyReLU -> Dropout blocks; dense mu / log var; the mirror decoder."""

    def __init__(self, model, keras):
        super().__init__()
        self.model = model
        alpha = model["leakyAlpha"]
        rate = model["dropout"]
        momentum, eps = (0.01, 1e-3) if keras else (0.1, 1e-5)

        def block(layer, channels):
            parts = [layer, nn.BatchNorm2d(channels, eps=eps, momentum=momentum), nn.LeakyReLU(alpha)]
            if rate > 0:
                parts.append(nn.Dropout(rate))
            return nn.Sequential(*parts)

        enc = []
        in_c = 3
        for out_c in model["encoderFilters"]:
            # Keras' conv before batch norm has a bias that batch norm cancels exactly; left out.
            enc.append(block(KerasSameConv(in_c, out_c, keras), out_c))
            in_c = out_c
        self.encoder = nn.Sequential(*enc)
        self.side = model["size"] // 2 ** len(model["encoderFilters"])
        self.channels = in_c
        flat = self.side * self.side * in_c
        self.mu = nn.Linear(flat, model["latentDim"])
        self.log_var = nn.Linear(flat, model["latentDim"])
        self.dense = nn.Linear(model["latentDim"], flat)
        dec = []
        outs = list(model["decoderFilters"]) + [3]
        for i, out_c in enumerate(outs):
            last = i == len(outs) - 1
            conv = KerasSameConvTranspose(in_c, out_c, keras, bias=last)
            dec.append(conv if last else block(conv, out_c))
            in_c = out_c
        self.decoder = nn.Sequential(*dec)
        if keras:
            for m in self.modules():
                if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                    # xavier_uniform_ takes the same fans as Keras (kh*kw*in + kh*kw*out).
                    nn.init.xavier_uniform_(m.weight)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)

    def encode(self, x):
        h = self.encoder(x)
        # Flatten in NHWC order, as Keras does.
        h = h.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        return self.mu(h), self.log_var(h)

    def decode(self, z):
        h = self.dense(z).reshape(z.shape[0], self.side, self.side, self.channels).permute(0, 3, 1, 2)
        return torch.sigmoid(self.decoder(h))


def vae_loss(x, out, mu, log_var, r_loss_factor, kl_weight):
    recon = r_loss_factor * ((x - out) ** 2).mean(dim=(1, 2, 3)).mean()
    kl = (-0.5 * (1 + log_var - mu**2 - log_var.exp()).sum(dim=1)).mean()
    return recon + kl_weight * kl, recon, kl


class KerasAdam:
    """Keras' Adam: lr_t = lr*sqrt(1-b2^t)/(1-b1^t); w -= lr_t*m/(sqrt(v)+eps)."""

    def __init__(self, params, lr, beta1=0.9, beta2=0.999, eps=1e-7):
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        lr_t = self.lr * math.sqrt(1 - self.b2**self.t) / (1 - self.b1**self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            g = p.grad
            m.mul_(self.b1).add_(g, alpha=1 - self.b1)
            v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
            p.addcdiv_(m, v.sqrt().add_(self.eps), value=-lr_t)


class Cache:
    """The packed cache: slot i is size*size*3 bytes (uint8 RGB, NHWC) at offset i*size*size*3."""

    def __init__(self, file, size, splits):
        raw = np.memmap(file, dtype=np.uint8, mode="r")
        self.images = raw[: raw.size // (size * size * 3) * size * size * 3].reshape(-1, size, size, 3)
        self.splits = {k: np.asarray(v, dtype=np.int64) for k, v in splits.items()}
        for name, slots in self.splits.items():
            if slots.size and (slots.min() < 0 or slots.max() >= self.images.shape[0]):
                raise SystemExit(f"{file}: a {name} slot is outside the cache ({self.images.shape[0]} slots)")

    def batch(self, split, indices):
        pixels = self.images[self.splits[split][np.asarray(indices, dtype=np.int64)]]
        # /255 as the engine's bytesToUnit; NHWC -> NCHW.
        return torch.from_numpy(pixels.astype(np.float32) * np.float32(1 / 255)).permute(0, 3, 1, 2).contiguous()


@torch.no_grad()
def evaluate(model, cache, split, max_images, r_loss_factor, beta):
    n = min(len(cache.splits[split]), max_images)
    if n == 0:
        return None
    model.eval()
    sums = {"total": 0.0, "recon": 0.0, "kl": 0.0, "sse": 0.0, "values": 0}
    for start in range(0, n, 64):
        idx = list(range(start, min(start + 64, n)))
        x = cache.batch(split, idx)
        mu, log_var = model.encode(x)
        out = model.decode(mu)
        total, recon, kl = vae_loss(x, out, mu, log_var, r_loss_factor, beta)
        k = len(idx)
        sums["total"] += total.item() * k
        sums["recon"] += recon.item() * k
        sums["kl"] += kl.item() * k
        sums["sse"] += ((x - out) ** 2).sum().item()
        sums["values"] += x.numel()
    model.train()
    mse = sums["sse"] / sums["values"]
    return {
        "images": n,
        "total": sums["total"] / n,
        "recon": sums["recon"] / n,
        "kl": sums["kl"] / n,
        "mse": mse,
        "psnr": 10 * math.log10(1 / mse) if mse > 0 else None,
    }


def check_conventions():
    """The Keras conventions of this reference, against direct computations; one JSON line."""
    torch.manual_seed(0)
    x = torch.rand(1, 2, 6, 6)
    conv = KerasSameConv(2, 3, keras=True)
    w = conv.conv.weight.detach()
    direct = torch.zeros(1, 3, 3, 3)
    for oy in range(3):
        for ox in range(3):
            for ky in range(3):
                for kx in range(3):
                    iy, ix = 2 * oy + ky, 2 * ox + kx  # pad_top = pad_left = 0
                    if iy < 6 and ix < 6:
                        direct[0, :, oy, ox] += w[:, :, ky, kx] @ x[0, :, iy, ix]
    up = KerasSameConvTranspose(2, 3, keras=True, bias=False)
    wt = up.conv.weight.detach()  # [in, out, kh, kw]
    direct_t = torch.zeros(1, 3, 12, 12)
    for iy in range(6):
        for ix in range(6):
            for ky in range(3):
                for kx in range(3):
                    oy, ox = 2 * iy + ky, 2 * ix + kx  # the scatter, cropped at the end
                    if oy < 12 and ox < 12:
                        direct_t[0, :, oy, ox] += wt[:, :, ky, kx].t() @ x[0, :, iy, ix]
    model = VAE(
        {"size": 16, "latentDim": 4, "encoderFilters": [4, 8], "decoderFilters": [4], "dropout": 0.25, "leakyAlpha": 0.3},
        keras=True,
    )
    bn = next(m for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    kernel = model.encoder[1][0].conv.weight
    limit = math.sqrt(6 / (4 * 9 + 8 * 9))
    with torch.no_grad():
        out_conv = conv(x)
        out_up = up(x)
    print(
        json.dumps(
            {
                "convMatches": bool(torch.allclose(out_conv, direct, atol=1e-5)),
                "convTransposeShape": list(out_up.shape),
                "convTransposeMatches": bool(torch.allclose(out_up, direct_t, atol=1e-5)),
                "bnMomentum": bn.momentum,
                "bnEpsilon": bn.eps,
                "glorotWithinLimit": bool(kernel.abs().max().item() <= limit),
                "glorotLimit": limit,
                "zeroBiases": all(
                    m.bias is None or bool((m.bias == 0).all())
                    for m in model.modules()
                    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))
                ),
                "adamEpsilon": KerasAdam(model.parameters(), 5e-4).eps,
            }
        ),
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", help="JSON written by scripts/quality-reference.ts")
    parser.add_argument("--check", action="store_true", help="check the Keras conventions and exit")
    parser.add_argument("--conventions", choices=["keras", "pytorch"], default="keras")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    args = parser.parse_args()
    if args.check:
        check_conventions()
        return
    if not args.spec:
        parser.error("--spec is required")
    with open(args.spec) as f:
        spec = json.load(f)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(spec["seed"])
    keras = args.conventions == "keras"
    cfg = spec["train"]
    model = VAE(cfg["model"], keras)
    if keras:
        opt = KerasAdam(model.parameters(), cfg["learningRate"])
    else:
        opt = torch.optim.Adam(model.parameters(), lr=cfg["learningRate"])
    cache = Cache(spec["cacheFile"], cfg["model"]["size"], spec["splits"])
    batches = spec["batches"]
    started = time.perf_counter()
    last = None
    for step, indices in enumerate(batches):
        x = cache.batch("train", indices)
        mu, log_var = model.encode(x)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        out = model.decode(z)
        kl_weight = cfg["beta"] if cfg["klWarmupSteps"] <= 0 else cfg["beta"] * min(1, (step + 1) / cfg["klWarmupSteps"])
        total, recon, kl = vae_loss(x, out, mu, log_var, cfg["rLossFactor"], kl_weight)
        opt.zero_grad()
        total.backward()
        opt.step()
        last = {"total": total.item(), "recon": recon.item(), "kl": kl.item()}
        if step % 25 == 0 or step == len(batches) - 1:
            print(f"step {step + 1}/{len(batches)} loss {last['total']:.1f}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    result = {
        "implementation": f"pytorch {torch.__version__} ({args.conventions} conventions)",
        "conventions": args.conventions,
        "steps": len(batches),
        "seed": spec["seed"],
        "lastStep": last,
        "validation": evaluate(model, cache, "validation", spec["maxEvalImages"], cfg["rLossFactor"], cfg["beta"]),
        "test": evaluate(model, cache, "test", spec["maxEvalImages"], cfg["rLossFactor"], cfg["beta"]),
        "seconds": seconds,
        "imagesPerSecond": len(batches) * cfg["batchSize"] / seconds if seconds > 0 else None,
        "threads": torch.get_num_threads(),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
