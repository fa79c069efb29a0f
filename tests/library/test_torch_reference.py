"""The same weights give the same outputs and gradients as torch.nn, to 1e-8 in float64.

torch is not a dependency of the course: without it these tests are reported as skipped, and
tests/library/test_layers.py still pins the semantics against tests/library/reference.py.
"""

import itertools

import numpy as np
import pytest

import rnncore

from ..conftest import LAYERS

torch = pytest.importorskip("torch", reason="torch is not installed (an optional reference)")

T, B, D, H = 5, 3, 4, 6
TORCH_VARIANTS = [("rnn", {}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}), ("gru", {})]
GRID = list(itertools.product([1, 2], [False, True], [False, True], [True, False]))


def torch_twin(layer, kind, extra):
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    twin = cls(layer.input_size, layer.hidden_size, num_layers=layer.num_layers,
               bias=layer.bias, batch_first=layer.batch_first,
               bidirectional=layer.bidirectional, dtype=torch.float64, **extra)
    twin.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in layer.state_dict().items()})
    return twin


def as_list(state):
    return list(state) if isinstance(state, tuple) else [state]


@pytest.mark.parametrize("kind,extra", TORCH_VARIANTS, ids=["rnn-tanh", "rnn-relu", "lstm", "gru"])
@pytest.mark.parametrize("num_layers,bidirectional,batch_first,bias", GRID)
def test_matches_torch(kind, extra, num_layers, bidirectional, batch_first, bias):
    rng = np.random.default_rng(0)
    layer = LAYERS[kind](D, H, num_layers=num_layers, bidirectional=bidirectional,
                         batch_first=batch_first, bias=bias, seed=1, **extra)
    twin = torch_twin(layer, kind, extra)
    x = rng.normal(size=(B, T, D) if batch_first else (T, B, D))
    LD = num_layers * layer.num_directions
    hx = [rng.normal(size=(LD, B, H)) for _ in range(2 if kind == "lstm" else 1)]
    hx_arg = tuple(hx) if kind == "lstm" else hx[0]

    output, state = layer(x, hx_arg)
    x_t = torch.tensor(x, requires_grad=True)
    hx_t = [torch.tensor(h, requires_grad=True) for h in hx]
    out_t, state_t = twin(x_t, tuple(hx_t) if kind == "lstm" else hx_t[0])
    np.testing.assert_allclose(output, out_t.detach().numpy(), rtol=0, atol=1e-8)
    for ours, theirs in zip(as_list(state), as_list(state_t)):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=0, atol=1e-8)

    doutput = rng.normal(size=output.shape)
    dstate = [rng.normal(size=s.shape) for s in as_list(state)]
    dx, dhx = layer.backward(doutput, tuple(dstate) if kind == "lstm" else dstate[0])
    loss = (out_t * torch.from_numpy(doutput)).sum() + sum(
        (s * torch.from_numpy(d)).sum() for s, d in zip(as_list(state_t), dstate))
    loss.backward()
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-8)
    for ours, theirs in zip(as_list(dhx), hx_t):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=0, atol=1e-8)
    for name, param in twin.named_parameters():
        np.testing.assert_allclose(layer.grads[name], param.grad.numpy(), rtol=0, atol=1e-8,
                                   err_msg=name)


def test_float32_weights_exported_from_torch_load_unchanged():
    torch.manual_seed(0)
    twin = torch.nn.LSTM(D, H, num_layers=2)                     # float32, torch's own init
    layer = rnncore.LSTM(D, H, num_layers=2, dtype=np.float32)
    layer.load_state_dict({k: v.detach().numpy() for k, v in twin.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(T, B, D)).astype(np.float32)
    output, (h_n, c_n) = layer(x)
    out_t, (h_t, c_t) = twin(torch.from_numpy(x))
    np.testing.assert_allclose(output, out_t.detach().numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(c_n, c_t.detach().numpy(), rtol=0, atol=1e-6)


def test_default_init_has_torch_distribution():
    """Same law as torch's init (not the same numbers: the generators differ)."""
    ours = np.concatenate([p.ravel() for p in rnncore.GRU(D, 50, seed=0).params.values()])
    torch.manual_seed(0)
    theirs = np.concatenate([p.detach().numpy().ravel()
                             for p in torch.nn.GRU(D, 50, dtype=torch.float64).parameters()])
    assert abs(ours.std() - theirs.std()) < 0.05 * theirs.std()
    assert abs(np.abs(ours).max() - np.abs(theirs).max()) < 1e-3


def test_linear_matches_torch():
    layer = rnncore.Linear(D, 3, seed=0)
    twin = torch.nn.Linear(D, 3, dtype=torch.float64)
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in layer.state_dict().items()})
    x = np.random.default_rng(1).normal(size=(T, B, D))
    x_t = torch.tensor(x, requires_grad=True)
    y_t = twin(x_t)
    np.testing.assert_allclose(layer(x), y_t.detach().numpy(), rtol=0, atol=1e-12)
    dy = np.random.default_rng(2).normal(size=y_t.shape)
    y_t.backward(torch.from_numpy(dy))
    np.testing.assert_allclose(layer.backward(dy), x_t.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(layer.grads["weight"], twin.weight.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("use_mask", [False, True])
def test_cross_entropy_matches_torch(use_mask):
    rng = np.random.default_rng(0)
    logits, targets = rng.normal(size=(T, B, 7)), rng.integers(0, 7, (T, B))
    mask = rng.random((T, B)) > 0.3 if use_mask else None
    loss, dlogits = rnncore.softmax_cross_entropy(logits, targets, mask)
    logits_t = torch.tensor(logits, requires_grad=True)
    per = torch.nn.functional.cross_entropy(logits_t.reshape(-1, 7),
                                            torch.from_numpy(targets).reshape(-1),
                                            reduction="none")
    weights = torch.from_numpy(np.ones((T, B)) if mask is None else mask.astype(float))
    loss_t = (per * weights.reshape(-1)).sum() / weights.sum()
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), abs=1e-12)
    np.testing.assert_allclose(dlogits, logits_t.grad.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.1}),
                                         ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                         ("Adam", {"lr": 0.01})])
def test_optimizers_match_torch(name, kwargs):
    layer = rnncore.GRU(D, H, seed=0)
    twin = torch_twin(layer, "gru", {})
    ours = getattr(rnncore, name)(layer, **kwargs)
    theirs = getattr(torch.optim, name)(twin.parameters(), **kwargs)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.normal(size=(T, B, D))
        output, _ = layer(x)
        layer.backward(2 * output)                       # d/d(output) of sum(output^2)
        ours.step()
        theirs.zero_grad()
        (twin(torch.from_numpy(x))[0] ** 2).sum().backward()
        theirs.step()
    for key, param in twin.named_parameters():
        np.testing.assert_allclose(layer.params[key], param.detach().numpy(), rtol=0,
                                   atol=1e-10, err_msg=key)


def test_clip_grad_norm_matches_torch():
    layer = rnncore.LSTM(D, H, seed=0)
    twin = torch_twin(layer, "lstm", {})
    x = np.random.default_rng(0).normal(size=(T, B, D))
    output, _ = layer(x)
    layer.backward(10 * np.ones_like(output))
    (10 * twin(torch.from_numpy(x))[0].sum()).backward()
    norm = rnncore.clip_grad_norm(layer, 0.5)
    norm_t = torch.nn.utils.clip_grad_norm_(twin.parameters(), 0.5)
    assert norm == pytest.approx(norm_t.item(), rel=1e-12)
    for key, param in twin.named_parameters():
        np.testing.assert_allclose(layer.grads[key], param.grad.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_language_model_matches_torch(kind):
    """Embedding -> recurrent layer -> Linear, logits and every gradient, as torch.nn."""
    model = rnncore.LanguageModel(9, 4, 6, 2, kind, dtype=np.float64, seed=3)
    ids = np.random.default_rng(0).integers(0, 9, (7, 3))
    dlogits = np.random.default_rng(1).normal(size=(7, 3, 9))
    logits, _ = model(ids)
    model.backward(dlogits)
    twins = {"embedding": torch.nn.Embedding(9, 4, dtype=torch.float64),
             "recurrent": torch_twin(model.recurrent, kind, {}),
             "readout": torch.nn.Linear(6, 9, dtype=torch.float64)}
    for prefix, twin in twins.items():
        twin.load_state_dict({name.removeprefix(prefix + "."): torch.from_numpy(value)
                              for name, value in model.state_dict().items()
                              if name.startswith(prefix + ".")})
    output, _ = twins["recurrent"](twins["embedding"](torch.from_numpy(ids)))
    logits_t = twins["readout"](output)
    (logits_t * torch.from_numpy(dlogits)).sum().backward()
    np.testing.assert_allclose(logits, logits_t.detach().numpy(), rtol=1e-8, atol=1e-12)
    for prefix, twin in twins.items():
        for name, param in twin.named_parameters():
            np.testing.assert_allclose(model.grads[f"{prefix}.{name}"], param.grad.numpy(),
                                       rtol=1e-8, atol=1e-12, err_msg=f"{prefix}.{name}")
