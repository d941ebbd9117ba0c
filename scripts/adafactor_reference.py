#!/usr/bin/python3
"""Adafactor in plain torch (1.13 has none), the reference for src/optim/adafactor.ts.

Written from Shazeer & Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost" (ICML 2018),
Algorithm 4 (matrices: factored second moment) and Algorithm 5 (vectors), in the paper's notation (row
and column *sums* R, C; V̂ = R C / 1ᵀR), with the settings and conventions of Hugging Face transformers'
`Adafactor` as its documentation states them:

- β̂₂ₜ = 1 − t^c (decay_rate c, default −0.8); ε₁ is added to every squared gradient (G² + ε₁1ₙ1ₘᵀ);
- a parameter of d ≥ 2 dimensions is factored over its last two (the leading ones index independent
  matrices); 0- and 1-D parameters keep a full second moment;
- update clipping Û = U / max(1, RMS(U)/d) over the whole tensor (clip_threshold d);
- step size αₜ = ρₜ · max(ε₂, RMS(X_{t−1})) with scale_parameter, else ρₜ; ρₜ = min(1e-2, 1/√t) with
  relative_step (min(1e-6·t, 1/√t) with warmup_init), else the external learning rate;
- optional first moment: M ← β₁M + (1 − β₁)αₜÛ, the step is M (no bias correction);
- weight decay λ: X ← X − λαₜX, with the same αₜ; then X ← X − step.

The state is reported in Hugging Face's names and units (row / column *means*): exp_avg_sq_row = R/m,
exp_avg_sq_col = C/n, exp_avg_sq, exp_avg. Independent of the TypeScript code (which follows the means form).

Used by scripts/fixtures/adafactor.py; run alone it prints a hand-checkable first step (the 2×2 case of
tests/optim/adafactor.test.ts).
"""
import math

import torch


def relative_step_size(step, lr, relative_step, warmup_init):
    """ρₜ of the paper's §8 (Algorithm 6's 'relative step size'), or the external learning rate."""
    if not relative_step:
        return lr
    return min(1e-6 * step if warmup_init else 1e-2, 1.0 / math.sqrt(step))


def rms(x):
    """Root mean square over all elements (the paper's RMS(U) = √(mean U²))."""
    return torch.sqrt(torch.mean(x * x))


class ReferenceAdafactor:
    """One parameter group, settings as Hugging Face's keyword arguments (lr None means 0: relative_step)."""

    def __init__(self, params, lr=None, eps=(1e-30, 1e-3), clip_threshold=1.0, decay_rate=-0.8, beta1=None,
                 weight_decay=0.0, scale_parameter=True, relative_step=True, warmup_init=False):
        self.params = list(params)
        self.lr = 0.0 if lr is None else lr
        self.eps1, self.eps2 = eps
        self.d = clip_threshold
        self.c = decay_rate
        self.beta1 = beta1
        self.weight_decay = weight_decay
        self.scale_parameter = scale_parameter
        self.relative_step = relative_step
        self.warmup_init = warmup_init
        self.state = {}  # id(param) -> {"step", "R", "C"} or {"step", "V"}, plus "M"

    @torch.no_grad()
    def step(self):
        for x in self.params:
            if x.grad is None:
                continue
            self._step_one(x, x.grad)

    def _step_one(self, x, g):
        st = self.state.setdefault(id(x), {"step": 0})
        st["step"] += 1
        t = st["step"]
        beta2 = 1.0 - t ** self.c
        g2 = g * g + self.eps1
        if x.dim() >= 2:
            # Algorithm 4 on each matrix [n, m] of the last two dims: R ∈ ℝⁿ row sums, C ∈ ℝᵐ column sums.
            if "R" not in st:
                st["R"] = torch.zeros(x.shape[:-1], dtype=x.dtype)
                st["C"] = torch.zeros(x.shape[:-2] + x.shape[-1:], dtype=x.dtype)
            st["R"] = beta2 * st["R"] + (1 - beta2) * g2.sum(dim=-1)
            st["C"] = beta2 * st["C"] + (1 - beta2) * g2.sum(dim=-2)
            r, c = st["R"], st["C"]
            v = r.unsqueeze(-1) * c.unsqueeze(-2) / r.sum(dim=-1).unsqueeze(-1).unsqueeze(-1)  # V̂ = R Cᵀ / 1ᵀR
        else:
            # Algorithm 5.
            if "V" not in st:
                st["V"] = torch.zeros_like(x)
            st["V"] = beta2 * st["V"] + (1 - beta2) * g2
            v = st["V"]
        u = g / torch.sqrt(v)
        u_hat = u / torch.clamp(rms(u) / self.d, min=1.0)
        rho = relative_step_size(t, self.lr, self.relative_step, self.warmup_init)
        alpha = rho * torch.clamp(rms(x), min=self.eps2) if self.scale_parameter else torch.tensor(rho, dtype=x.dtype)
        step = alpha * u_hat
        if self.beta1 is not None:
            if "M" not in st:
                st["M"] = torch.zeros_like(x)
            st["M"] = self.beta1 * st["M"] + (1 - self.beta1) * step
            step = st["M"]
        new = x - self.weight_decay * alpha * x - step
        x.copy_(new)

    def hf_state(self, x):
        """The state of parameter x in Hugging Face's names (row/column means), or None before its first step."""
        st = self.state.get(id(x))
        if st is None:
            return None
        out = {"step": st["step"]}
        if "R" in st:
            out["exp_avg_sq_row"] = st["R"] / x.shape[-1]
            out["exp_avg_sq_col"] = st["C"] / x.shape[-2]
        else:
            out["exp_avg_sq"] = st["V"].clone()
        if "M" in st:
            out["exp_avg"] = st["M"].clone()
        return out


if __name__ == "__main__":
    # The hand-checked case: X = [[1, 2], [3, 4]], G = [[1, 2], [3, 4]], one step, lr 0.1, no scale.
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    x.grad = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    opt = ReferenceAdafactor([x], lr=0.1, relative_step=False, scale_parameter=False, eps=(0.0, 1e-3))
    opt.step()
    print("X after one step:", x.detach().tolist())
    print("state:", {k: (v.tolist() if torch.is_tensor(v) else v) for k, v in opt.hf_state(x).items()})
