"""The training loop, the tasks and the experiments' command line."""

import json

import numpy as np
import pytest

import rnncore
from rnncore import data
from rnncourse.experiments import long_range, training


def test_language_task_sentences():
    tokens, labels = data.language_task(50, 4, seed=0)
    assert tokens.shape == (11, 50) and labels.shape == (50,)
    vocab = data.LANGUAGE_VOCABULARY
    for k in range(50):
        sentence = vocab.decode(tokens[:, k])
        country = list(data.COUNTRIES)[labels[k]]
        assert sentence.startswith(f"我是{country}人") and sentence.endswith("我会说")
    with pytest.raises(ValueError, match="distance: expected an int >= 0, got -1"):
        data.language_task(3, -1)


def test_sequence_model_gradients():
    model = training.SequenceModel("gru", 3, 5, 2, dtype=np.float64, seed=0)
    x = np.random.default_rng(0).normal(size=(4, 2, 3))
    dy = np.random.default_rng(1).normal(size=(2, 2))
    model(x)
    model.backward(dy)
    errors = rnncore.gradient_check(lambda: np.sum(model(x) * dy), model.params,
                                    {k: v.copy() for k, v in model.grads.items()})
    assert max(errors.values()) < 1e-6, rnncore.format_report(errors)


def test_lstm_forget_bias_is_applied():
    plain = training.SequenceModel("lstm", 2, 4, 1, forget_bias=0.0, seed=0)
    biased = training.SequenceModel("lstm", 2, 4, 1, forget_bias=3.0, seed=0)
    difference = biased.params["recurrent.bias_ih_l0"] - plain.params["recurrent.bias_ih_l0"]
    np.testing.assert_allclose(difference, np.r_[np.zeros(4), np.full(4, 3.0), np.zeros(8)])


def test_training_is_deterministic_and_learns():
    first = long_range.run("adding", "gru", 10, seed=0, steps=400)
    second = long_range.run("adding", "gru", 10, seed=0, steps=400)
    assert first["history"] == second["history"]
    assert first["history"][-1]["metric"] < 0.5 * first["baseline"]


def test_early_stopping_at_the_target():
    result = long_range.run("language", "gru", 0, seed=0, steps=2000)
    assert result["reached_target"] and result["steps"] < 2000
    assert result["final_metric"] >= 0.95


def test_progress_line_in_a_terminal(capsys):
    task = training.AddingTask(5)
    model = training.SequenceModel("rnn", 2, 4, 1, seed=0)
    training.train(model, task, steps=20, eval_every=10, progress=True)
    out = capsys.readouterr().out
    assert "\r[##########..........] step 10/20" in out and "step 20/20" in out


def test_command_line_json(capsys):
    assert long_range.main(["run", "--task", "order", "--cell", "lstm", "--length", "12",
                             "--steps", "50", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["task"] == "order" and result["steps"] == 50 and result["lr"] == 0.01
    assert (result["input_bias"], result["forget_bias"]) == (-5.0, 5.0)  # the papers' LSTM
    assert set(result) >= {"final_metric", "reached_target", "seconds", "steps_per_second"}


def test_sweep_writes_a_results_file(tmp_path):
    spec = {"tasks": {"adding": [5]}, "models": ["rnn", "lstm"], "learning_rates": [0.01],
            "tuning_seed": 3, "seeds": [0], "steps": 20,
            "ablation": {"task": "adding", "length": 5, "like": "lstm",
                         "models": ["lstm-input-only"]}}
    out = tmp_path / "results.json"
    results = long_range.sweep(str(out), spec, progress=False)
    written = json.loads(out.read_text())
    assert [(r["stage"], r["model"]) for r in written["results"]] == [
        ("tuning", "rnn"), ("tuning", "lstm"), ("main", "rnn"), ("main", "lstm"),
        ("ablation", "lstm-input-only")]
    assert written["results"] == json.loads(json.dumps(results)) and written["spec"] == spec
    ablated = results[-1]
    assert (ablated["input_bias"], ablated["forget_bias"]) == (-5.0, 0.0)


def test_one_point_of_the_books_sweep_reproduces():
    """The summary chapter's results file is what the command produces (one point rerun)."""
    results = long_range.load_results()["results"]
    (point,) = long_range.select(results, stage="main", model="gru", task="adding",
                                  length=20, seed=0)
    again = long_range.run("adding", "gru", 20, seed=0, lr=point["lr"])
    assert again["steps"] == point["steps"]
    assert again["final_metric"] == pytest.approx(point["final_metric"], rel=1e-4)


def test_the_command_lines_default_lstm_is_the_sweeps(capsys):
    """`run --task language --cell lstm --length 100` is the sweep's LSTM: same numbers."""
    (point,) = long_range.select(long_range.load_results()["results"], stage="main",
                                  model="lstm", task="language", length=100, seed=1)
    assert long_range.main(["run", "--task", "language", "--cell", "lstm", "--length", "100",
                             "--seed", "1", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["config"] == point["config"] and again["steps"] == point["steps"]
    assert again["final_metric"] == pytest.approx(point["final_metric"], rel=1e-4)


def test_the_shipped_sweep_is_complete_and_its_rates_are_the_defaults(tmp_path, monkeypatch):
    shipped = long_range.load_results()
    assert shipped["spec"] == json.loads(json.dumps(long_range.SWEEP))
    copy = tmp_path / "long_range.json"
    copy.write_text(json.dumps(shipped))

    def refuse(**config):
        raise AssertionError(f"the shipped file lacks a run: {config}")
    monkeypatch.setattr(long_range, "run", refuse)
    long_range.sweep(copy, progress=False)                     # nothing left to run
    best = long_range.best_learning_rates(shipped["results"])
    for (task, cell), lr in long_range.DEFAULT_LEARNING_RATES.items():
        assert best[task, cell] == lr, (task, cell)
    assert {(t, m) for t, m in best if m in long_range.CELLS} == \
        set(long_range.DEFAULT_LEARNING_RATES)


def test_progress_in_a_notebook_updates_one_display():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell(
        "from rnncourse.experiments import long_range\n"
        "result = long_range.run('adding', 'rnn', 5, steps=30, progress=True)")]
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    (output,) = notebook.cells[0].outputs          # one display, updated in place
    assert output["data"]["text/plain"].startswith("[####################] step 30/30")
