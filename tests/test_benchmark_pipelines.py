"""The benchmark's reference pipeline (d2l's DataLoader) and d2lcnn's loader feed the same images."""

import pytest
import torch

import d2lcnn

from _scripts import load_script


@pytest.fixture(scope="module")
def bench():
    return load_script("benchmarks/train_speed.py")


@pytest.mark.slow
@pytest.mark.parametrize("resize", [28, 224])
def test_same_seed_same_images(bench, data_root, resize):
    """Same seed: same examples in the same order, two epochs running; pixels equal at 28 px, within 1/255 at 224."""
    ref_train, ref_test = bench.reference_loaders(64, resize, data_root, seed=11, num_workers=0)
    ours_train, ours_test = d2lcnn.load_data_fashion_mnist(64, resize=resize, root=data_root, device="cpu", seed=11)
    for _ in range(2):  # each epoch draws a new permutation from the same generator in both
        for (Xr, yr), (Xo, yo) in zip(ref_train, ours_train):
            assert torch.equal(yr, yo)
            if resize == 28:
                assert torch.equal(Xr, Xo)
            else:  # PIL resizes each uint8 image and rounds; d2lcnn resizes the float batch
                assert Xr.shape == Xo.shape and (Xr - Xo).abs().max() <= 1 / 255 + 1e-6
            break
    (Xr, yr), (Xo, yo) = next(iter(ref_test)), next(iter(ours_test))
    assert torch.equal(yr, yo) and (Xr - Xo).abs().max() <= (0 if resize == 28 else 1 / 255 + 1e-6)


def test_fixed_permutation_identical_28px(bench, data_root):
    """For one fixed permutation the reference DataLoader and FashionMNISTBatches.batch give identical tensors."""
    from torch.utils.data import DataLoader
    ref_train, _ = bench.reference_loaders(128, 28, data_root, seed=0, num_workers=0)
    perm = torch.randperm(60000, generator=torch.Generator().manual_seed(123))
    loader = DataLoader(ref_train.dataset, 128, sampler=perm.tolist())
    ours, _ = d2lcnn.load_data_fashion_mnist(128, root=data_root, device="cpu", seed=0)
    for k, (Xr, yr) in zip(range(3), loader):
        Xo, yo = ours.batch(perm[k * 128:(k + 1) * 128])
        assert torch.equal(Xr, Xo) and torch.equal(yr, yo)


def test_gpu_memory_calls_initialise_cuda_first(bench):
    """On CUDA the peak-memory counter is reset only after CUDA is initialised (a fresh process
    otherwise fails with 'Invalid device argument'); on other devices nothing is called."""
    calls = []

    class FakeCuda:
        def init(self):
            calls.append("init")

        def set_device(self, device):
            calls.append(("set_device", str(device)))

        def reset_peak_memory_stats(self, device):
            assert "init" in calls, "reset before CUDA was initialised"
            calls.append("reset")

        def max_memory_allocated(self, device):
            return 3 * 2**20

    fake = FakeCuda()
    bench.gpu_memory_reset("cpu", cuda=fake)
    assert calls == [] and bench.gpu_memory_peak_mb("cpu", cuda=fake) is None
    bench.gpu_memory_reset("cuda:0", cuda=fake)
    assert calls == ["init", ("set_device", "cuda:0"), "reset"]
    assert bench.gpu_memory_peak_mb("cuda:0", cuda=fake) == 3.0
