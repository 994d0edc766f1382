"""Argument checks shared by the model constructors."""

__all__ = []


def check_channels_classes(in_channels, num_classes):
    """Fail early, with the reason, instead of building a network that cannot work."""
    for name, value in (("in_channels", in_channels), ("num_classes", num_classes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int (e.g. in_channels=1 for Fashion-MNIST, "
                             f"3 for RGB images; num_classes=10), got {value!r}")


def check_positive_int(name, value, example):
    """``value`` must be an int >= 1; ``example`` says what a sensible value is (e.g. 'DenseNet uses 32')."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int ({example}), got {value!r}")
