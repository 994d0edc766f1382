"""Which device to train on, seeding, and the speed settings that depend only on the device.

This module sits at the bottom of the package (it imports nothing from
``d2lcnn``), so the data loader and the trainer can both use it.

What ``fast=True`` turns on, per device (``speed_settings``):

* **CPU** - ``channels_last`` for convolutional networks (oneDNN runs NHWC
  convolutions without reordering: 1.2-1.6x per LeNet step on a 2-core AVX2
  CPU), and bf16 autocast *where the processor computes bf16 natively*
  (AVX-512 BF16 or AMX, see ``cpu_has_native_bf16``); fp32 everywhere else,
  where bf16 would be emulated and slower than fp32. On such a processor bf16
  trained the book's networks as well as fp32 (within run-to-run noise over
  5 seeds, ``tests/test_training.py``) and AlexNet much faster. The variable
  ``D2LCNN_CPU_BF16`` overrides the detection (``1`` forces bf16, ``0``
  fp32, ``auto`` the default); ``amp="fp32"`` pins fp32 for one run.
* **CUDA** - ``channels_last``, cuDNN autotuning and TF32 matrix products,
  in fp32 storage. Mixed precision is opt-in (``amp="bf16"`` or
  ``amp="fp16"``, the latter with a gradient scaler, the only choice on a T4):
  measured on an H200 with torch 2.11, bf16 autocast trained GoogLeNet at 5,420
  examples/s against 6,911 in fp32 and ResNet-18 at 22,147 against 23,946, so
  it is not a free win for the book's small networks.
* **MPS** - nothing extra.

``fast=False`` turns everything off (and ``amp`` with it): exact fp32 on
every device.
"""
import contextlib
import functools
import os
import random

import numpy as np
import torch
from torch import nn

__all__ = ["try_gpu", "set_seed", "check_device", "speed_settings", "cpu_has_native_bf16", "AMP_DTYPES"]

AMP_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
AMP_CHOICES = (None, "fp32", *AMP_DTYPES)
CPU_BF16_ENV = "D2LCNN_CPU_BF16"
_CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")  # /proc/cpuinfo names of native bf16 arithmetic


def try_gpu(i=0):
    """The ``i``-th CUDA GPU if there is one, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available() and torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def set_seed(seed=0):
    """Seed Python, NumPy and PyTorch (every device) so a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def check_device(device):
    """``device`` as a ``torch.device`` that exists on this machine, or a ValueError saying what to use."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"{device!r} is not a device name: use 'cpu', 'cuda', 'cuda:0', 'mps' "
                         f"or d2lcnn.try_gpu() ({err})") from None
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(f"device {str(device)!r} was asked for, but this machine has no CUDA GPU "
                             f"(or this PyTorch build has no CUDA support). Use d2lcnn.try_gpu(), which "
                             f"picks a GPU when there is one and the CPU otherwise.")
        if device.index is not None and device.index >= count:
            raise ValueError(f"device {str(device)!r} was asked for, but this machine has {count} CUDA "
                             f"GPU(s), numbered 0 to {count - 1}; use d2lcnn.try_gpu().")
    elif device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError("device 'mps' was asked for, but Apple's Metal GPU is not available here; "
                             "use d2lcnn.try_gpu(), which falls back to the CPU.")
    elif device.type != "cpu":
        raise ValueError(f"device type {device.type!r} is not supported by the book's code; "
                         f"use 'cpu', 'cuda' or 'mps' (d2lcnn.try_gpu() picks one)")
    return device


def _cpuinfo_flags(path="/proc/cpuinfo"):
    """The CPU feature flags Linux reports (an empty set where there is no /proc/cpuinfo)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


@functools.lru_cache(maxsize=None)
def _detect_native_bf16():
    probes = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    if any(p is not None and p() for p in probes):  # torch's own check (cpuinfo), on every OS
        return True
    return bool(_cpuinfo_flags() & set(_CPU_BF16_FLAGS))


def cpu_has_native_bf16():
    """Whether bf16 autocast is the CPU default: the processor has AVX-512 BF16 or AMX.

    ``D2LCNN_CPU_BF16`` overrides the detection: ``1``/``on`` (bf16), ``0``/``off``
    (fp32) or ``auto`` (detect; also when unset).
    """
    value = os.environ.get(CPU_BF16_ENV, "auto").strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    if value not in ("", "auto"):
        raise ValueError(f"{CPU_BF16_ENV}={os.environ[CPU_BF16_ENV]!r} is not understood: use 1 (bf16 "
                         f"autocast on the CPU), 0 (fp32) or auto (bf16 where the processor has AVX-512 BF16 or AMX)")
    return _detect_native_bf16()


def _cuda_has_bf16(device):
    return torch.cuda.is_bf16_supported() if device.type == "cuda" else True


def speed_settings(net, device, fast=True, amp=None):
    """Which speed-ups ``train_ch6`` uses: ``(autocast dtype or None, channels_last)``.

    ``amp`` is ``None`` (the device default, see the module docstring: bf16 on
    a CPU with native bf16, fp32 elsewhere), ``'fp32'`` (no autocast, on every
    device), ``'bf16'`` or ``'fp16'`` (mixed precision, asked for explicitly).
    An amp that the device cannot run is refused with the reason.
    """
    if amp not in AMP_CHOICES:
        raise ValueError(f"amp must be None (the device's default), 'fp32', 'bf16' or 'fp16', got {amp!r}")
    if not fast:
        return None, False
    device = torch.device(device)
    has_conv = any(isinstance(m, nn.Conv2d) for m in net.modules())
    if amp is None and device.type == "cpu" and cpu_has_native_bf16():
        amp = "bf16"
    dtype = AMP_DTYPES.get(amp)
    if dtype is torch.bfloat16 and device.type == "cuda" and not _cuda_has_bf16(device):
        raise ValueError("this GPU has no bf16 support (e.g. a T4); use amp='fp16' or amp=None")
    if device.type in ("cuda", "cpu"):
        return dtype, has_conv
    return dtype, False


@contextlib.contextmanager
def device_speedups(device, fast=True):
    """On CUDA: cuDNN autotuning (the batches repeat one shape) and TF32 matrix products, restored after."""
    device = torch.device(device)
    if not (fast and device.type == "cuda"):
        yield
        return
    old = (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    try:
        yield
    finally:
        (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32,
         torch.backends.cudnn.allow_tf32) = old
