"""The experiments' command line: usage errors name the option, JSON is valid, and a sweep
checks its output path first, saves every run and resumes after an interruption."""

import json

import pytest

from rnncourse.experiments import long_range, training

RUN = ["run", "--task", "adding", "--cell", "lstm"]


@pytest.mark.parametrize("extra,option,says", [
    (["--length", "0"], "--length", "expected at least 2 for --task adding, got 0"),
    (["--length", "-3"], "--length", "expected a whole number from 0 to 5000, got -3"),
    (["--length", "99999999"], "--length", "expected a whole number from 0 to 5000"),
    (["--length", "ten"], "--length", "expected a whole number, got 'ten'"),
    (["--length", "5", "--steps", "0"], "--steps", "expected a whole number from 1"),
    (["--length", "5", "--seed", "-1"], "--seed", "expected a whole number from 0"),
    (["--length", "5", "--seed", "1.5"], "--seed", "expected a whole number, got '1.5'"),
    (["--length", "5", "--forget-bias", "nan"], "--forget-bias", "expected a number from -50"),
    (["--length", "5", "--input-bias", "-51"], "--input-bias", "expected a number from -50"),
    (["--length", "5", "--lr", "0"], "--lr", "expected a number above 0 up to 1, got 0"),
    (["--length", "5", "--lr", "fast"], "--lr", "expected a number, got 'fast'"),
    (["--length", "5", "--forget-bias", "inf"], "--forget-bias", "expected a number from -50"),
    (["--length", "5", "--forget-bias", "1e39"], "--forget-bias", "expected a number from -50"),
])
def test_bad_options_are_usage_errors(extra, option, says, capsys):
    with pytest.raises(SystemExit) as stop:
        long_range.main(RUN + extra)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: {says}" in err and "Traceback" not in err


def strict_json(text):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def test_json_output_is_valid_json_when_a_number_is_infinite(monkeypatch, capsys):
    def diverging(*args, **kwargs):
        result = training.TrainResult(history=[{"step": 1, "loss": float("inf"),
                                                "metric": float("nan")}], steps=1, seconds=0.5)
        return result
    monkeypatch.setattr(long_range, "train", diverging)
    assert long_range.main(RUN + ["--length", "5", "--steps", "1", "--json"]) == 0
    result = strict_json(capsys.readouterr().out)
    assert result["final_metric"] is None and result["history"][0]["loss"] is None


SPEC = {"tasks": {"adding": [5]}, "models": ["rnn", "gru", "lstm"], "learning_rates": [0.01],
        "tuning_seed": 9, "seeds": [0], "steps": 10}


def quick_run(calls, stop_at=None):
    """A stand-in for long_range.run that records its calls and can be interrupted."""
    def run(**config):
        calls.append(config["cell"])
        if len(calls) == stop_at:
            raise KeyboardInterrupt
        return {"config": config, **config, "metric": "mse", "final_metric": 0.5,
                "reached_target": False, "steps": 1, "seconds": 0.1}
    return run


def test_an_unwritable_output_fails_before_any_training(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(long_range, "run", quick_run(calls))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as stop:
        long_range.main(["sweep", "--out", str(blocker / "results.json")])
    assert stop.value.code == 2 and calls == []
    assert f"out: {blocker} is a file" in capsys.readouterr().err


def test_an_interrupted_sweep_resumes(tmp_path, monkeypatch):
    out = tmp_path / "results.json"
    calls = []
    monkeypatch.setattr(long_range, "run", quick_run(calls, stop_at=3))
    with pytest.raises(KeyboardInterrupt):
        long_range.sweep(out, SPEC, progress=False)
    saved = json.loads(out.read_text())["results"]
    assert [r["cell"] for r in saved] == ["rnn", "gru"]          # saved as each run finished
    calls.clear()
    monkeypatch.setattr(long_range, "run", quick_run(calls))
    results = long_range.sweep(out, SPEC, progress=False)
    assert calls == ["lstm", "rnn", "gru", "lstm"]                # only what was missing
    assert [(r["stage"], r["cell"]) for r in results] == [
        ("tuning", "rnn"), ("tuning", "gru"), ("tuning", "lstm"),
        ("main", "rnn"), ("main", "gru"), ("main", "lstm")]
    assert json.loads(out.read_text())["results"] == results
    calls.clear()
    long_range.sweep(out, SPEC, progress=False, restart=True)
    assert calls == ["rnn", "gru", "lstm"] * 2


@pytest.mark.parametrize("text", ["my own notes", '{"results": [], "note": "mine"}'])
def test_a_file_that_is_not_a_results_file_is_left_alone(tmp_path, monkeypatch, text):
    out = tmp_path / "notes.json"
    out.write_text(text)
    monkeypatch.setattr(long_range, "run", quick_run([]))
    with pytest.raises(ValueError, match="is not a results file written by sweep"):
        long_range.sweep(out, SPEC, progress=False)
    assert out.read_text() == text


def test_runs_of_another_sweep_in_the_file_are_kept(tmp_path, monkeypatch):
    out = tmp_path / "results.json"
    monkeypatch.setattr(long_range, "run", quick_run([]))
    long_range.sweep(out, {**SPEC, "seeds": [99]}, progress=False)
    long_range.sweep(out, SPEC, progress=False)
    seeds = sorted(r["config"]["seed"] for r in json.loads(out.read_text())["results"])
    assert seeds == [0, 0, 0, 9, 9, 9, 99, 99, 99]


def test_a_folder_as_output_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        long_range.main(["sweep", "--out", str(tmp_path)])
    assert stop.value.code == 2 and "is a folder; give a file name" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--input-bias", "--forget-bias"])
def test_gate_biases_are_for_the_lstm_only(option, capsys):
    with pytest.raises(SystemExit) as stop:
        long_range.main(["run", "--task", "adding", "--cell", "gru", "--length", "5",
                          option, "1"])
    assert stop.value.code == 2
    assert f"argument {option}: only the LSTM has gate biases" in capsys.readouterr().err
    with pytest.raises(ValueError, match="forget_bias: only the LSTM has gate biases"):
        long_range.run("adding", "rnn", 5, forget_bias=1.0)


def test_the_best_learning_rate_reaches_the_target_first_then_fastest_then_best():
    spec = {**SPEC, "models": ["gru"], "learning_rates": [0.003, 0.01, 0.03]}
    def tuning_run(lr, reached, steps, metric):
        config = next(c for c in long_range.tuning_configs(spec) if c["lr"] == lr)
        arguments = {k: v for k, v in config.items() if k != "model"}
        return {"config": arguments, "lr": lr, "metric": "mse", "reached_target": reached,
                "steps": steps, "final_metric": metric}
    runs = [tuning_run(0.003, False, 10, 0.001), tuning_run(0.01, True, 8, 0.009),
            tuning_run(0.03, True, 6, 0.0099)]
    assert long_range.best_learning_rates(runs, spec) == {("adding", "gru"): 0.03}
    runs[2] = tuning_run(0.03, False, 10, None)                 # diverged: NaN became None
    assert long_range.best_learning_rates(runs, spec) == {("adding", "gru"): 0.01}
    assert long_range.best_learning_rates(runs[:2], spec) == {}  # a rate still to run


def test_a_sweep_in_two_processes_gives_the_numbers_of_one(tmp_path):
    spec = {"tasks": {"adding": [3]}, "models": ["rnn", "lstm"],
            "learning_rates": [0.01, 0.03], "tuning_seed": 5, "seeds": [0, 1], "steps": 30}
    alone = long_range.sweep(tmp_path / "one.json", spec, progress=False, jobs=1)
    together = long_range.sweep(tmp_path / "two.json", spec, progress=False, jobs=2)
    strip = [{k: v for k, v in r.items() if k not in ("seconds", "steps_per_second")}
             for r in alone]
    assert strip == [{k: v for k, v in r.items() if k not in ("seconds", "steps_per_second")}
                     for r in together]
    assert [r["stage"] for r in alone] == ["tuning"] * 4 + ["main"] * 4
