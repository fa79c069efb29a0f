"""No silent wrong result from a module's state: every public attribute of every module type,
assigned in the middle of training, either takes effect everywhere or is refused; gradients
assigned the torch way reach the optimizer; models survive pickle and copy; a change that
fails leaves nothing half-written; a diverging run says so. The cases are generated from the
modules themselves, not listed."""

import copy
import json
import pickle
import warnings

import numpy as np
import pytest

import rnncore
from rnncourse.experiments import long_range, training
from rnncourse.experiments.training import SequenceModel

T, B = 4, 2


def build(kind):
    return {
        "RNN": lambda: rnncore.RNN(3, 4, seed=0),
        "LSTM": lambda: rnncore.LSTM(3, 4, num_layers=2, seed=0),
        "GRU": lambda: rnncore.GRU(3, 4, bidirectional=True, seed=0),
        "Linear": lambda: rnncore.Linear(3, 4, seed=0),
        "Embedding": lambda: rnncore.Embedding(5, 3, seed=0),
        "Seq2Seq": lambda: rnncore.Seq2Seq(5, 6, 3, 4, seed=0),
        "SequenceModel": lambda: SequenceModel("lstm", 3, 4, 2, dtype=np.float64, seed=0),
    }[kind]()


KINDS = ["RNN", "LSTM", "GRU", "Linear", "Embedding", "Seq2Seq", "SequenceModel"]


def batch(kind, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "Embedding":
        return (rng.integers(0, 5, size=(T, B)),)
    if kind == "Seq2Seq":
        return rng.integers(0, 5, size=(T, B)), rng.integers(0, 6, size=(T + 1, B))
    if kind == "Linear":
        return (rng.normal(size=(B, 3)),)
    return (rng.normal(size=(T, B, 3)),)


def output_of(result):
    return result[0] if isinstance(result, tuple) else result


def train_step(module, kind, optimizer, seed=0):
    """One forward, backward and optimizer step; returns the forward's output."""
    out = output_of(module(*batch(kind, seed)))
    module.backward(np.ones_like(out))
    optimizer.step()
    return out


def changed(value):
    """Another value of the same kind as ``value``."""
    if isinstance(value, rnncore.Module):
        return copy.deepcopy(value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return "gru" if value != "gru" else "rnn"
    if isinstance(value, np.dtype):
        return np.dtype(np.float32 if value == np.float64 else np.float64)
    return None


ATTRIBUTES = [(kind, name) for kind in KINDS for name, value in vars(build(kind)).items()
              if not name.startswith("_") and name not in ("params", "grads")]


@pytest.mark.parametrize("kind,name", ATTRIBUTES, ids=[f"{k}.{n}" for k, n in ATTRIBUTES])
def test_every_public_attribute_takes_effect_everywhere_or_is_refused(kind, name):
    module = build(kind)
    optimizer = rnncore.Adam(module, lr=0.01)
    train_step(module, kind, optimizer)                       # mid-training
    before = {k: v.copy() for k, v in module.params.items()}
    value = getattr(module, name)
    if name in module._settable:
        setattr(module, name, changed(value))
        assert getattr(module, name) == changed(value)
        reference = copy.deepcopy(module)
        setattr(reference, name, value)
        np.testing.assert_allclose(output_of(module(*batch(kind, 1))),
                                   output_of(reference(*batch(kind, 1))), rtol=1e-12)
        return
    with pytest.raises(AttributeError, match=f"{name}: fixed when the {type(module).__name__} "
                                             "is built"):
        setattr(module, name, changed(value))
    assert getattr(module, name) is value
    assert all(np.array_equal(module.params[k], before[k]) for k in before)
    train_step(module, kind, optimizer, seed=2)                # training goes on unharmed


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_assigned_the_torch_way_reach_the_optimizer(kind):
    module = build(kind)
    optimizer = rnncore.SGD(module, lr=0.1)
    out = output_of(module(*batch(kind)))
    module.backward(np.ones_like(out))
    arrays = dict(module.grads)
    before = {k: v.copy() for k, v in module.params.items()}
    for name in module.grads:
        module.grads[name] = np.zeros_like(module.grads[name])     # p.grad = torch.zeros_like
    assert all(module.grads[k] is arrays[k] for k in arrays)       # the optimizer's arrays
    optimizer.step()
    assert all(np.array_equal(module.params[k], before[k]) for k in before)
    for remove in (lambda g: g.clear(), lambda g: g.pop(next(iter(g))),
                   lambda g: g.__delitem__(next(iter(g))), lambda g: g.update(new=np.zeros(1))):
        with pytest.raises((TypeError, KeyError)):
            remove(module.grads)
    assert list(module.grads) == list(arrays)


def test_an_optimizer_built_after_the_gradients_were_assigned_still_trains():
    model = rnncore.Seq2Seq(5, 6, 3, 4, seed=0)
    for name in model.grads:
        model.grads[name] = np.zeros_like(model.grads[name])
    optimizer = rnncore.Adam(model, lr=0.01)
    before = {k: v.copy() for k, v in model.params.items()}
    for step in range(5):
        logits = model(*batch("Seq2Seq", step))
        model.backward(np.ones_like(logits))
        optimizer.step()
    assert all(not np.array_equal(model.params[k], before[k]) for k in before)


COPIES = {"pickle": lambda m: pickle.loads(pickle.dumps(m)), "deepcopy": copy.deepcopy,
          "copy": copy.copy}


@pytest.mark.parametrize("how", COPIES)
@pytest.mark.parametrize("kind", KINDS)
def test_models_survive_pickle_and_copy_with_the_same_numbers(kind, how):
    module = build(kind)
    optimizer = rnncore.SGD(module, lr=0.1)
    train_step(module, kind, optimizer)
    twin = COPIES[how](module)
    for name in module.params:
        np.testing.assert_array_equal(twin.params[name], module.params[name])
    outputs, grads = [], []
    for m in (module, twin):       # one after the other: copy.copy shares the parts
        outputs.append(output_of(m(*batch(kind, 3))))
        m.backward(np.ones_like(outputs[-1]))
        grads.append({name: grad.copy() for name, grad in m.grads.items()})
    np.testing.assert_array_equal(*outputs)
    for name in module.grads:
        np.testing.assert_array_equal(grads[1][name], grads[0][name])
    for child in getattr(twin, "_children", []):     # a part's arrays are still the whole's
        for name, array in child.params.items():
            assert any(array is value for value in twin.params.values()), name
    rnncore.SGD(twin, lr=0.1).step()                 # and a copy trains


def test_load_state_dict_writes_all_or_nothing():
    layer = rnncore.LSTM(3, 4, dtype=np.float32, seed=0)
    before = layer.state_dict()
    state = {k: v + 1 for k, v in before.items()}
    state["weight_hh_l0"] = np.full((16, 4), 1e39)          # overflows float32, the last key
    with pytest.raises(ValueError, match="weight_hh_l0"):
        layer.load_state_dict(state)
    assert all(np.array_equal(layer.params[k], before[k]) for k in before)
    with pytest.raises(ValueError, match="weight_hh_l0"):
        layer.params.update(state)
    assert all(np.array_equal(layer.params[k], before[k]) for k in before)


@pytest.mark.parametrize("kind", ["Seq2Seq", "SequenceModel"])
def test_a_backward_that_fails_leaves_every_gradient_as_it_was(kind, monkeypatch):
    module = build(kind)
    out = output_of(module(*batch(kind)))
    module.backward(np.ones_like(out))
    before = {k: v.copy() for k, v in module.grads.items()}
    out = output_of(module(*batch(kind, 1)))
    failing = rnncore.Embedding if kind == "Seq2Seq" else rnncore.LSTM   # the last part run

    def broken(self, *args, **kwargs):
        raise RuntimeError("a part fails")
    monkeypatch.setattr(failing, "backward", broken)
    with pytest.raises(RuntimeError, match="a part fails"):
        module.backward(np.ones_like(out))
    for name in before:
        np.testing.assert_array_equal(module.grads[name], before[name])


def test_a_float32_gradient_norm_past_float32s_range_still_clips():
    layer = rnncore.Linear(3, 4, dtype=np.float32, seed=0)
    layer.grads["weight"] = np.full((4, 3), 1e20)
    norm = rnncore.clip_grad_norm(layer, 1.0)
    assert norm == pytest.approx(np.sqrt(12) * 1e20, rel=1e-6)
    assert np.linalg.norm(layer.grads["weight"].astype(np.float64)) <= 1.0 + 1e-5


def test_a_diverging_run_says_so_and_a_sweep_goes_on(tmp_path, monkeypatch):
    loss = training.AddingTask.loss

    def blowing_up(self, prediction, y):
        value, dprediction = loss(self, prediction, y)
        return float("inf") if self.length == 3 else value, dprediction
    monkeypatch.setattr(training.AddingTask, "loss", blowing_up)
    result = long_range.run("adding", "gru", 3, steps=20)
    assert result["diverged"] == "step 1: the loss is inf" and not result["reached_target"]
    json.dumps(result, allow_nan=False)
    spec = {"tasks": {"adding": [3, 4]}, "models": ["gru"], "learning_rates": [0.01],
            "tuning_seed": 0, "seeds": [0], "steps": 20}
    results = long_range.sweep(tmp_path / "sweep.json", spec, progress=False)
    assert {(r["length"], "diverged" in r) for r in results} >= {(3, True), (4, False)}


def test_a_float32_gradient_check_warns_at_any_step():
    x = np.ones(3, dtype=np.float32)
    for h in (1e-2, 1e-3, 1e-6):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rnncore.numerical_gradient(lambda: float(np.sum(x ** 2)), x, h=h)
        assert any("check gradients in float64" in str(w.message) for w in caught), h


@pytest.mark.parametrize("call,error,says", [
    (lambda: rnncore.data.one_hot([1, 2], 3, dtype="foo"), TypeError, "dtype: expected"),
    (lambda: rnncore.data.Vocabulary("abc").encode([["a"]]), TypeError,
     "expected a flat sequence of tokens"),
    (lambda: rnncore.mse_loss(np.ones(2, np.float16), np.ones(2)), TypeError,
     "pred: expected float32 or float64, got float16"),
    (lambda: long_range.sweep("unused.json", jobs=0.5), ValueError, "got 0.5"),
    (lambda: long_range.sweep("unused.json", jobs=1.7), ValueError, "got 1.7"),
])
def test_small_misuses_get_messages_that_name_them(call, error, says):
    with pytest.raises(error, match=says.replace("(", r"\(")):
        call()


def test_an_output_inside_a_file_is_named(tmp_path):
    blocker = tmp_path / "hostname"
    blocker.write_text("a file")
    with pytest.raises(ValueError, match=f"out: {blocker} is a file"):
        long_range.sweep(blocker / "x.json", progress=False)
