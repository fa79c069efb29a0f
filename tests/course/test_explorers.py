"""The explorers: setting a control programmatically moves the plotted data as it must."""

import json
import re
import shutil
import subprocess
from importlib import resources

import numpy as np
import pytest

from rnncourse.explorers import (
    GradientFlowExplorer,
    GRUGateExplorer,
    LSTMGateExplorer,
    maths,
)
from rnncourse.explorers.explorer import STATIC_SITE, format_number


def plotted(explorer, line):
    return np.asarray(explorer.lines[line].get_ydata())


def test_lstm_explorer_plots_the_explore_numbers():
    explorer = LSTMGateExplorer(forget=0.8, input_gate=0.6, output_gate=0.7, steps=30)
    c, h = maths.constant_gate_lstm(0.8, 0.6, 0.7, 2.0 * maths.input_pattern("pulse", 30))
    np.testing.assert_allclose(plotted(explorer, "cell"), c)
    np.testing.assert_allclose(plotted(explorer, "hidden"), h)
    np.testing.assert_allclose(plotted(explorer, "survival"), 0.8 ** np.arange(30))


def test_raising_the_forget_gate_keeps_more_memory():
    explorer = LSTMGateExplorer(forget=0.3)
    low = plotted(explorer, "survival")[10]
    explorer.controls["forget"].value = 0.97
    high = plotted(explorer, "survival")[10]
    assert high > 0.7 > 1e-4 > low
    assert f"After 20 steps, {0.97 ** 20:.1%} of what the cell held" in explorer.summary.value
    # f near 0 wipes the pulse out of the cell after one step.
    explorer.controls["forget"].value = 0.0
    assert np.all(plotted(explorer, "cell")[1:] == 0.0)


def test_lstm_explorer_real_mode_follows_the_forget_bias():
    explorer = LSTMGateExplorer(steps=40)
    explorer.controls["mode"].value = "from a real LSTM"
    assert explorer.controls["forget"].disabled and not explorer.controls["forget_bias"].disabled
    explorer.controls["forget_bias"].value = -2.0
    low = plotted(explorer, "survival")[-1]
    explorer.controls["forget_bias"].value = 5.0
    high = plotted(explorer, "survival")[-1]
    assert high > 0.3 and low < 1e-6
    trace = maths.lstm_with_forget_bias(5.0, maths.input_pattern("pulse", 40))
    np.testing.assert_allclose(plotted(explorer, "cell"), trace["c"])


def test_gru_explorer_update_gate():
    explorer = GRUGateExplorer(update=0.5, reset=0.0, steps=20)
    np.testing.assert_allclose(plotted(explorer, "survival"), 0.5 ** np.arange(20))
    explorer.controls["update"].value = 0.95
    h = plotted(explorer, "hidden")
    np.testing.assert_allclose(h[1:] / h[0], 0.95 ** np.arange(1, 20))
    explorer.controls["steps"].value = 60
    assert len(plotted(explorer, "hidden")) == 60


@pytest.mark.parametrize("nonlinearity", ["identity", "tanh"])
def test_gradient_explorer_vanishes_below_one(nonlinearity):
    explorer = GradientFlowExplorer(spectral_radius=0.6, steps=50, nonlinearity=nonlinearity)
    assert plotted(explorer, "norms")[-1] < 1e-6
    assert "vanishes" in explorer.summary.value


def test_gradient_explorer_explodes_above_one_without_saturation():
    explorer = GradientFlowExplorer(spectral_radius=1.0, steps=50, nonlinearity="identity")
    explorer.controls["spectral_radius"].value = 1.4
    assert plotted(explorer, "norms")[-1] > 1e4
    assert "explodes" in explorer.summary.value


def test_gradient_explorer_lstm_switch():
    explorer = GradientFlowExplorer(spectral_radius=1.0, steps=80, nonlinearity="tanh")
    rnn_tail = plotted(explorer, "norms")[-1]
    explorer.controls["lstm"].value = True
    assert explorer.controls["nonlinearity"].disabled
    explorer.controls["forget_bias"].value = 4.0
    lstm_tail = plotted(explorer, "norms")[-1]
    assert lstm_tail > 1e6 * rnn_tail


def test_a_move_updates_the_lines_it_drew_instead_of_drawing_new_ones():
    explorer = LSTMGateExplorer()
    lines = dict(explorer.lines)
    artists = [len(ax.lines) for ax in explorer.axes]
    explorer.controls["forget"].value = 0.4
    explorer.controls["steps"].value = 80
    assert explorer.lines == lines
    assert [len(ax.lines) for ax in explorer.axes] == artists
    assert explorer.figure_view.value.startswith('<img src="data:image/png;base64,')
    assert 'alt="Three plots over time' in explorer.figure_view.value


def test_explorers_run_in_a_jupyter_kernel():
    """The notebook route: a kernel builds the widget, displays it, and follows a change."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [
        nbformat.v4.new_code_cell("from rnncourse.explorers import GRUGateExplorer\n"
                                  "explorer = GRUGateExplorer(update=0.5)\nexplorer"),
        nbformat.v4.new_code_cell("explorer.controls['update'].value = 0.9\n"
                                  "print(round(explorer.data['survival'][3], 6))"),
    ]
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    shown = notebook.cells[0].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in shown
    assert notebook.cells[1].outputs[0]["text"].strip() == str(round(0.9 ** 3, 6))


def test_an_output_gate_moves_the_hidden_line_not_only_its_axis():
    explorer = LSTMGateExplorer(output_gate=0.8)
    before = explorer.axes[1].get_ylim()
    explorer.controls["output_gate"].value = 0.4
    assert explorer.axes[1].get_ylim() == before
    assert all(ax.get_ylim()[0] <= -1 and ax.get_ylim()[1] >= 1 for ax in explorer.axes[:2])


def test_the_static_site_gets_a_page_explorer_and_no_kernel_widgets(monkeypatch):
    monkeypatch.setenv(STATIC_SITE, "1")
    explorer = GRUGateExplorer(update=0.7)
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    page = bundle["text/html"]
    config = json.loads(re.search(r'class="rnn-explorer-config">(.*?)</script>', page).group(1))
    assert config["kind"] == "gru"
    assert {c["name"]: c["value"] for c in config["controls"]}["update"] == 0.7
    np.testing.assert_array_equal(config["data"]["noise"], maths.input_pattern("noise", 200))
    assert '<img src="data:image/png;base64,' in page      # the figure without JavaScript
    assert explorer.reading(explorer.data) in page
    assert "rnnExplorers" in page


@pytest.mark.parametrize("spec", [["percent", 1], ["fixed", 2], ["fixed", 0], ["exp", 2],
                                  ["exp", 0], ["int"]])
def test_the_page_prints_numbers_as_python_does(spec, tmp_path):
    """The readings under the plots are filled in by the page's JavaScript: its rounding must
    be Python's, exact ties (0.0625 -> 6.2 %) included."""
    node = shutil.which("node")
    assert node, "node is needed to build the book (npm), and to run this test"
    rng = np.random.default_rng(0)
    values = [0.0625, 0.125, 2.5, -2.5, 9.5, 0.95, 1.005, 12.5, 1e-17, 0.9999, 0.0]
    values += list(rng.integers(-2000, 2000, 200) / 2.0 ** rng.integers(0, 12, 200))
    values += list(rng.uniform(-5, 5, 200) * 10.0 ** rng.integers(-20, 4, 200))
    if spec == ["int"]:
        values = list(range(-3, 300, 7))
    script = resources.files("rnncourse.explorers").joinpath("web", "explorers.js").read_text()
    runner = tmp_path / "format.js"
    runner.write_text("global.window = {}; global.document = {readyState: 'loading', "
                      "addEventListener() {}};\n" + script +
                      "\nconst [values, spec] = JSON.parse(process.argv[2]);\n"
                      "console.log(JSON.stringify(values.map((v) => "
                      "window.rnnExplorers.maths.format(v, spec))));\n")
    printed = subprocess.run([node, str(runner), json.dumps([values, spec])], check=True,
                             capture_output=True, text=True).stdout
    assert json.loads(printed) == [format_number(v, spec) for v in values]
