"""The text sampler's Python side (rnncourse.explorers.sampler): the weights file holds the
rounded weights exactly, the rounded model is what the page runs, the widget's settings become
rnncore.text.generate's arguments, and bad arguments are refused with a clear message."""

import base64
import json
import re
import zlib

import numpy as np
import pytest

from rnncore.text import LanguageModel, generate
from rnncourse.explorers import sampler
from rnncourse.explorers.explorer import STATIC_SITE
from rnncourse.explorers.sampler import (
    NOTE,
    TEXTS,
    ReaderError,
    Sampler,
    rounded_model,
    write_weights,
)
from rnncourse.site import STATIC_OUTPUTS
from rnncourse.site.i18n import CJK, translate

LETTERS = "\n abcdefghijklmnopqrstuvwxyz.,"
POEM = "\n，。春江花月夜山水風雲人不知何處來去天地明" + "一二三四五"


def lstm(**kwargs):
    return LanguageModel(len(LETTERS), 8, 16, 2, "lstm", seed=1, **kwargs)


def poem_model():
    model = LanguageModel(len(POEM), 8, 16, 1, "lstm", conditions=2, seed=3)
    model.params["initial_state"][...] = np.random.default_rng(4).normal(size=(2, 32))
    return model


def read_weights_file(path):
    """The header and the numbers of a weights file, unpacked as the page unpacks them."""
    text = path.read_text(encoding="ascii")
    name = path.stem
    prefix = f'(window.rnnSamplerWeights = window.rnnSamplerWeights || {{}})["{name}"] = '
    header = json.loads(text[text.index(prefix) + len(prefix):].rstrip().rstrip(";"))
    grouped = zlib.decompress(base64.b64decode(header["data"]), -15)
    width = 2 if header["precision"] == "float16" else 4
    raw = np.frombuffer(grouped, np.uint8).reshape(width, -1).T.copy()
    values = raw.view(sampler.PRECISIONS[header["precision"]]).ravel()
    params, offset = {}, 0
    for name, shape in header["parameters"]:
        size = int(np.prod(shape))
        params[name] = values[offset:offset + size].reshape(shape)
        offset += size
    assert offset == len(values)
    return header, params


@pytest.mark.parametrize("precision", ["float16", "float32"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_weights_file_holds_the_rounded_weights_exactly(tmp_path, precision, cell):
    model = LanguageModel(len(LETTERS), 8, 16, 2, cell, seed=5)
    size = write_weights(model, LETTERS, tmp_path / "tiny.js", precision)
    assert size == (tmp_path / "tiny.js").stat().st_size
    assert (tmp_path / "tiny.js").read_bytes().isascii()
    header, params = read_weights_file(tmp_path / "tiny.js")
    assert header["vocabulary"] == LETTERS and header["cell"] == cell
    assert (header["embedding_dim"], header["hidden_size"], header["num_layers"],
            header["conditions"], header["precision"]) == (8, 16, 2, 0, precision)
    rounded = rounded_model(model, precision)
    assert list(params) == list(model.state_dict())
    for name, value in rounded.state_dict().items():
        assert value.dtype == np.float64
        np.testing.assert_array_equal(params[name].astype(np.float64), value, err_msg=name)
        np.testing.assert_array_equal(
            value, model.state_dict()[name].astype(precision).astype(np.float64))


def test_grouping_the_bytes_makes_the_file_smaller_than_plain_base64(tmp_path):
    model = LanguageModel(65, 16, 64, seed=0)
    size = write_weights(model, "".join(map(chr, range(200, 265))), tmp_path / "m.js")
    plain = 4 * -(-2 * model.num_parameters() // 3)          # base64 of the float16 bytes
    assert size < 0.9 * plain
    size32 = write_weights(model, "".join(map(chr, range(200, 265))), tmp_path / "n.js",
                           "float32")
    assert 1.8 * size < size32 < 2.2 * size


def test_the_rounded_model_is_the_model_in_float64_with_rounded_weights():
    model = poem_model()
    before = model.state_dict()
    rounded = rounded_model(model, "float16")
    assert isinstance(rounded, LanguageModel) and rounded.dtype == np.float64
    assert (rounded.cell, rounded.conditions, rounded.recurrent.num_layers) == ("lstm", 2, 1)
    for name, value in before.items():
        np.testing.assert_array_equal(model.state_dict()[name], value)   # left as it was
    np.testing.assert_array_equal(rounded.params["initial_state"],
                                  before["initial_state"].astype(np.float16))
    exact = rounded_model(model, "float32")
    np.testing.assert_array_equal(exact.params["readout.weight"],
                                  before["readout.weight"].astype(np.float64))
    ids = generate(rounded, [0], 20, 1.0, seed=3, condition=1)
    assert ids == generate(rounded_model(model), [0], 20, 1.0, seed=3, condition=1)


def test_a_setting_becomes_generates_arguments():
    model = poem_model()
    page = Sampler(model, POEM, "poems", prefix="\n", length=40, stop="\n",
                   conditions=("five-character lines", "seven-character lines"),
                   acrostic_lines=4, line_length=(6, 8))
    exact = rounded_model(model)
    for condition, line in ((0, 6), (1, 8)):
        ids = page.write(temperature=1.2, seed=9, condition=condition, acrostic="春 江\n花月")
        forced = {0: POEM.index("春"), line: POEM.index("江"), 2 * line: POEM.index("花"),
                  3 * line: POEM.index("月")}
        full = generate(exact, [0], 40, 1.2, seed=9, condition=condition, forced=forced)
        assert ids == full[:len(ids)]
        assert all(ids[p] == k for p, k in forced.items())
        ended = [p for p, k in enumerate(full) if k == 0 and p > 3 * line]
        assert len(ids) == (ended[0] + 1 if ended else 40)
    shakespeare = Sampler(lstm(), LETTERS, "letters", prompt="the ", length=30)
    assert shakespeare.write("the ", 0.5, 7) == \
        generate(rounded_model(lstm()), [LETTERS.index(c) for c in "the "], 30, 0.5, seed=7)
    assert shakespeare.write("a", 0, 2 ** 64 - 1) == \
        generate(rounded_model(lstm()), [2], 30, 0, seed=2 ** 64 - 1)


@pytest.mark.parametrize("kwargs, key", [
    ({"prompt": "é"}, "unknown"), ({"prompt": ""}, "empty"),
])
def test_what_the_widget_refuses_is_a_reader_error(kwargs, key):
    page = Sampler(lstm(), LETTERS, "letters")
    with pytest.raises(ReaderError) as caught:
        page.write(**kwargs)
    assert caught.value.key == key
    assert "é" in str(caught.value) or key == "empty"


def test_the_poem_widget_refuses_a_long_acrostic_and_unknown_characters():
    page = Sampler(poem_model(), POEM, "poems", prefix="\n", conditions=("a", "b"),
                   acrostic_lines=4, line_length=6)
    with pytest.raises(ReaderError, match="at most 4 characters"):
        page.write(acrostic="春江花月夜")
    with pytest.raises(ReaderError, match='"门"'):
        page.write(acrostic="春门")
    with pytest.raises(ValueError, match="prompt, acrostic"):
        page.write(prompt="春", acrostic="江")
    with pytest.raises(ValueError, match="condition: expected 0 to 1, got 2"):
        page.write(condition=2)


BAD_EXPORTS = [
    (dict(model="model"), TypeError, "model: expected a rnncore.text.LanguageModel, got str"),
    (dict(precision="float8"), ValueError,
     "precision: expected one of 'float32', 'float16', got 'float8'"),
    (dict(vocabulary=LETTERS[:-1]), ValueError,
     "vocabulary: expected 30 distinct characters (the model's vocab_size), got 29"),
    (dict(vocabulary="a" * 30), ValueError, "got 30 characters, 1 distinct"),
    (dict(vocabulary=list(LETTERS)), TypeError, "vocabulary: expected a str"),
    (dict(path="Tiny Model.js"), ValueError, "path: expected a file named NAME.js"),
    (dict(path="tiny.json"), ValueError, "got 'tiny.json'"),
]


@pytest.mark.parametrize("change, error, message", BAD_EXPORTS)
def test_bad_exports_say_which_argument_what_was_expected_and_what_came(tmp_path, change,
                                                                        error, message):
    arguments = {"model": lstm(), "vocabulary": LETTERS, "path": "tiny.js",
                 "precision": "float16", **change}
    arguments["path"] = tmp_path / arguments["path"]
    with pytest.raises(error) as caught:
        write_weights(**arguments)
    assert message in str(caught.value)
    assert not list(tmp_path.iterdir())          # nothing written


def test_a_weight_too_large_for_float16_is_named():
    model = lstm()
    model.params["readout.bias"][3] = 1e5
    with pytest.raises(ValueError, match=r"model: readout.bias has values that float16 cannot "
                                         r"hold \(largest \|value\| 100000, expected at most "
                                         r"65504\)"):
        rounded_model(model, "float16")
    assert rounded_model(model, "float32").params["readout.bias"][3] == 1e5


BAD_SAMPLERS = [
    (dict(name="Shakespeare!"), "name: expected lowercase letters, digits and hyphens, got "
                                "'Shakespeare!'"),
    (dict(prompt="ROMEO"), "prompt: expected characters of the vocabulary, got ['E', 'M', 'O', "
                           "'R']"),
    (dict(prefix=7), "prefix: expected a str, got int"),
    (dict(length=0), "length: expected an int >= 1, got 0"),
    (dict(temperature=2.5), "temperature: expected a number from 0.0 to 2.0, got 2.5"),
    (dict(temperature="hot"), "temperature: expected a number from 0.0 to 2.0, got 'hot'"),
    (dict(seed=-1), "seed: expected an int from 0 to 2**64 - 1, got -1"),
    (dict(seed=2 ** 64), "seed: expected an int from 0 to 2**64 - 1, got 18446744073709551616"),
    (dict(stop="ab"), "stop: expected None or one character, got 'ab'"),
    (dict(conditions=("five",)), "conditions: expected 0 names (the model's conditions), got "
                                 "('five',)"),
    (dict(acrostic_lines=4), "line_length: expected an int, got None"),
    (dict(acrostic_lines=4, line_length=6), "prefix: an acrostic writes after the prefix "
                                            "alone, so expected at least one character, got ''"),
    (dict(acrostic_lines=-1, line_length=6), "acrostic_lines: expected an int >= 1, got -1"),
    (dict(samples={"t": 3}), "samples: expected a mapping of str captions to str texts"),
    (dict(condition_label=None), "condition_label: expected a str, got NoneType"),
    (dict(precision="half"), "precision: expected one of 'float32', 'float16', got 'half'"),
]


@pytest.mark.parametrize("change, message", BAD_SAMPLERS)
def test_bad_sampler_arguments_are_named(change, message):
    arguments = {"name": "letters", **change}
    with pytest.raises((TypeError, ValueError)) as caught:
        Sampler(lstm(), LETTERS, **arguments)
    assert message in str(caught.value)


def test_a_model_with_conditions_needs_their_names_and_a_line_length_each():
    with pytest.raises(ValueError, match=r"conditions: expected 2 names .*, got \(\)"):
        Sampler(poem_model(), POEM, "poems")
    with pytest.raises(ValueError, match=r"line_length: expected an int or 2 ints .*got "
                                         r"\(6, 8, 10\)"):
        Sampler(poem_model(), POEM, "poems", prefix="\n", conditions=("a", "b"),
                acrostic_lines=4, line_length=(6, 8, 10))


def test_a_poem_is_shown_in_its_lines_from_the_prompts_first_character():
    page = Sampler(poem_model(), POEM, "poems", prefix="\n", conditions=("a", "b"),
                   acrostic_lines=4, line_length=(3, 4))
    ids = [POEM.index(c) for c in "江花，月夜。山"]
    assert page.shown("春", ids, 0) == ["春", "江花\n，月夜\n。山"]
    assert page.shown("", ids, 1) == ["", "江花，月\n夜。山"]
    assert Sampler(lstm(), LETTERS, "letters").shown("ab", [3, 4]) == ["ab", "bc"]


def config_of(page_html):
    found = re.search(r'class="rnn-sampler-config">(.*?)</script>', page_html)
    return json.loads(found.group(1))


def test_the_static_site_gets_the_page_form_and_the_weights_file(monkeypatch, tmp_path):
    monkeypatch.setenv(STATIC_SITE, "1")
    monkeypatch.setenv(STATIC_OUTPUTS, str(tmp_path))
    page = Sampler(lstm(), LETTERS, "letters", prompt="the ", length=50, temperature=0.6,
                   seed=4, samples={"temperature 0.5": "the end.\n<b>"})
    bundle = page._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    html = bundle["text/html"]
    weights = tmp_path / "rnn-sampler" / "letters.js"
    assert weights.exists()
    config = config_of(html)
    assert config["weights"].startswith("_static/rnn-sampler/letters.js?v=")
    assert config["vocabulary"] == LETTERS and config["length"] == 50
    assert (config["prompt"], config["temperature"], config["seed"]) == ("the ", 0.6, "4")
    assert config["size"] == f"{weights.stat().st_size / 1e3:.0f} kB"
    assert page.page_config(1_617_027, "0")["size"] == "1.6 MB"
    assert config["note"] == NOTE.replace("{precision}", "float16")
    assert "the end.\n&lt;b&gt;</pre>" in html          # the samples, for a page without JS
    assert "rnnSamplers" in html and "ipywidgets" not in html
    assert len(html.encode()) < 60_000           # the page carries no weights
    again = config_of(page._repr_mimebundle_()["text/html"])["weights"]
    assert again == config["weights"]            # the same file, the same version


def test_no_prompt_or_vocabulary_can_end_the_configurations_element(tmp_path):
    vocabulary = "<>/!-scriptabdefghjklmno"
    model = LanguageModel(len(vocabulary), 8, 16, seed=0)
    html = Sampler(model, vocabulary, "tags", prompt="</script><!--").publish(tmp_path)
    element = re.search(r'class="rnn-sampler-config">(.*?)</script>', html).group(1)
    assert "<" not in element
    assert json.loads(element)["prompt"] == "</script><!--"
    assert json.loads(element)["vocabulary"] == vocabulary


def test_the_page_form_without_the_outputs_folder_says_what_is_missing(monkeypatch):
    monkeypatch.setenv(STATIC_SITE, "1")
    monkeypatch.delenv(STATIC_OUTPUTS, raising=False)
    with pytest.raises(RuntimeError, match="RNNCOURSE_STATIC_OUTPUTS: expected the folder"):
        Sampler(lstm(), LETTERS, "letters")._repr_mimebundle_()


def test_every_word_of_the_widget_has_its_chinese_translation():
    english = [*TEXTS.values(), NOTE, "form", "five-character lines", "seven-character lines",
               "temperature 0.5"]
    for message in english:
        assert CJK.search(translate(message, "zh_CN")), message
    assert translate(TEXTS["bad_seed"], "zh_CN") == \
        "随机种子须是 0 到 18446744073709551615 之间的整数。"


def test_the_chinese_page_form_is_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNCOURSE_LANGUAGES", "zh_CN")
    page = Sampler(poem_model(), POEM, "poems", prefix="\n", stop="\n",
                   conditions=("five-character lines", "seven-character lines"),
                   acrostic_lines=4, line_length=(6, 8), samples={"temperature 0.5": "春"})
    config = config_of(page.publish(tmp_path))
    assert config["conditions"] == ["五言", "七言"] and config["condition_label"] == "体裁"
    assert config["texts"]["write"] == "生成"
    assert config["texts"]["most_likely"] == "0（取最可能的）"
    assert "温度 0.5" in page.publish(tmp_path)


def test_in_jupyter_the_buttons_write_what_the_page_writes():
    widgets = pytest.importorskip("ipywidgets")
    page = Sampler(poem_model(), POEM, "poems", prefix="\n", length=40, stop="\n",
                   conditions=("five-character lines", "seven-character lines"),
                   acrostic_lines=4, line_length=(6, 8), temperature=0.9, seed=5)
    bundle = page._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert isinstance(page.widget, widgets.VBox)
    page.controls["condition"].value = 1
    page.controls["acrostic"].value = "春江"
    assert page.controls["prompt"].disabled
    page.buttons["write"].click()
    ids = page.write(temperature=0.9, seed=5, condition=1, acrostic="春江")
    expected = page.shown("", ids, 1)[1]
    assert f"</b>{expected}</pre>" in page.written.value
    assert [line[0] for line in expected.split("\n")[:2]] == ["春", "江"]
    assert page.status.value == f"Wrote {len(ids)} characters at temperature 0.90, seed 5."
    page.buttons["again"].click()
    assert page.controls["seed"].value == "6"
    ids = page.write(temperature=0.9, seed=6, condition=1, acrostic="春江")
    expected = page.shown("", ids, 1)[1]
    assert f"</b>{expected}</pre>" in page.written.value
    page.controls["acrostic"].value = ""
    assert not page.controls["prompt"].disabled
    for seed in ("x", "²", "18446744073709551616"):
        page.controls["seed"].value = seed
        page.buttons["write"].click()
        assert page.status.value == "The seed is a whole number from 0 to 18446744073709551615."
    page.controls["seed"].value = "1"
    page.controls["prompt"].value = "门"
    page.buttons["write"].click()
    assert page.status.value == "The model does not know these characters: &quot;门&quot;"
