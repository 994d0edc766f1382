"""Recipe.build() makes its network from the constructors d2lcnn.models hands down to d2lcnn.recipes
(no upward import; tests/test_structure.py checks the direction), with clear errors."""
import dataclasses

import pytest
from torch import nn

import d2lcnn
from d2lcnn import recipes


def test_a_recipe_builds_a_fresh_network_of_its_constructor():
    r = d2lcnn.recipe("lenet_sigmoid")
    a, b = r.build(), r.build()
    assert isinstance(a, nn.Module) and a is not b
    assert [type(m) for m in a.modules()] == [type(m) for m in d2lcnn.lenet(activation="sigmoid").modules()]


def test_every_recipe_names_a_registered_constructor():
    for r in d2lcnn.RECIPES.values():
        assert recipes._CONSTRUCTORS.get(r.model) is getattr(d2lcnn, r.model), r.name


def test_an_unregistered_constructor_is_a_clear_error():
    r = dataclasses.replace(d2lcnn.recipe("nin"), model="no_such_net")
    with pytest.raises(LookupError, match="recipe 'nin' builds 'no_such_net', which no model module has registered"):
        r.build()


def test_only_callables_can_be_registered():
    with pytest.raises(TypeError, match=r"\['ARCH'\] are not callable"):
        recipes.register_constructors({"ARCH": ((1, 64),), "net": nn.Identity})
    assert "net" not in recipes._CONSTRUCTORS  # nothing registered from a bad call
