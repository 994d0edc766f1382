"""The notes' ten training recipes and the results the notes report, defined once.

The chapters, ``benchmarks/reproduce.py`` and ``benchmarks/train_speed.py`` all
read this table instead of restating learning rates and batch sizes. Each
recipe names its network by the ``d2lcnn`` constructor and arguments, so
``recipe.build()`` makes a fresh, untrained network.

This module sits at the bottom of the package and imports nothing from it: the
constructors live above it, in ``d2lcnn.models``, which hands them down when it loads
(``register_constructors``), as importing ``d2lcnn`` always does.
"""
import dataclasses

__all__ = ["Recipe", "RECIPES", "recipe", "register_constructors"]

_CONSTRUCTORS = {}  # constructor name -> callable, from d2lcnn.models


def register_constructors(constructors):
    """Make ``constructors`` (``{name: callable}``) the networks recipes can build by name
    (``d2lcnn.models`` registers every architecture's public names)."""
    bad = sorted(name for name, make in constructors.items() if not callable(make))
    if bad:
        raise TypeError(f"register_constructors: {bad} are not callable; pass {{name: constructor}}")
    _CONSTRUCTORS.update(constructors)


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
        try:
            make = _CONSTRUCTORS[self.model]
        except KeyError:
            raise LookupError(f"recipe {self.name!r} builds {self.model!r}, which no model module has registered; "
                              f"import d2lcnn (its models register their constructors) or list {self.model!r} in "
                              f"its model module's __all__") from None
        return make(**dict(self.model_kwargs))

    def loader_kwargs(self):
        """Keyword arguments of ``load_data_fashion_mnist`` for this recipe."""
        return {"batch_size": self.batch_size, "resize": None if self.resize == 28 else self.resize}

    def __str__(self):
        return (f"{self.title}: lr {self.lr}, batch {self.batch_size}, {self.num_epochs} epochs, "
                f"{self.resize}x{self.resize} px, {self.init} init")


def _r(name, *, model_kwargs=(), num_epochs=10, **fields):
    """One ``Recipe`` from keyword arguments named like its fields: ``model_kwargs`` may be a dict,
    and ``num_epochs`` is the notes' 10 unless given."""
    return Recipe(name=name, model_kwargs=tuple(dict(model_kwargs).items()), num_epochs=num_epochs, **fields)


# The table "Training results the notes report (10 epochs, Fashion-MNIST)" of the curriculum.
RECIPES = {r.name: r for r in (
    _r("lenet_sigmoid", title="LeNet (sigmoid, avg pool)", title_zh="LeNet（sigmoid，平均汇聚）",
       chapter="06_lenet", model="lenet", model_kwargs={"activation": "sigmoid"},
       lr=0.9, batch_size=256, resize=28, init="xavier",
       notes_train_acc=0.819, notes_test_acc=0.821, notes_examples_per_sec=34924, notes_device="cpu"),
    _r("lenet_relu", title="LeNet (ReLU, max pool)", title_zh="LeNet（ReLU，最大汇聚）",
       chapter="06_lenet", model="lenet", model_kwargs={"activation": "relu"},
       lr=0.15, batch_size=256, resize=28, init="kaiming",
       notes_train_acc=0.906, notes_test_acc=0.885, notes_examples_per_sec=33082, notes_device="cpu"),
    _r("alexnet", title="AlexNet", title_zh="AlexNet", chapter="07_alexnet", model="alexnet",
       lr=0.01, batch_size=128, resize=224, init="xavier",
       notes_train_acc=0.900, notes_test_acc=0.899, notes_examples_per_sec=1432, notes_device="gpu"),
    _r("vgg11_4", title="VGG-11 (channels / 4)", title_zh="VGG-11（通道数除以 4）", chapter="08_vgg", model="vgg",
       model_kwargs={"conv_arch": ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))},
       lr=0.05, batch_size=128, resize=224, init="xavier",
       notes_train_acc=0.940, notes_test_acc=0.928, notes_examples_per_sec=1030, notes_device="gpu"),
    _r("nin", title="NiN", title_zh="NiN", chapter="09_nin", model="nin",
       lr=0.1, batch_size=128, resize=224, init="xavier",
       notes_train_acc=0.814, notes_test_acc=0.787, notes_examples_per_sec=1251, notes_device="gpu"),
    _r("googlenet", title="GoogLeNet", title_zh="GoogLeNet", chapter="10_googlenet", model="googlenet",
       lr=0.01, batch_size=128, resize=96, init="xavier",
       notes_train_acc=0.903, notes_test_acc=0.878, notes_examples_per_sec=2037, notes_device="gpu"),
    _r("lenet_bn_scratch", title="LeNet + BN (from scratch)", title_zh="LeNet + 批量规范化（从零实现）",
       chapter="11_batch_norm", model="lenet_bn", model_kwargs={"scratch": True},
       lr=1.0, batch_size=256, resize=28, init="xavier",
       notes_train_acc=0.902, notes_test_acc=0.871, notes_examples_per_sec=24791, notes_device="cpu"),
    _r("lenet_bn_builtin", title="LeNet + BN (built-in layers)", title_zh="LeNet + 批量规范化（内置层）",
       chapter="11_batch_norm", model="lenet_bn", model_kwargs={"scratch": False},
       lr=1.0, batch_size=256, resize=28, init="xavier",
       notes_train_acc=0.908, notes_test_acc=0.885, notes_examples_per_sec=34264, notes_device="cpu"),
    # The notes give no examples/sec for ResNet-18.
    _r("resnet18", title="ResNet-18", title_zh="ResNet-18", chapter="12_resnet", model="resnet18",
       lr=0.05, batch_size=256, resize=96, init="xavier", notes_train_acc=0.996, notes_test_acc=0.913),
    _r("densenet", title="DenseNet", title_zh="DenseNet", chapter="13_densenet", model="densenet",
       lr=0.1, batch_size=256, resize=96, init="xavier",
       notes_train_acc=0.954, notes_test_acc=0.882, notes_examples_per_sec=1916, notes_device="gpu"),
)}


def recipe(name):
    """The recipe called ``name`` (see ``RECIPES``), with a clear error for a wrong name."""
    try:
        return RECIPES[name]
    except KeyError:
        raise KeyError(f"no recipe {name!r}; the recipes are: {', '.join(RECIPES)}") from None
