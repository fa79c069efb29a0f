"""The language-model chapter's experiments: the shipped results reproduce, the corpora are
split as stated, and the form check and the equal parameter counts hold."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from rnncore.text import LanguageModel, generate
from rnncourse.experiments import language_models as lm


def test_the_first_shakespeare_steps_reproduce_the_shipped_losses():
    shipped = lm.load_results("shakespeare")
    _, _, log = lm.train_stream(shipped["spec"], stop_after=lm.LOGGED_STEPS)
    assert log.first_losses == shipped["first_losses"]


def test_the_first_steps_of_a_quatrain_run_reproduce_the_shipped_losses():
    """The sweep trains each run in a process of its own with one BLAS thread, whose float32
    sums may round differently from two threads': so does the rerun."""
    shipped = lm.load_results("quatrains")
    run = next(r for r in shipped["runs"] if r["cell"] == "gru")
    spec = {**shipped["spec"], "cell": "gru", "lr": run["lr"], "seed": run["seed"],
            "hidden": run["hidden"]}
    code = ("import json, sys\n"
            "from rnncourse.experiments import language_models as lm\n"
            "spec = json.loads(sys.argv[1])\n"
            "print(json.dumps(lm.train_poems(spec, stop_after=lm.LOGGED_STEPS)[2].first_losses))")
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(spec)], env=environment,
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == run["first_losses"]


def test_the_first_steps_of_the_forms_model_reproduce_the_shipped_losses():
    shipped = lm.load_results("forms")
    _, _, log = lm.train_poems(shipped["spec"], stop_after=lm.LOGGED_STEPS)
    assert log.first_losses == shipped["first_losses"]


def test_the_shipped_weights_are_the_trained_models_and_write_the_shipped_samples():
    shipped = lm.load_results("shakespeare")
    model, vocabulary = lm.load_model("shakespeare")
    spec = shipped["spec"]
    prompt = [vocabulary.index(c) for c in spec["prompt"]]
    written = generate(model, prompt, spec["sample_length"], 0.8, seed=1)
    assert spec["prompt"] + "".join(vocabulary[k] for k in written) == shipped["samples"]["0.8"]
    _, validation = lm.shakespeare_text()
    ids = np.array([vocabulary.index(c) for c in validation])
    assert lm.stream_loss(model, ids) == pytest.approx(shipped["validation_loss"], rel=1e-6)


def test_shakespeare_is_split_as_nanogpt_splits_it():
    train, validation = lm.shakespeare_text()
    assert len(train) == int(1_115_394 * 0.9) and len(train) + len(validation) == 1_115_394
    assert train.startswith("First Citizen:")


def test_the_quatrains_hold_out_every_tenth_poem():
    train, validation = lm.quatrains()
    assert (len(train), len(validation)) == (12_967, 1_440)
    assert {form for form, _ in train} == {5, 7}
    every = lm.quatrains()
    assert sorted(train + validation) == sorted(every[0] + every[1])


@pytest.mark.parametrize("text,form,expected", [
    ("四時運灰琯，一夕變冬春。送寒餘雪盡，迎歲早梅新。", 5, True),
    ("四時運灰琯，一夕變冬春。送寒餘雪盡，迎歲早梅新。", 7, False),
    ("四時運灰琯，一夕變冬春。送寒餘雪盡，迎歲早梅。", 5, False),     # a line one short
    ("四時運灰琯。一夕變冬春，送寒餘雪盡，迎歲早梅新。", 5, False),   # punctuation swapped
    ("四時運灰琯，一夕變冬春。送寒餘雪盡，迎歲早梅新。送", 5, False),   # text after the end
    ("四時，灰琯，一夕變冬春。送寒餘雪盡，迎歲早梅新。", 5, False),   # a comma inside a line
])
def test_has_form(text, form, expected):
    assert lm.has_form(text, form) is expected


def test_the_cells_compared_have_equal_parameter_counts():
    shipped = lm.load_results("quatrains")
    counts = {r["cell"]: r["parameters"] for r in shipped["runs"]}
    assert set(counts) == {"rnn", "gru", "lstm"}
    assert max(counts.values()) / min(counts.values()) < 1.01
    train, validation = lm.quatrains(shipped["spec"]["forms"])
    vocabulary_size = len({c for _, text in train + validation for c in text} | {lm.BOUNDARY})
    for run in shipped["runs"]:
        model = LanguageModel(vocabulary_size, shipped["spec"]["embedding"],
                              run["hidden"], cell=run["cell"], seed=0)
        assert model.num_parameters() == run["parameters"]


def test_the_shipped_hidden_sizes_are_the_closest_counts_to_the_lstms():
    """hidden_for bisects; each shipped size is the one a search over every size would pick:
    its count is nearer the LSTM's than its neighbours' (the count grows with the size)."""
    shipped = lm.load_results("quatrains")
    spec = shipped["spec"]
    train, validation = lm.quatrains(spec["forms"])
    vocabulary_size = len({c for _, text in train + validation for c in text} | {lm.BOUNDARY})
    target = lm._lstm_parameters(spec, vocabulary_size)

    def miss(cell, hidden):
        return abs(LanguageModel(vocabulary_size, spec["embedding"], hidden, cell=cell,
                                 seed=0).num_parameters() - target)

    for cell in ("rnn", "gru", "lstm"):
        (hidden,) = {run["hidden"] for run in shipped["runs"] if run["cell"] == cell}
        assert lm.hidden_for(cell, target, vocabulary_size, spec["embedding"]) == hidden
        assert miss(cell, hidden - 1) >= miss(cell, hidden) < miss(cell, hidden + 1)


@pytest.mark.parametrize("target", [0, 1, 10**9])
def test_hidden_for_keeps_to_its_sizes(target):
    assert lm.hidden_for("gru", target, 20, 4, sizes=(8, 40)) == (8 if target < 10**6 else 40)


def test_each_cell_ran_every_rate_then_its_best_on_every_seed():
    shipped = lm.load_results("quatrains")
    spec, runs = shipped["spec"], shipped["runs"]
    for cell in spec["cells"]:
        first = [r for r in runs if r["cell"] == cell and r["seed"] == spec["seeds"][0]]
        assert sorted(r["lr"] for r in first) == sorted(spec["learning_rates"])
        best = min(first, key=lambda r: r["curve"][-1]["validation_loss"])["lr"]
        assert shipped["best_learning_rates"][cell] == best
        assert sorted(r["seed"] for r in runs if r["cell"] == cell and r["lr"] == best) == \
            spec["seeds"]


def test_sampled_poems_stop_at_the_boundary():
    model = LanguageModel(4, 3, 5, seed=0)
    texts = lm.sample_poems(model, ["\n", "a", "，", "。"], 20, 12,
                            np.random.default_rng(0))
    assert len(texts) == 20 and all("\n" not in t and len(t) <= 12 for t in texts)


def test_the_command_refuses_an_unknown_experiment(capsys):
    with pytest.raises(SystemExit):
        lm.main(["poetry"])
    assert "invalid choice: 'poetry'" in capsys.readouterr().err


def test_results_files_are_json_with_the_spec_they_ran():
    for name, spec in [("shakespeare", lm.SHAKESPEARE), ("forms", lm.FORMS_MODEL)]:
        shipped = lm.load_results(name)
        assert shipped["spec"] == json.loads(json.dumps(spec))
