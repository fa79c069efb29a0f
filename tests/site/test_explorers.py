"""The gate explorers on the static pages are live: a reader's drag redraws the plot and the
reading, and the page's numbers are rnncourse.explorers.maths's, to 1e-9 relative."""

import itertools

import numpy as np
import pytest

from rnncourse import explorers
from rnncourse.explorers.explorer import STATIC_SITE

pytestmark = pytest.mark.browser

PAGES = {"lstm": "book/lstm.html", "gru": "book/gru.html", "flow": "book/bptt.html"}


@pytest.fixture(scope="module")
def python_explorers():
    """The same explorers in Python, as the site builds them (no kernel widgets)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STATIC_SITE, "1")
        return {"lstm": explorers.LSTMGateExplorer(), "gru": explorers.GRUGateExplorer(),
                "flow": explorers.GradientFlowExplorer()}


@pytest.fixture(scope="module")
def pages(browser, server):
    opened = {}
    for kind, path in PAGES.items():
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.goto(f"{server}/{path}", wait_until="load")
        page.wait_for_function("() => window.rnnExplorers && rnnExplorers.instances.length")
        opened[kind] = (page, errors)
    yield opened
    for page, _ in opened.values():
        page.close()


SET_ALL = """([kind, values]) => {
    const e = rnnExplorers.instances.find((i) => i.config.kind === kind);
    for (const [name, value] of Object.entries(values)) {
        const input = e.controls[name].input;
        if (input.type === "checkbox") input.checked = value; else input.value = value;
    }
    e.update();
    return {values: e.values(), output: e.output, reading: e.reading};
}"""


def agree(page_output, python_output, keys):
    for key in keys:
        np.testing.assert_allclose(np.asarray(page_output[key], dtype=float),
                                   np.asarray(python_output[key], dtype=float),
                                   rtol=1e-9, atol=0, err_msg=key)


GRIDS = {
    "lstm": [dict(mode="held constant", forget=f, input_gate=i, output_gate=o, steps=t,
                  pattern=p, forget_bias=1.0)
             for f, i, o, t, p in itertools.product(
                 [0.0, 0.3, 0.9, 1.0], [0.5, 1.0], [0.2, 1.0], [5, 40, 200],
                 ["pulse", "two pulses", "step", "noise"])]
    + [dict(mode="from a real LSTM", forget=0.9, input_gate=0.5, output_gate=0.8, steps=t,
            pattern=p, forget_bias=b)
       for b, t, p in itertools.product([-3.0, 0.0, 1.0, 6.0], [5, 200],
                                         ["pulse", "two pulses", "step", "noise"])],
    "gru": [dict(update=z, reset=r, steps=t, pattern=p)
            for z, r, t, p in itertools.product([0.0, 0.5, 0.99, 1.0], [0.0, 0.5, 1.0],
                                                [5, 200], ["pulse", "two pulses", "step",
                                                           "noise"])],
    "flow": [dict(spectral_radius=rho, steps=t, nonlinearity=a, lstm=False, forget_bias=1.0)
             for rho, t, a in itertools.product([0.3, 0.9, 1.0, 1.5, 2.0], [10, 60, 200],
                                                ["identity", "tanh", "relu"])]
    + [dict(spectral_radius=rho, steps=t, nonlinearity="tanh", lstm=True, forget_bias=b)
       for rho, t, b in itertools.product([0.3, 1.0, 2.0], [10, 200], [0.0, 2.5, 5.0])],
}
COMPARED = {"lstm": ["x", "c", "h", "survival"], "gru": ["x", "h", "survival"],
            "flow": ["relative"]}


@pytest.mark.parametrize("kind", list(PAGES))
def test_the_pages_numbers_are_pythons(kind, pages, python_explorers):
    page, errors = pages[kind]
    explorer = python_explorers[kind]
    for values in GRIDS[kind]:
        shown = page.evaluate(SET_ALL, [kind, values])
        expected = explorer.compute(**shown["values"])
        agree(shown["output"], expected, COMPARED[kind])
        assert shown["reading"] == explorer.reading(expected), shown["values"]
    assert not errors


def plot_and_reading(page, kind):
    return page.evaluate("""(kind) => {
        const e = rnnExplorers.instances.find((i) => i.config.kind === kind);
        const lines = [...e.root.querySelectorAll("polyline")];
        return {lines: lines.map((p) => p.getAttribute("points")),
                reading: e.root.querySelector(".rnn-reading").textContent,
                values: e.values(), output: e.output};
    }""", kind)


def drag(page, slider, fraction):
    """Press the slider's track at ``fraction`` of its width and drag a little, as a hand
    would."""
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    x, y = box["x"] + fraction * box["width"], box["y"] + box["height"] / 2
    page.mouse.move(x - 5, y)
    page.mouse.down()
    page.mouse.move(x, y, steps=3)
    page.mouse.up()


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_control_moves_the_plot_and_the_reading(kind, pages, python_explorers):
    page, errors = pages[kind]
    explorer = python_explorers[kind]
    page.evaluate(SET_ALL, [kind, explorer.starting_values])
    root = page.locator(".rnn-explorer").first
    if kind == "lstm":        # the bias slider belongs to the real LSTM; start with it on
        root.locator("select[name=mode]").select_option("from a real LSTM")
    for spec in explorer.specs.values():
        control = root.locator(f"[name={spec.name}]")
        if control.is_disabled():
            continue
        before = plot_and_reading(page, kind)
        if spec.kind == "range":
            drag(page, control, 0.23 if before["values"][spec.name] > (spec.low + spec.high) / 2
                 else 0.81)
        elif spec.kind == "checkbox":
            control.click()
        else:
            control.select_option(next(o for o in spec.options
                                       if o != before["values"][spec.name]))
        after = plot_and_reading(page, kind)
        assert after["values"][spec.name] != before["values"][spec.name], spec.name
        assert after["lines"] != before["lines"], f"{spec.name} did not move the plot"
        expected = explorer.compute(**after["values"])
        assert after["reading"] == explorer.reading(expected), spec.name
        agree(after["output"], expected, COMPARED[kind])
    assert not errors


def test_controls_that_do_not_apply_are_disabled(pages):
    page, _ = pages["lstm"]
    root = page.locator(".rnn-explorer").first
    root.locator("select[name=mode]").select_option("held constant")
    assert root.locator("[name=forget_bias]").is_disabled()
    assert root.locator("[name=forget]").is_enabled()
    root.locator("select[name=mode]").select_option("from a real LSTM")
    assert root.locator("[name=forget]").is_disabled()
    page, _ = pages["flow"]
    root = page.locator(".rnn-explorer").first
    box = root.locator("[name=lstm]")
    if box.is_checked():
        box.click()
    assert root.locator("[name=forget_bias]").is_disabled()
    box.click()
    assert root.locator("[name=nonlinearity]").is_disabled()
    assert root.locator("[name=forget_bias]").is_enabled()


@pytest.mark.parametrize("kind", list(PAGES))
def test_without_javascript_the_page_shows_the_starting_figure(kind, browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/{PAGES[kind]}")
    figure = page.locator(".rnn-explorer-static")
    assert figure.is_visible()
    image = figure.locator("img")
    assert image.evaluate("i => i.complete && i.naturalWidth > 0")
    assert "step" in figure.locator("figcaption").inner_text() \
        or "steps back" in figure.locator("figcaption").inner_text()
    context.close()


def test_the_pages_load_no_widget_bundle(pages):
    for page, _ in pages.values():
        scripts = page.evaluate("() => [...document.scripts].map((s) => s.src).filter(Boolean)")
        assert not [s for s in scripts if "widget" in s or "require" in s], scripts
