"""The Fashion-MNIST loader on the real shared copy, and its offline error."""
import pytest
import torch

import d2lcnn
from d2lcnn import data as data_mod


def test_shapes_dtype_range(data_root):
    train_iter, test_iter = d2lcnn.load_data_fashion_mnist(256, root=data_root, device="cpu", seed=0)
    assert train_iter.num_examples == 60000 and test_iter.num_examples == 10000
    assert len(train_iter) == 235 and len(test_iter) == 40
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (256,) and y.dtype == torch.int64
    assert 0.0 <= X.min() and X.max() <= 1.0
    sizes = [len(y) for _, y in test_iter]
    assert sum(sizes) == 10000 and sizes[-1] == 10000 % 256


def test_matches_torchvision_to_tensor(data_root):
    """Unshuffled test batches equal torchvision's ToTensor() images, pixel for pixel."""
    import torchvision
    ds = torchvision.datasets.FashionMNIST(str(data_root), train=False, transform=torchvision.transforms.ToTensor())
    _, test_iter = d2lcnn.load_data_fashion_mnist(16, root=data_root, device="cpu", seed=0)
    X, y = next(iter(test_iter))
    ref = torch.stack([ds[i][0] for i in range(16)])
    assert torch.equal(X, ref)
    assert y.tolist() == [ds[i][1] for i in range(16)]


def test_class_balance_and_statistics(data_root):
    images, labels = d2lcnn.data.load_fashion_mnist_tensors(data_root, train=True)
    assert torch.equal(torch.bincount(labels), torch.full((10,), 6000))
    assert abs(images.float().div(255).mean().item() - 0.28611) < 1e-4


def test_seeded_shuffle_is_deterministic(data_root):
    a, _ = d2lcnn.load_data_fashion_mnist(64, root=data_root, device="cpu", seed=3)
    b, _ = d2lcnn.load_data_fashion_mnist(64, root=data_root, device="cpu", seed=3)
    c, _ = d2lcnn.load_data_fashion_mnist(64, root=data_root, device="cpu", seed=4)
    ya, yb, yc = next(iter(a))[1], next(iter(b))[1], next(iter(c))[1]
    assert torch.equal(ya, yb) and not torch.equal(ya, yc)
    # a second pass is a new permutation, still repeatable
    assert not torch.equal(next(iter(a))[1], ya)
    d2lcnn.set_seed(7)
    d1, _ = d2lcnn.load_data_fashion_mnist(64, root=data_root, device="cpu")
    d2lcnn.set_seed(7)
    d2, _ = d2lcnn.load_data_fashion_mnist(64, root=data_root, device="cpu")
    assert torch.equal(next(iter(d1))[1], next(iter(d2))[1])


def test_shuffled_epoch_covers_every_example(data_root):
    train_iter, _ = d2lcnn.load_data_fashion_mnist(1000, root=data_root, device="cpu", seed=1)
    counts = torch.zeros(10, dtype=torch.int64)
    for _, y in train_iter:
        counts += torch.bincount(y, minlength=10)
    assert torch.equal(counts, torch.full((10,), 6000))


def test_resize(data_root):
    _, test_iter = d2lcnn.load_data_fashion_mnist(8, resize=224, root=data_root, device="cpu", seed=0)
    X, _ = next(iter(test_iter))
    assert X.shape == (8, 1, 224, 224) and 0.0 <= X.min() and X.max() <= 1.0 + 1e-6
    _, rect = d2lcnn.load_data_fashion_mnist(8, resize=(32, 48), root=data_root, device="cpu", seed=0)
    assert next(iter(rect))[0].shape == (8, 1, 32, 48)
    # downsampling averages, so the mean brightness survives
    _, small = d2lcnn.load_data_fashion_mnist(8, resize=14, root=data_root, device="cpu", seed=0)
    _, orig = d2lcnn.load_data_fashion_mnist(8, root=data_root, device="cpu", seed=0)
    assert abs(next(iter(small))[0].mean() - next(iter(orig))[0].mean()) < 0.01


def test_env_var_root(data_root, monkeypatch):
    monkeypatch.setenv("D2LCNN_DATA", str(data_root))
    assert d2lcnn.default_data_root() == data_root
    train_iter, _ = d2lcnn.load_data_fashion_mnist(32, device="cpu")
    assert train_iter.num_examples == 60000


def test_missing_data_offline_gives_one_clear_error(tmp_path, monkeypatch):
    def offline(root, timeout=60):
        raise OSError("<urlopen error [Errno -3] Temporary failure in name resolution>")
    monkeypatch.setattr(data_mod, "_download", offline)
    monkeypatch.setenv("D2LCNN_DATA", str(tmp_path))
    with pytest.raises(d2lcnn.DataNotFoundError) as info:
        d2lcnn.load_data_fashion_mnist(32, device="cpu")
    message = str(info.value)
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert "D2LCNN_DATA" in message and "train-images-idx3-ubyte" in message
    assert "downloading failed" in message
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_download_switched_off(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=False"):
        d2lcnn.data.load_fashion_mnist_tensors(tmp_path, download=False)


def test_bad_arguments(data_root):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        d2lcnn.load_data_fashion_mnist(0, root=data_root, device="cpu")
    with pytest.raises(ValueError, match="resize must be"):
        d2lcnn.load_data_fashion_mnist(8, resize=-3, root=data_root, device="cpu")
    with pytest.raises(ValueError, match="ints from 0 to 9"):
        d2lcnn.get_fashion_mnist_labels([3, 12])


def test_labels_and_show_images(data_root):
    import matplotlib
    matplotlib.use("Agg")
    assert d2lcnn.get_fashion_mnist_labels(torch.tensor([0, 9])) == ["t-shirt", "ankle boot"]
    assert d2lcnn.get_fashion_mnist_labels([0, 2, 9], lang="zh") == ["T恤", "套头衫", "踝靴"]
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        d2lcnn.get_fashion_mnist_labels([0], lang="fr")
    images, labels = d2lcnn.data.load_fashion_mnist_tensors(data_root, train=False)
    axes = d2lcnn.show_images(images[:6], 2, 3, titles=d2lcnn.get_fashion_mnist_labels(labels[:6]))
    assert len(axes) == 6 and axes[0].get_title() == d2lcnn.get_fashion_mnist_labels(labels[:1])[0]
    with pytest.raises(ValueError, match="do not fit"):
        d2lcnn.show_images(images[:7], 2, 3)


def test_upsampling_skips_antialias_but_not_its_result(data_root):
    """28 -> 224 uses plain bilinear (antialiasing never filters when enlarging); shrinking keeps it."""
    import torch.nn.functional as F
    images, labels = d2lcnn.data.load_fashion_mnist_tensors(data_root, train=False)
    up = d2lcnn.data.FashionMNISTBatches(images[:32], labels[:32], 32, resize=224)
    down = d2lcnn.data.FashionMNISTBatches(images[:32], labels[:32], 32, resize=14)
    mixed = d2lcnn.data.FashionMNISTBatches(images[:32], labels[:32], 32, resize=(56, 14))
    assert not up._antialias and down._antialias and mixed._antialias
    X = images[:32].unsqueeze(1).float() / 255
    for loader in (up, down, mixed):
        expected = F.interpolate(X, size=loader.resize, mode="bilinear", antialias=True, align_corners=False)
        assert torch.allclose(next(iter(loader))[0], expected, atol=1e-6, rtol=0)


def test_loader_memory_is_the_uint8_split(data_root):
    """The loader keeps the uint8 tensors it was given (no float copy of the split): memory <= 2x uint8 size."""
    train_iter, test_iter = d2lcnn.load_data_fashion_mnist(256, resize=224, root=data_root, device="cpu", seed=0)
    images, _ = d2lcnn.data.load_fashion_mnist_tensors(data_root, train=True)
    assert train_iter.images.dtype == torch.uint8
    assert train_iter.images.untyped_storage().data_ptr() == images.untyped_storage().data_ptr()
    held = sum(t.untyped_storage().nbytes() for it in (train_iter, test_iter) for t in (it.images, it.labels))
    uint8_size = 70000 * 28 * 28
    assert held <= 2 * uint8_size


def _raw(data_root):
    return data_root / "FashionMNIST" / "raw"


def test_official_gzip_files_load_without_unzipping(data_root, tmp_path):
    """The four *-ubyte.gz files as downloaded: same tensors, and nothing written into their folder."""
    import gzip
    import shutil
    folder = tmp_path / "FashionMNIST" / "raw"
    folder.mkdir(parents=True)
    for name in data_mod.RAW_FILES:
        with open(_raw(data_root) / name, "rb") as src, gzip.open(folder / f"{name}.gz", "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst)
    before = sorted(p.name for p in folder.iterdir())
    for train in (True, False):
        images, labels = d2lcnn.data.load_fashion_mnist_tensors(tmp_path, train=train, download=False)
        ref_images, ref_labels = d2lcnn.data.load_fashion_mnist_tensors(data_root, train=train, download=False)
        assert torch.equal(images, ref_images) and torch.equal(labels, ref_labels)
        assert labels.dtype == torch.int64 and images.dtype == torch.uint8
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing unzipped or cached there


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad_gzip"])
def test_damaged_file_names_the_file_sizes_and_fix(data_root, tmp_path, damage):
    folder = tmp_path / "FashionMNIST" / "raw"
    folder.mkdir(parents=True)
    for name in data_mod.RAW_FILES:
        (folder / name).symlink_to(_raw(data_root) / name)
    bad = folder / "t10k-images-idx3-ubyte"
    bad.unlink()
    if damage == "truncated":
        bad.write_bytes((_raw(data_root) / bad.name).read_bytes()[:5_000_000])
    elif damage == "garbage":
        bad.write_bytes(b"<html>404 Not Found</html>")
    else:
        bad = folder / "t10k-images-idx3-ubyte.gz"
        bad.write_bytes(b"\x1f\x8b\x08\x00 definitely not gzip")
    with pytest.raises(d2lcnn.CorruptDataError) as info:
        d2lcnn.data.load_fashion_mnist_tensors(tmp_path, train=False, download=False)
    message = str(info.value)
    assert str(bad) in message and "delete" in message and "copy a good copy" in message
    if damage == "truncated":
        assert "expected 7,840,016 bytes" in message and "5,000,000 bytes" in message
