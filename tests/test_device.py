"""d2lcnn.device: the CPU default precision (bf16 autocast only where the processor has native bf16)."""
import pytest
import torch
from torch import nn

from d2lcnn import device


def conv_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))


@pytest.fixture
def native(monkeypatch):
    """Pretend the processor has (True) or lacks (False) native bf16; returns a setter."""
    monkeypatch.delenv(device.CPU_BF16_ENV, raising=False)

    def set_native(value):
        monkeypatch.setattr(device, "_detect_native_bf16", lambda: value)
    return set_native


def test_cpu_default_is_bf16_only_with_native_bf16(native):
    cpu = torch.device("cpu")
    native(True)
    assert device.speed_settings(conv_net(), cpu) == (torch.bfloat16, True)
    assert device.speed_settings(conv_net(), cpu, amp="fp32") == (None, True)  # pinned
    assert device.speed_settings(conv_net(), cpu, fast=False) == (None, False)  # exact fp32
    native(False)
    assert device.speed_settings(conv_net(), cpu) == (None, True)
    assert device.speed_settings(conv_net(), cpu, amp="bf16") == (torch.bfloat16, True)  # asked for


def test_env_overrides_detection(native, monkeypatch):
    native(False)
    monkeypatch.setenv(device.CPU_BF16_ENV, "1")
    assert device.cpu_has_native_bf16() is True
    assert device.speed_settings(conv_net(), "cpu")[0] is torch.bfloat16
    native(True)
    monkeypatch.setenv(device.CPU_BF16_ENV, "0")
    assert device.speed_settings(conv_net(), "cpu")[0] is None
    monkeypatch.setenv(device.CPU_BF16_ENV, "auto")
    assert device.cpu_has_native_bf16() is True
    monkeypatch.setenv(device.CPU_BF16_ENV, "maybe")
    with pytest.raises(ValueError, match="D2LCNN_CPU_BF16='maybe' is not understood: use 1"):
        device.cpu_has_native_bf16()


def test_default_on_other_devices_is_unchanged(native):
    native(True)  # the CPU's bf16 never leaks into another device's default
    assert device.speed_settings(conv_net(), "mps") == (None, False)
    assert device.speed_settings(conv_net(), torch.device("cuda")) == (None, True)


def test_detection_reads_cpuinfo_flags(tmp_path, monkeypatch):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512_bf16 amx_tile\n")
    assert {"avx512_bf16", "avx2"} <= device._cpuinfo_flags(info)
    assert device._cpuinfo_flags(tmp_path / "missing") == set()
    # the real detection falls back to the flags when torch's probes say no
    device._detect_native_bf16.cache_clear()
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    monkeypatch.setattr(device, "_cpuinfo_flags", lambda: {"fpu", "amx_bf16"})
    try:
        assert device._detect_native_bf16() is True
        device._detect_native_bf16.cache_clear()
        monkeypatch.setattr(device, "_cpuinfo_flags", lambda: {"fpu", "avx2"})
        assert device._detect_native_bf16() is False
    finally:
        device._detect_native_bf16.cache_clear()


def test_this_machine_reports_its_flags():
    """The detection agrees with /proc/cpuinfo where Linux provides it (no override set)."""
    flags = device._cpuinfo_flags()
    if not flags:
        pytest.skip("no /proc/cpuinfo flags here")
    if ({"avx512_bf16", "amx_bf16"} & flags):
        assert device._detect_native_bf16() is True
    elif not (torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()):
        assert device._detect_native_bf16() is False
