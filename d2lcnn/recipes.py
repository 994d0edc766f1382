"""The notes' ten training recipes and the results the notes report, defined once.

The chapters, ``benchmarks/reproduce.py`` and ``benchmarks/train_speed.py`` all
read this table instead of restating learning rates and batch sizes. Each
recipe names its network by the ``d2lcnn`` constructor and arguments, so
``recipe.build()`` makes a fresh, untrained network.
"""
import dataclasses

__all__ = ["Recipe", "RECIPES", "recipe"]


@dataclasses.dataclass(frozen=True)
class Recipe:
    """One training run of the notes: network, hyper-parameters and what the notes report."""
    name: str
    title: str           # English name shown in tables
    title_zh: str        # Chinese name
    chapter: str         # notebook stem of the chapter that trains it
    model: str           # d2lcnn constructor name
    model_kwargs: tuple  # ((key, value), ...) - a tuple keeps the dataclass hashable
    lr: float
    batch_size: int
    num_epochs: int
    resize: int          # image side fed to the network (28 = no resize)
    init: str            # 'xavier' or 'kaiming' (train_ch6's init)
    notes_train_acc: float
    notes_test_acc: float
    notes_examples_per_sec: float = None  # None where the notes give no figure
    notes_device: str = None              # 'cpu' or 'gpu'

    def build(self):
        """A fresh network for this recipe."""
        import d2lcnn
        return getattr(d2lcnn, self.model)(**dict(self.model_kwargs))

    def loader_kwargs(self):
        """Keyword arguments of ``load_data_fashion_mnist`` for this recipe."""
        return {"batch_size": self.batch_size, "resize": None if self.resize == 28 else self.resize}

    def __str__(self):
        return (f"{self.title}: lr {self.lr}, batch {self.batch_size}, {self.num_epochs} epochs, "
                f"{self.resize}x{self.resize} px, {self.init} init")


def _r(name, title, title_zh, chapter, model, kwargs, lr, bs, resize, init, train, test, speed, dev):
    return Recipe(name, title, title_zh, chapter, model, tuple(kwargs.items()), lr, bs, 10, resize, init,
                  train, test, speed, dev)


# The table "Training results the notes report (10 epochs, Fashion-MNIST)" of the curriculum.
RECIPES = {r.name: r for r in (
    _r("lenet_sigmoid", "LeNet (sigmoid, avg pool)", "LeNet（sigmoid，平均汇聚）", "06_lenet", "lenet",
       {"activation": "sigmoid"}, 0.9, 256, 28, "xavier", 0.819, 0.821, 34924, "cpu"),
    _r("lenet_relu", "LeNet (ReLU, max pool)", "LeNet（ReLU，最大汇聚）", "06_lenet", "lenet",
       {"activation": "relu"}, 0.15, 256, 28, "kaiming", 0.906, 0.885, 33082, "cpu"),
    _r("alexnet", "AlexNet", "AlexNet", "07_alexnet", "alexnet", {}, 0.01, 128, 224, "xavier",
       0.900, 0.899, 1432, "gpu"),
    _r("vgg11_4", "VGG-11 (channels / 4)", "VGG-11（通道数除以 4）", "08_vgg", "vgg",
       {"conv_arch": ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))}, 0.05, 128, 224,
       "xavier", 0.940, 0.928, 1030, "gpu"),
    _r("nin", "NiN", "NiN", "09_nin", "nin", {}, 0.1, 128, 224, "xavier", 0.814, 0.787, 1251, "gpu"),
    _r("googlenet", "GoogLeNet", "GoogLeNet", "10_googlenet", "googlenet", {}, 0.01, 128, 96, "xavier",
       0.903, 0.878, 2037, "gpu"),
    _r("lenet_bn_scratch", "LeNet + BN (from scratch)", "LeNet + 批量规范化（从零实现）", "11_batch_norm",
       "lenet_bn", {"scratch": True}, 1.0, 256, 28, "xavier", 0.902, 0.871, 24791, "cpu"),
    _r("lenet_bn_builtin", "LeNet + BN (built-in layers)", "LeNet + 批量规范化（内置层）", "11_batch_norm",
       "lenet_bn", {"scratch": False}, 1.0, 256, 28, "xavier", 0.908, 0.885, 34264, "cpu"),
    _r("resnet18", "ResNet-18", "ResNet-18", "12_resnet", "resnet18", {}, 0.05, 256, 96, "xavier",
       0.996, 0.913, None, None),
    _r("densenet", "DenseNet", "DenseNet", "13_densenet", "densenet", {}, 0.1, 256, 96, "xavier",
       0.954, 0.882, 1916, "gpu"),
)}


def recipe(name):
    """The recipe called ``name`` (see ``RECIPES``), with a clear error for a wrong name."""
    try:
        return RECIPES[name]
    except KeyError:
        raise KeyError(f"no recipe {name!r}; the recipes are: {', '.join(RECIPES)}") from None
