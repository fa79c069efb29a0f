"""Misuse between calls and odd arguments: each gives the right numbers or a clear error, never
a silent wrong result."""

import re
import warnings

import numpy as np
import pytest

import rnncore

from ..conftest import LAYERS, VARIANT_IDS, VARIANTS

T, B, D, H = 5, 2, 3, 4
SHAPES = [(1, False), (1, True), (2, False), (2, True)]       # (num_layers, bidirectional)
SHAPE_IDS = ["L1-uni", "L1-bi", "L2-uni", "L2-bi"]


def raises(exc, message):
    return pytest.raises(exc, match=re.escape(message))


def layer_and_input(kind, extra, num_layers=1, bidirectional=False, **kw):
    layer = LAYERS[kind](D, H, num_layers=num_layers, bidirectional=bidirectional, seed=0,
                         **extra, **kw)
    x = np.random.default_rng(1).normal(size=(T, B, D))
    return layer, x


def gradients(layer, x, doutput):
    """A clean forward and backward: the gradients every misuse below must reproduce."""
    layer(x)
    dx, _ = layer.backward(doutput)
    return dx, {name: grad.copy() for name, grad in layer.grads.items()}


def assert_same(got, want):
    dx, grads = got
    want_dx, want_grads = want
    np.testing.assert_array_equal(dx, want_dx)
    for name in want_grads:
        np.testing.assert_array_equal(grads[name], want_grads[name], err_msg=name)


def backward_of(layer, doutput):
    dx, _ = layer.backward(doutput)
    return dx, {name: grad.copy() for name, grad in layer.grads.items()}


# -- state between forward and backward --------------------------------------------------

@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("num_layers,bidirectional", SHAPES, ids=SHAPE_IDS)
def test_changing_the_output_in_place_leaves_the_gradients(kind, extra, num_layers,
                                                           bidirectional):
    layer, x = layer_and_input(kind, extra, num_layers, bidirectional)
    doutput = np.ones((T, B, layer.num_directions * H))
    want = gradients(layer, x, doutput)
    output, state = layer(x)
    output *= 2.0                                   # an in-place scale, ReLU or mask
    np.maximum(output, 0.0, out=output)
    for s in (state if isinstance(state, tuple) else (state,)):
        s[...] = 0.0
    assert_same(backward_of(layer, doutput), want)


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_changing_x_after_the_forward_leaves_the_gradients(kind, extra):
    layer, x = layer_and_input(kind, extra)
    doutput = np.ones((T, B, H))
    want = gradients(layer, x, doutput)
    layer(x)
    x += 1.0
    assert_same(backward_of(layer, doutput), want)


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_an_optimizer_step_before_the_backward_leaves_its_gradients(kind, extra):
    """The backward belongs to the forward: it uses the weights that forward used."""
    layer, x = layer_and_input(kind, extra)
    doutput = np.ones((T, B, H))
    want = gradients(layer, x, doutput)
    layer(x)
    for param in layer.params.values():
        param += 0.5
    assert_same(backward_of(layer, doutput), want)


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_two_forwards_then_one_backward_is_refused(kind, extra):
    layer, x = layer_and_input(kind, extra)
    layer(x)
    layer(x[:3])
    with raises(RuntimeError, "ran forward 2 times since its last backward"):
        layer.backward(np.ones((3, B, H)))
    # the ambiguous pass is dropped: a backward now asks for a forward
    with raises(RuntimeError, "call forward first"):
        layer.backward(np.ones((3, B, H)))
    layer(x)
    layer.backward(np.ones((T, B, H)))


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_forwards_under_no_grad_leave_the_training_pass(kind, extra):
    layer, x = layer_and_input(kind, extra)
    doutput = np.ones((T, B, H))
    want = gradients(layer, x, doutput)
    layer(x)
    with rnncore.no_grad():
        layer(np.zeros((7, 3, D)))                  # an evaluation in between
    assert_same(backward_of(layer, doutput), want)
    assert_same(backward_of(layer, doutput), want)  # a second backward: the same answer


def test_backward_after_a_no_grad_forward_says_why():
    layer, x = layer_and_input("lstm", {})
    with rnncore.no_grad():
        layer(x)
    with raises(RuntimeError, "the last forward ran inside rnncore.no_grad()"):
        layer.backward(np.ones((T, B, H)))


def test_no_grad_is_a_decorator_and_restores_the_mode():
    @rnncore.no_grad()
    def evaluate(layer, x):
        return layer(x)[0]

    layer, x = layer_and_input("gru", {})
    evaluate(layer, x)
    with pytest.raises(RuntimeError, match="call forward first"):
        layer.backward(np.ones((T, B, H)))
    with pytest.raises(KeyError), rnncore.no_grad():
        layer(x)
        raise KeyError("an error inside the block")
    layer(x)                                        # recording again after the exception
    layer.backward(np.ones((T, B, H)))


def test_linear_and_embedding_keep_their_own_copies():
    linear = rnncore.Linear(3, 2, seed=0)
    x = np.random.default_rng(0).normal(size=(4, 3))
    linear(x)
    dx = linear.backward(np.ones((4, 2)))
    grad = linear.grads["weight"].copy()
    linear(x)
    x[...] = 0.0
    linear.weight[...] = 9.0
    np.testing.assert_array_equal(linear.backward(np.ones((4, 2))), dx)
    np.testing.assert_array_equal(linear.grads["weight"], grad)
    linear(x)
    linear(x)
    with raises(RuntimeError, "Linear ran forward 2 times"):
        linear.backward(np.ones((4, 2)))
    embedding = rnncore.Embedding(5, 2, seed=0)
    ids = np.array([1, 1, 3])
    embedding(ids)
    ids[:] = 0
    embedding.backward(np.ones((3, 2)))
    np.testing.assert_array_equal(embedding.grads["weight"][:, 0], [0, 2, 0, 1, 0])


def test_the_training_model_keeps_its_pass_through_evaluation():
    model = rnncore.Seq2Seq(5, 6, 3, 4, seed=0)
    src, tgt = np.ones((4, 2), dtype=int), np.ones((3, 2), dtype=int)
    model(src, tgt)
    model(src, tgt)
    with raises(RuntimeError, "Seq2Seq ran forward 2 times"):
        model.backward(np.ones((3, 2, 6)))


# -- parameters and configuration ---------------------------------------------------------

def test_assigning_a_parameter_copies_into_it():
    layer = rnncore.LSTM(D, H, seed=0)
    optimizer = rnncore.SGD(layer, lr=0.1)
    array = layer.params["weight_hh_l0"]
    layer.weight_hh_l0 = np.zeros((4 * H, H))        # not a new attribute shadowing the parameter
    layer.params["bias_ih_l0"] = np.ones(4 * H)
    assert layer.params["weight_hh_l0"] is array and not array.any()
    assert layer.weight_hh_l0 is array and (layer.bias_ih_l0 == 1).all()
    assert optimizer.pairs[1][1] is array            # the optimizer still sees the same array
    with raises(ValueError, "params['weight_hh_l0']: expected shape (16, 4), got (4, 4)"):
        layer.weight_hh_l0 = np.zeros((H, H))
    with raises(KeyError, "'weight_xx_l0': no such parameter"):
        layer.params["weight_xx_l0"] = np.zeros(3)
    with raises(TypeError, "parameters cannot be removed"):
        del layer.params["bias_ih_l0"]


@pytest.mark.parametrize("name,value", [("batch_first", True), ("bidirectional", True),
                                        ("hidden_size", 8), ("num_layers", 2),
                                        ("dtype", np.float32)])
def test_configuration_is_fixed_after_construction(name, value):
    layer = rnncore.GRU(D, H, seed=0)
    with raises(AttributeError, f"{name}: fixed when the GRU is built"):
        setattr(layer, name, value)


def test_switching_fast_between_forward_and_backward_is_safe():
    layer, x = layer_and_input("lstm", {}, num_layers=2, bidirectional=True)
    doutput = np.ones((T, B, 2 * H))
    want = gradients(layer, x, doutput)
    layer(x)
    layer.fast = False
    got = backward_of(layer, doutput)
    np.testing.assert_allclose(got[0], want[0], rtol=0, atol=1e-14)


# -- constructor arguments ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["foo", object(), None, np.int32, "float16", 32])
def test_unknown_dtypes_are_refused(dtype):
    with raises(TypeError, "dtype: expected np.float32 or np.float64, got"):
        rnncore.LSTM(D, H, dtype=dtype)


def test_a_torch_dtype_is_refused():
    torch = pytest.importorskip("torch")
    with raises(TypeError, "dtype: expected np.float32 or np.float64, got torch.float32"):
        rnncore.GRU(D, H, dtype=torch.float32)


@pytest.mark.parametrize("name", ["bias", "batch_first", "bidirectional", "fast"])
@pytest.mark.parametrize("value", ["False", "True", 1, None])
def test_boolean_options_take_booleans_only(name, value):
    with raises(TypeError, f"{name}: expected True or False, got {value!r}"):
        rnncore.LSTM(D, H, **{name: value})


def test_gru_reset_after_and_linear_bias_take_booleans_only():
    with raises(TypeError, "reset_after: expected True or False, got 'False'"):
        rnncore.GRU(D, H, reset_after="False")
    with raises(TypeError, "bias: expected True or False, got 'no'"):
        rnncore.Linear(D, H, bias="no")
    with raises(ValueError, "reset_after: expected one of True, False, got 'False'"):
        rnncore.gru_step_forward(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((3, 1)),
                                 np.zeros((3, 1)), np.zeros(3), np.zeros(3), reset_after="False")
    assert repr(rnncore.GRU(D, H, bias=np.False_)) .startswith("GRU(3, 4, num_layers=1, bias=False")


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_bad_seeds_are_named(seed):
    with raises(ValueError, f"seed: expected None or an int >= 0, got {seed!r}"):
        rnncore.RNN(D, H, seed=seed)


# -- empty and odd inputs -----------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
def test_zero_steps_is_a_clear_error(batch_first):
    layer = rnncore.LSTM(D, H, batch_first=batch_first)
    shape = (B, 0, D) if batch_first else (0, B, D)
    with raises(ValueError, f"x: expected at least one time step (T >= 1), got shape {shape}"):
        layer(np.zeros(shape))


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_an_empty_batch_gives_empty_results(kind, extra):
    layer, _ = layer_and_input(kind, extra, num_layers=2, bidirectional=True)
    output, state = layer(np.zeros((T, 0, D)))
    assert output.shape == (T, 0, 2 * H)
    for s in (state if isinstance(state, tuple) else (state,)):
        assert s.shape == (4, 0, H)
    dx, _ = layer.backward(np.zeros((T, 0, 2 * H)))
    assert dx.shape == (T, 0, D)
    assert all(not g.any() for g in layer.grads.values())


def test_masked_arrays_are_refused():
    x = np.ma.masked_array(np.ones((T, B, D)), mask=np.zeros((T, B, D), dtype=bool))
    with raises(TypeError, "x: expected a plain NumPy array, got a masked array"):
        rnncore.RNN(D, H)(x)


X = np.random.default_rng(0).normal(size=(T, B, D))
ODD_KINDS = {"fortran": np.asfortranarray(X), "negative-strides": X[::-1][::-1],
             "reversed-view": X[::-1].copy()[::-1], "broadcast": np.broadcast_to(X[:1], X.shape),
             "read-only": np.frombuffer(X.tobytes()).reshape(X.shape), "nested-list": X.tolist()}


@pytest.mark.parametrize("name", ODD_KINDS)
def test_odd_array_kinds_give_the_same_numbers(name):
    odd = ODD_KINDS[name]
    layer = rnncore.GRU(D, H, seed=0)
    with rnncore.no_grad():
        want, _ = layer(np.array(odd))
    got, _ = layer(odd)
    np.testing.assert_array_equal(got, want)
    layer.backward(np.ones_like(got))


def test_the_dtype_hint_is_valid_code():
    layer = rnncore.LSTM(D, H)
    x = np.zeros((T, B, D))
    state = (np.zeros((1, B, H), dtype=np.float32), np.zeros((1, B, H)))
    with pytest.raises(TypeError) as error:
        layer(x, state)
    hint = re.search(r"convert with (.*)\)$", str(error.value)).group(1)
    assert hint == "hx[0].astype(np.float64)"
    compile(hint, "<hint>", "eval")


def test_step_function_arguments():
    x, h = np.zeros((B, D)), np.zeros((B, H))
    w_ih, w_hh, b = np.zeros((H, D)), np.zeros((H, H)), np.zeros(H)
    with raises(TypeError, "bias_ih: expected a NumPy array, got NoneType"):
        rnncore.rnn_step_forward(x, h, w_ih, w_hh, None, b)
    with raises(TypeError, "rnn_step_forward: missing a required argument: 'bias_hh'"):
        rnncore.rnn_step_forward(x, h, w_ih, w_hh, b)


def test_step_function_outputs_are_the_callers_own():
    rng = np.random.default_rng(0)
    x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    p = [rng.normal(size=(4 * H, D)), rng.normal(size=(4 * H, H)), np.zeros(4 * H),
         np.zeros(4 * H)]
    (h1, c1), cache = rnncore.lstm_step_forward(x, h, c, *p)
    want = rnncore.lstm_step_backward(np.ones((B, H)), np.ones((B, H)), cache)
    for array in (h1, c1, x, h, c, *p):
        array[...] = 7.0
    got = rnncore.lstm_step_backward(np.ones((B, H)), np.ones((B, H)), cache)
    for name in want:
        np.testing.assert_array_equal(got[name], want[name])


# -- the rest of the public interface -----------------------------------------------------

def test_gradient_check_arguments():
    x = np.ones(3)
    with raises(ValueError, "errors: expected at least one relative error to report"):
        rnncore.format_report({})
    with raises(ValueError, "inputs: expected at least one array to check"):
        rnncore.gradient_check(lambda: x.sum(), {}, {})
    with raises(ValueError, "analytic['x']: expected the shape of inputs['x'] (3,), got (1, 3)"):
        rnncore.gradient_check(lambda: x.sum(), {"x": x}, {"x": np.ones((1, 3))})
    with raises(ValueError, "f: returned an array of shape (3,); return a scalar, or pass df"):
        rnncore.numerical_gradient(lambda: x * 2, x)
    with raises(ValueError, "df: expected the shape of f's output (3,), got (3, 1)"):
        rnncore.numerical_gradient(lambda: x * 2, x, df=np.ones((3, 1)))
    with raises(ValueError, "h: expected a step between 0 and 1, got -1e-06"):
        rnncore.numerical_gradient(lambda: x.sum(), x, h=-1e-6)
    with pytest.warns(UserWarning, match="check gradients in float64"):
        rnncore.numerical_gradient(lambda: x.sum(), np.ones(3, dtype=np.float32))
    np.testing.assert_array_equal(x, np.ones(3))     # restored after each error, too


def test_optimizers_refuse_what_would_ruin_the_parameters():
    layer = rnncore.RNN(D, H, seed=0)
    before = layer.state_dict()
    layer.grads["weight_hh_l0"][0, 0] = np.nan
    for optimizer in (rnncore.SGD(layer, lr=0.1), rnncore.Adam(layer)):
        with raises(FloatingPointError, "grads['weight_hh_l0']: contains NaN or inf; the "
                                        "parameters were not changed"):
            optimizer.step()
    with raises(FloatingPointError, "grads['weight_hh_l0']: contains NaN or inf"):
        rnncore.clip_grad_norm(layer, 1.0)
    for name, value in before.items():
        np.testing.assert_array_equal(layer.params[name], value)
    with raises(ValueError, "modules: expected at least one parameter to optimise"):
        rnncore.Adam([])
    with raises(TypeError, "betas: expected a pair (beta1, beta2), got 0.9"):
        rnncore.Adam(layer, betas=0.9)


def test_losses_and_data_arguments():
    logits = np.zeros((2, 3))
    with raises(ValueError, "mask: expected booleans, or 0 and 1 only"):
        rnncore.softmax_cross_entropy(logits, np.array([0, 1]), mask=np.array([0.5, 1.0]))
    with raises(ValueError, "mask: expected shape (N0,), N0=2, got (3,)"):
        rnncore.softmax_cross_entropy(logits, np.array([0, 1]), mask=np.ones(3))
    vocabulary = rnncore.Vocabulary("abc")
    with raises(ValueError, "ids: expected values >= 0, got -1"):
        vocabulary.decode([0, -1])
    assert vocabulary.decode([]) == ""
    with raises(TypeError, "size: expected a positive int, got float"):
        rnncore.one_hot([0, 1], 3.0)
    with raises(ValueError, "bos_id: expected an int in [0, 6), got array([0])"):
        rnncore.Seq2Seq(5, 6, 3, 4, seed=0).greedy_decode(np.ones((2, 1), dtype=int),
                                                          np.array([0]), 3)
    with raises(ValueError, "src: expected at least one step, got shape (0, 2)"):
        rnncore.Seq2Seq(5, 6, 3, 4, seed=0)(np.ones((0, 2), dtype=int), np.ones((1, 2), int))


def test_no_warning_escapes_a_saturated_forward():
    layer = rnncore.GRU(D, H, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        output, _ = layer(np.full((T, B, D), 1e4))
        layer.backward(np.ones_like(output))
