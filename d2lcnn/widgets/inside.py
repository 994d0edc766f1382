"""Look inside a trained network: every layer's maps and the class probabilities, in the page.

``look_inside(net=None, images=None, labels=None, lang="auto")`` returns an object that
displays as self-contained HTML (like the steppers): a row of Fashion-MNIST test images and
a drawing pad to pick the input; every layer's output as heat-maps on one explained colour
scale; the class probabilities as bars; a click (or arrow keys) on a map cell shows its
window on the layer before, the kernel, the products, the sum, the bias and the activation;
the first-layer kernels as images with the sample that excites each most.

The forward pass runs in the browser, in the steppers' engine (``stepper.js``: convolution
and pooling through the same ``run``). Python only checks that it can draw the network,
packs its weights (float16, so a page stays small; the view computes with exactly those
rounded weights) and picks the images. Without ``net`` it shows the LeNet that
``tools/make_lenet_weights.py`` trained with chapter 6's recipe (package data).
"""
import base64
import functools
import json
from importlib import resources

import torch
from torch import nn

from ..data import TEXT_LABELS, TEXT_LABELS_ZH, load_fashion_mnist_tensors
from ..models.lenet import lenet
from .render import both_langs, stepper_root
from .strings import STRINGS, check_lang

__all__ = ["look_inside", "trained_lenet", "InsideView"]

_DRAWABLE = "Conv2d, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten and Linear layers"


def _half(tensor):
    return base64.b64encode(tensor.detach().cpu().to(torch.float16).contiguous().numpy().astype("<f2").tobytes()).decode()


def _pair(value):
    return list(value) if isinstance(value, (tuple, list)) else [value, value]


@functools.lru_cache(maxsize=1)
def _weights_doc():
    text = resources.files(__package__).joinpath("lenet_weights.json").read_text(encoding="utf-8")
    return json.loads(text)


def trained_lenet():
    """The sigmoid ``d2lcnn.lenet()`` trained with chapter 6's recipe (package data, float16 weights)."""
    net = lenet()
    state = {}
    for name, item in _weights_doc()["tensors"].items():
        raw = base64.b64decode(item["f16"])
        state[name] = torch.frombuffer(bytearray(raw), dtype=torch.float16).reshape(item["shape"]).float()
    net.load_state_dict(state)
    return net.eval()


def _layers(net):
    """The network as the page's engine reads it; a clear error for what it cannot draw."""
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"look_inside draws an nn.Sequential (like d2lcnn.lenet()), got {type(net).__name__}")
    layers = []
    for n, m in enumerate(net):
        where = f"layer {n} ({type(m).__name__})"
        if isinstance(m, nn.Conv2d):
            if m.groups != 1 or m.padding_mode != "zeros" or isinstance(m.padding, str):
                raise ValueError(f"{where}: look_inside draws plain convolutions (groups=1, zero padding given as "
                                 f"numbers), got groups={m.groups}, padding={m.padding!r}, "
                                 f"padding_mode={m.padding_mode!r}")
            bias = m.bias if m.bias is not None else torch.zeros(m.out_channels)
            layers.append({"type": "conv", "ci": m.in_channels, "k": list(m.kernel_size), "p": _pair(m.padding),
                           "s": _pair(m.stride), "d": _pair(m.dilation), "w16": _half(m.weight), "b16": _half(bias)})
        elif isinstance(m, (nn.AvgPool2d, nn.MaxPool2d)):
            avg = isinstance(m, nn.AvgPool2d)
            if m.ceil_mode or (avg and (not m.count_include_pad or m.divisor_override)) or \
                    (not avg and _pair(m.dilation) != [1, 1]):
                raise ValueError(f"{where}: look_inside draws pooling with the defaults of ceil_mode, "
                                 f"count_include_pad, divisor_override and dilation")
            layers.append({"type": "avgpool" if avg else "maxpool", "k": _pair(m.kernel_size),
                           "s": _pair(m.stride if m.stride is not None else m.kernel_size), "p": _pair(m.padding)})
        elif isinstance(m, (nn.Sigmoid, nn.ReLU, nn.Tanh)):
            layers.append({"type": type(m).__name__.lower()})
        elif isinstance(m, nn.Flatten):
            layers.append({"type": "flatten"})
        elif isinstance(m, nn.Linear):
            bias = m.bias if m.bias is not None else torch.zeros(m.out_features)
            layers.append({"type": "linear", "in": m.in_features, "out": m.out_features, "w16": _half(m.weight),
                           "b16": _half(bias)})
        else:
            raise ValueError(f"look_inside cannot draw {where}: it draws networks of {_DRAWABLE} only "
                             f"(e.g. d2lcnn.lenet() or d2lcnn.lenet(activation='relu'))")
    with torch.no_grad():
        try:
            out = net.cpu()(torch.zeros(1, 1, 28, 28))
        except RuntimeError as err:
            raise ValueError(f"look_inside needs a network for 1x28x28 images (Fashion-MNIST): {err}") from err
    if tuple(out.shape) != (1, 10):
        raise ValueError(f"look_inside needs a network with 10 outputs (the Fashion-MNIST classes), "
                         f"got output shape {tuple(out.shape)}")
    return layers


def half_rounded(net):
    """A copy of ``net`` whose weights are rounded to float16 as the page holds them (for comparisons)."""
    import copy
    twin = copy.deepcopy(net).cpu().float()
    with torch.no_grad():
        for p in twin.parameters():
            p.copy_(p.to(torch.float16).float())
    return twin


def sample_images(net, per_class=2, root=None):
    """Two Fashion-MNIST test images per class, chosen by code: for each class the first test image the
    network gets right and the first it gets wrong (a second right or wrong one where there is none),
    among the first 2,000 test images.
    Returns (uint8 images N x 28 x 28, labels, test-set indices)."""
    images, labels = load_fashion_mnist_tensors(root=root, train=False)
    images, labels = images[:2000], labels[:2000]  # plenty of every class, and quick
    with torch.no_grad():
        pred = net.cpu().eval()(images[:, None].float() / 255).argmax(1)
    chosen = []
    for c in range(10):
        right = ((labels == c) & (pred == c)).nonzero().flatten().tolist()
        wrong = ((labels == c) & (pred != c)).nonzero().flatten().tolist()
        picks = (right[:1] + wrong[:1] + right[1:] + wrong[1:])[:per_class]
        chosen += picks
    index = torch.tensor(chosen)
    return images[index], labels[index], chosen


class InsideView:
    """The self-contained view; see ``look_inside``."""

    def __init__(self, layers, images, labels, ids, lang):
        self.layers, self.images, self.labels, self.ids = layers, images, labels, ids
        self.lang = check_lang(lang)
        self._html = None

    def html(self):
        if self._html is None:
            keys = [k for k in STRINGS["en"] if k.startswith("li_")] + ["bias", "channel"]
            payload = {"t": "inside", "layers": self.layers,
                       "images": base64.b64encode(self.images.to(torch.uint8).contiguous().numpy().tobytes()).decode(),
                       "labels": [int(v) for v in self.labels], "ids": [int(v) for v in self.ids],
                       "names": {"en": list(TEXT_LABELS), "zh": list(TEXT_LABELS_ZH)},
                       "L": {lang: {k: STRINGS[lang][k] for k in keys} for lang in ("en", "zh")}}
            body = (f'<div class="d2s-head"><span class="d2s-title">{both_langs("li_title")}</span>'
                    f'<button type="button" data-a="lang">{both_langs("lang")}</button></div>'
                    f'<p class="d2s-sub">{both_langs("li_intro")}</p><div class="d2s-inside"></div>')
            self._html = stepper_root("inside", payload, self.lang, body, " d2s-inside-root")
        return self._html

    def _repr_html_(self):
        return self.html()

    def __repr__(self):
        return f"<InsideView: {len(self.layers)} layers, {len(self.ids)} images; display it in a notebook>"


def look_inside(net=None, images=None, labels=None, lang="auto", root=None):
    """Every layer's maps and the class probabilities of ``net`` for an image the reader picks or draws.

    net: an ``nn.Sequential`` of Conv2d, pooling, Sigmoid/ReLU/Tanh, Flatten and Linear layers for
    1x28x28 inputs and 10 classes (``d2lcnn.lenet()`` trained in chapter 6, or its ReLU variant);
    None shows the LeNet trained with chapter 6's recipe that the package carries. images: N x 28 x 28
    (or N x 1 x 28 x 28) values in [0, 1] or uint8, with ``labels``; None picks two Fashion-MNIST test
    images per class (``sample_images``; the data folder as ``load_data_fashion_mnist`` finds it, or
    ``root``). lang: 'en', 'zh' or 'auto'. The weights travel as float16.
    """
    net = trained_lenet() if net is None else net
    layers = _layers(net)
    if images is None:
        pixels, labels, ids = sample_images(half_rounded(net), root=root)
    else:
        x = torch.as_tensor(images)
        x = x[:, 0] if x.dim() == 4 else x
        if x.dim() != 3 or tuple(x.shape[1:]) != (28, 28):
            raise ValueError(f"images must be N x 28 x 28 (or N x 1 x 28 x 28), got shape {tuple(x.shape)}")
        if x.dtype != torch.uint8:
            if x.min() < 0 or x.max() > 1:
                raise ValueError("images must hold values in [0, 1] (as the loader gives them) or be uint8")
            x = (x.float() * 255).round().to(torch.uint8)
        if labels is None or len(labels) != len(x):
            raise ValueError(f"labels must give one class (0-9) per image: {len(x)} images")
        pixels, ids = x, list(range(len(x)))
        labels = torch.as_tensor(labels)
    return InsideView(layers, pixels, labels, ids, lang)
