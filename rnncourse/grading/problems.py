"""Random problems, the same for the learner's function and the reference: one time step of a
cell, or a whole sequence run by a layer of the readable reference."""

import numpy as np

from .framework import reference

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def step_problem(kind, seed, B=3, D=4, H=5, scale=1.0, weight_scale=0.5):
    """Inputs of one step: x, h_prev (and c_prev for the LSTM) and the four parameters.
    Weights are random, so never symmetric: a transposed square weight gives other numbers.
    A scale above 1 multiplies half of the batch's inputs (saturating those rows); below 1,
    all of them."""
    rng = np.random.default_rng(seed)
    G = GATES[kind]
    x = rng.normal(size=(B, D))
    if scale > 1:
        x[:(B + 1) // 2] *= scale   # large inputs in half the batch; the rest still shows slips
    else:
        x *= scale
    problem = {"x": x, "h_prev": rng.normal(size=(B, H))}
    if kind == "lstm":
        problem["c_prev"] = rng.normal(size=(B, H))
    problem.update(weight_ih=rng.normal(0, weight_scale, (G * H, D)),
                   weight_hh=rng.normal(0, weight_scale, (G * H, H)),
                   bias_ih=rng.normal(0, weight_scale, G * H),
                   bias_hh=rng.normal(0, weight_scale, G * H))
    return problem


def gate_blocks(array, order, H):
    """The gate blocks of a parameter's rows, in another order (for likely causes)."""
    return np.concatenate([array[k * H:(k + 1) * H] for k in order])


def sequence_problem(kind, seed, T=6, B=3, D=4, H=5, layers=1, directions=1):
    rng = np.random.default_rng(seed)
    layer_cls = {"rnn": reference.RNN, "lstm": reference.LSTM, "gru": reference.GRU}[kind]
    # fast=False: the expected values come from the readable step functions, not the kernels
    layer = layer_cls(D, H, num_layers=layers, bidirectional=directions == 2, rng=rng,
                      fast=False)
    x = rng.normal(size=(T, B, D))
    return layer, x


def weights_of(layer, layer_index=0, reverse=False):
    suffix = f"_l{layer_index}" + ("_reverse" if reverse else "")
    return {name: layer.params[name + suffix].copy()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def expected_outputs(layer, x, hx=None):
    with reference.no_grad():
        return layer(x, hx)
