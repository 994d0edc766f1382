"""Run profiles: how much of a chapter's training recipe actually runs.

The chapters always show the notes' own recipe (``lr, num_epochs, batch_size``);
``train_ch6`` asks this module how much of it to run, so the same notebook
serves a reader with a GPU, a reader on a laptop and the test suite:

* ``full``  - exactly the recipe.
* ``quick`` - one epoch on a small subset, so a training cell takes seconds
  (continuous integration sets this).
* ``auto``  - the default: the full recipe on a GPU; on a CPU the full recipe
  when it is cheap (LeNet), otherwise as many examples as fit a budget of a
  few minutes.

Budgets are counted in multiply-accumulates (MACs per example, from
``d2lcnn.inspect.macs_per_example``, which agrees with
``torch.utils.flop_counter``), not seconds, so a reduced run is the same on
every machine and its printed description never changes between runs. This
module is pure policy: it imports nothing from ``d2lcnn`` and never touches a
network or a device.
"""
import dataclasses
import os

__all__ = ["PROFILES", "current_profile", "RunPlan", "plan_run"]

PROFILES = ("full", "quick", "auto")
ENV_VAR = "D2LCNN_PROFILE"
# A backward pass costs about twice the forward pass.
TRAIN_COST = 3
# auto on a CPU: ~1.2e13 MACs is about 4 minutes at the 50 GMAC/s that a
# 2-core AVX2 laptop CPU sustains on convolutions in fp32.
AUTO_CPU_MACS = 1.2e13
# quick: a few seconds on the same CPU.
QUICK_MACS = 2e11
QUICK_MAX_TRAIN, QUICK_MAX_TEST = 2048, 1024


def current_profile(profile=None):
    """The profile to use: the argument, else $D2LCNN_PROFILE, else ``auto``."""
    value = profile if profile is not None else os.environ.get(ENV_VAR, "auto")
    value = str(value).strip().lower()
    if value not in PROFILES:
        raise ValueError(f"unknown run profile {value!r} (from {'the argument' if profile else ENV_VAR}); "
                         f"use one of {', '.join(PROFILES)}")
    return value


@dataclasses.dataclass(frozen=True)
class RunPlan:
    """How much of a recipe to run. ``train_examples``/``test_examples`` are per epoch."""
    profile: str
    device_type: str
    num_epochs: int
    train_examples: int
    test_examples: int
    recipe_epochs: int
    recipe_train: int
    recipe_test: int

    @property
    def reduced(self):
        return (self.num_epochs, self.train_examples, self.test_examples) != (
            self.recipe_epochs, self.recipe_train, self.recipe_test)

    def describe(self):
        """One line that says exactly what runs, and what was cut from the recipe."""
        if not self.reduced:
            return (f"profile {self.profile}: the full recipe, {self.recipe_epochs} epochs of "
                    f"{self.recipe_train:,} training examples, tested on {self.recipe_test:,}")
        why = ("quick profile for tests" if self.profile == "quick"
               else f"auto profile on a {self.device_type.upper()}, to finish in minutes")
        return (f"SHORTENED RUN ({why}): {self.num_epochs} of {self.recipe_epochs} epochs, "
                f"{self.train_examples:,} of {self.recipe_train:,} training examples per epoch, "
                f"tested on {self.test_examples:,} of {self.recipe_test:,}; "
                f"set {ENV_VAR}=full for the whole recipe")


def _round_to_batches(n, batch_size, limit):
    return max(batch_size, min(limit, (n // batch_size) * batch_size))


def plan_run(num_epochs, batch_size, n_train, n_test, macs_per_example, device_type, profile=None):
    """Decide epochs and examples per epoch for a recipe under a profile."""
    profile = current_profile(profile)
    macs = max(float(macs_per_example), 1.0)
    full = RunPlan(profile, device_type, num_epochs, n_train, n_test, num_epochs, n_train, n_test)
    if profile == "full" or (profile == "auto" and device_type != "cpu"):
        return full
    if profile == "quick":
        train = _round_to_batches(int(QUICK_MACS / (TRAIN_COST * macs)), batch_size, min(n_train, QUICK_MAX_TRAIN))
        test = _round_to_batches(int(QUICK_MACS / macs), batch_size, min(n_test, QUICK_MAX_TEST))
        return RunPlan(profile, device_type, 1, min(train, n_train), min(test, n_test), num_epochs, n_train, n_test)
    # auto on a CPU: a fifth of the budget is kept for evaluating the test set.
    budget = 0.8 * AUTO_CPU_MACS / (TRAIN_COST * macs)
    if budget >= num_epochs * n_train:
        return full
    if budget >= n_train:
        epochs, train = int(budget // n_train), n_train
    else:
        epochs, train = 1, _round_to_batches(int(budget), batch_size, n_train)
    test = _round_to_batches(int(0.2 * AUTO_CPU_MACS / (epochs * macs)), batch_size, n_test)
    return RunPlan(profile, device_type, epochs, train, min(test, n_test), num_epochs, n_train, n_test)
