"""The text sampler: a character language model (:class:`rnncore.text.LanguageModel`) that
writes in the reader's browser what :func:`rnncore.text.generate` writes in Python.

The page does not carry the weights. :func:`write_weights` writes them, with the vocabulary,
to a script of their own, which the page loads on first use by adding a ``<script>`` element
(that loads under file:// as over http, where ``fetch`` of a local file does not);
``web/sampler.js`` then samples in float64. The file stores the weights in float32 or float16,
so the page runs :func:`rounded_model`: the same model with its weights rounded that way, and
the Python reference for every character the page writes.

On the static site (``make book``) a :class:`Sampler` is the page's widget, its weights file
written among the site's static files (``RNNCOURSE_STATIC_OUTPUTS``, see
:mod:`rnncourse.site.editions`); in Jupyter it is ipywidgets calling ``generate``.
"""

import base64
import hashlib
import html
import json
import numbers
import os
import re
import zlib
from importlib import resources
from pathlib import Path

import numpy as np

from rnncore.text import LanguageModel, _in_float64, generate

from ..site import STATIC_OUTPUTS
from ..site.i18n import ENGLISH, localized_html, output_language, translate
from .explorer import building_static_site

PRECISIONS = {"float32": np.dtype("<f4"), "float16": np.dtype("<f2")}
FOLDER = "rnn-sampler"                  # the weights files' folder, under the site's _static
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
HIGHEST_SEED = 2 ** 64 - 1
TEMPERATURES = (0.0, 2.0, 0.05)          # the page's slider: lowest, highest, step

NOTE = ("The model runs in your browser: with the same prompt, temperature and seed it writes "
        "what rnncore.text.generate writes in Python, with the weights this page loads "
        "(rounded to {precision}).")
# The widget's words, translated into each edition's language (rnncourse.po). Names in braces
# are filled in by the page's script.
TEXTS = {
    "prompt": "prompt",
    "temperature": "temperature",
    "most_likely": "0 (most likely)",
    "seed": "seed",
    "again": "Again",
    "write": "Write",
    "acrostic": "acrostic: one character per line",
    "first_use": "Press Write: the model's weights ({size}) load the first time.",
    "loading": "Loading the model's weights ({size})…",
    "wrote": "Wrote {count} characters at temperature {temperature}, seed {seed}.",
    "unknown": "The model does not know these characters: {characters}",
    "empty": "Type at least one character to start from.",
    "bad_seed": "The seed is a whole number from 0 to 18446744073709551615.",
    "too_long": "The acrostic takes at most {lines} characters, one per line.",
    "failed": "The model's weights could not be loaded.",
    "no_unpacking": "This browser cannot unpack the model's weights.",
    "samples": "Samples the model wrote:",
}


def _check_model(model):
    if not isinstance(model, LanguageModel):
        raise TypeError(f"model: expected a rnncore.text.LanguageModel, got "
                        f"{type(model).__name__}")
    return model


def _check_precision(precision):
    if precision not in PRECISIONS:
        raise ValueError(f"precision: expected one of {', '.join(map(repr, PRECISIONS))}, "
                         f"got {precision!r}")
    return PRECISIONS[precision]


def _check_vocabulary(vocabulary, model):
    if not isinstance(vocabulary, str):
        raise TypeError(f"vocabulary: expected a str, one character per token id, got "
                        f"{type(vocabulary).__name__}")
    if len(vocabulary) != model.vocab_size or len(set(vocabulary)) != len(vocabulary):
        raise ValueError(f"vocabulary: expected {model.vocab_size} distinct characters (the "
                         f"model's vocab_size), got {len(vocabulary)} characters, "
                         f"{len(set(vocabulary))} distinct")
    return vocabulary


def _stored(model, precision):
    """Each parameter as the weights file holds it: rounded to ``precision``, little-endian,
    in ``state_dict`` order."""
    dtype = _check_precision(precision)
    stored = {}
    for name, value in _check_model(model).state_dict().items():
        with np.errstate(over="ignore"):
            rounded = np.asarray(value, dtype=np.float64).astype(dtype)
        if not np.all(np.isfinite(rounded)):
            raise ValueError(f"model: {name} has values that {precision} cannot hold (largest "
                             f"|value| {np.abs(value).max():.6g}, expected at most "
                             f"{float(np.finfo(dtype).max):.6g})")
        stored[name] = rounded
    return stored


def rounded_model(model, precision="float16"):
    """The model that a page with ``precision`` weights runs: ``model``'s weights rounded to
    ``precision``, held in float64 (a float16 or float32 number is exactly a float64 one).
    ``generate`` with it writes, character for character, what the page writes."""
    stored = _stored(model, precision)
    exact = _in_float64(model)
    exact.load_state_dict(stored)
    return exact


def write_weights(model, vocabulary, path, precision="float16"):
    """Write ``model``'s weights and ``vocabulary`` (one character per token id) to ``path``,
    a script that sets ``window.rnnSamplerWeights[NAME]``, NAME being the file's stem.

    The numbers are ``precision`` (float32 or float16), their bytes grouped by place (every
    number's first byte, then every second byte...) and compressed with deflate, then written
    in base64. Grouped, the bytes that hold the sign and exponent, which repeat far more than
    the others, compress well: the file is about 15 % smaller than plain base64. The file is
    ASCII, so that no server or file:// reading can misread its encoding.

    Returns the file's size in bytes.
    """
    path = Path(path)
    if not NAME.fullmatch(path.stem) or path.suffix != ".js":
        raise ValueError(f"path: expected a file named NAME.js, NAME of lowercase letters, "
                         f"digits and hyphens, got {path.name!r}")
    _check_vocabulary(vocabulary, _check_model(model))
    stored = _stored(model, precision)
    width = PRECISIONS[precision].itemsize
    raw = np.concatenate([value.ravel().view(np.uint8) for value in stored.values()])
    grouped = raw.reshape(-1, width).T.tobytes()
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)       # raw deflate, as the page unpacks
    packed = deflate.compress(grouped) + deflate.flush()
    recurrent = model.recurrent
    header = {"name": path.stem, "cell": model.cell, "vocabulary": vocabulary,
              "embedding_dim": model.embedding.embedding_dim,
              "hidden_size": recurrent.hidden_size, "num_layers": recurrent.num_layers,
              "conditions": model.conditions, "precision": precision,
              "parameters": [[name, list(value.shape)] for name, value in stored.items()],
              "data": base64.b64encode(packed).decode("ascii")}
    text = ("/* A character language model's weights for the text sampler "
            "(rnncourse/explorers/sampler.py). */\n"
            "(window.rnnSamplerWeights = window.rnnSamplerWeights || {})"
            f"[{json.dumps(path.stem)}] = {json.dumps(header, ensure_ascii=True)};\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="ascii")
    return path.stat().st_size


def _check_text(name, text, vocabulary):
    if not isinstance(text, str):
        raise TypeError(f"{name}: expected a str, got {type(text).__name__}")
    unknown = sorted(set(text) - set(vocabulary))
    if unknown:
        raise ValueError(f"{name}: expected characters of the vocabulary, got {unknown!r}, "
                         "which it does not have")
    return text


def _check_temperature(temperature):
    low, high, _ = TEMPERATURES
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or \
            not low <= temperature <= high:
        raise ValueError(f"temperature: expected a number from {low} to {high}, got "
                         f"{temperature!r}")
    return float(temperature)


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or \
            not 0 <= seed <= HIGHEST_SEED:
        raise ValueError(f"seed: expected an int from 0 to 2**64 - 1, got {seed!r}")
    return int(seed)


class ReaderError(ValueError):
    """What a reader typed cannot be written from: ``key`` names the widget's message in
    :data:`TEXTS`, ``fill`` its values."""

    def __init__(self, key, **fill):
        super().__init__(TEXTS[key].format(**fill))
        self.key, self.fill = key, fill

    def in_language(self, language):
        return translate(TEXTS[self.key], language).format(**self.fill)


class Sampler:
    """A language model that writes on the page: the reader's prompt, temperature and seed,
    and, for a model built with conditions, the condition (a poem's form, say).

    Args:
        model: a :class:`rnncore.text.LanguageModel`; vocabulary: its characters, one per
            token id (a str).
        name: the weights file's name (lowercase letters, digits, hyphens), unique in the
            site.
        prompt: the text the prompt box starts with.
        prefix: text read before the prompt and never shown (the boundary a poem model was
            trained to start from, say).
        length: how many characters to write at most.
        temperature, seed: the starting setting (temperature 0 to 2; 0 takes the most likely
            character).
        stop: a character that ends the text when written (the boundary after a poem).
        conditions: for a model built with conditions, the name of each (in English, to be
            translated); condition_label names the choice.
        acrostic_lines, line_length: for a poem model, an acrostic of up to ``acrostic_lines``
            characters, each starting a line; ``line_length`` is the characters a line takes,
            its punctuation included (an int, or one per condition). The acrostic's
            characters are forced at positions 0, line_length, 2 * line_length... of the
            written text, and the prompt is not used with it.
        samples: {caption: text} written beforehand, shown to a reader without JavaScript.
        note: the sentence under the widget (English, to be translated); {precision} is
            filled in.
        precision: how the weights file stores the weights, "float16" or "float32".

    ``model`` is then the page's model (:func:`rounded_model`), in Jupyter as on the page.
    """

    def __init__(self, model, vocabulary, name, *, prompt="", prefix="", length=200,
                 temperature=0.8, seed=0, stop=None, conditions=(), condition_label="form",
                 acrostic_lines=0, line_length=None, samples=None, note=NOTE,
                 precision="float16"):
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ValueError(f"name: expected lowercase letters, digits and hyphens, got "
                             f"{name!r}")
        self.vocabulary = _check_vocabulary(vocabulary, _check_model(model))
        self.name, self.precision = name, precision
        self.model = rounded_model(model, precision)
        self.prompt = _check_text("prompt", prompt, vocabulary)
        self.prefix = _check_text("prefix", prefix, vocabulary)
        self.length = self._positive("length", length)
        self.temperature = _check_temperature(temperature)
        self.seed = _check_seed(seed)
        if stop is not None and (not isinstance(stop, str) or len(stop) != 1):
            raise ValueError(f"stop: expected None or one character, got {stop!r}")
        self.stop = None if stop is None else _check_text("stop", stop, vocabulary)
        self.conditions = tuple(conditions)
        if len(self.conditions) != model.conditions or \
                not all(isinstance(c, str) for c in self.conditions):
            raise ValueError(f"conditions: expected {model.conditions} names (the model's "
                             f"conditions), got {conditions!r}")
        if not isinstance(condition_label, str):
            raise TypeError(f"condition_label: expected a str, got "
                            f"{type(condition_label).__name__}")
        self.condition_label = condition_label
        self.acrostic_lines, self.line_lengths = self._acrostic(acrostic_lines, line_length)
        self.samples = dict(samples or {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in self.samples.items()):
            raise TypeError(f"samples: expected a mapping of str captions to str texts, got "
                            f"{samples!r}")
        self.note = note
        self.widget = None
        self.index = {character: k for k, character in enumerate(vocabulary)}

    @staticmethod
    def _positive(name, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
        return int(value)

    def _acrostic(self, lines, line_length):
        if lines == 0 and line_length is None:
            return 0, ()
        lines = self._positive("acrostic_lines", lines)
        wanted = max(len(self.conditions), 1)
        lengths = (line_length,) * wanted if isinstance(line_length, numbers.Integral) \
            else tuple(line_length) if isinstance(line_length, (list, tuple)) else None
        if lengths is None or len(lengths) != wanted:
            choices = f"an int or {wanted} ints (one per condition)" if self.conditions \
                else "an int"
            raise ValueError(f"line_length: expected {choices}, got {line_length!r}")
        lengths = tuple(self._positive("line_length", n) for n in lengths)
        if not self.prefix:
            raise ValueError("prefix: an acrostic writes after the prefix alone, so expected "
                             "at least one character, got ''")
        return lines, lengths

    # -- what the page computes, in Python -------------------------------------------------

    def write(self, prompt="", temperature=None, seed=None, condition=None, acrostic=""):
        """The token ids the page writes for this setting (the defaults: the sampler's own),
        from :func:`rnncore.text.generate` with the page's model: ``length`` tokens after
        prefix + prompt, the acrostic's characters forced at the line starts, cut after the
        stop character once the acrostic is written. Raises :class:`ReaderError` for what
        the widget would refuse."""
        temperature = self.temperature if temperature is None else \
            _check_temperature(temperature)
        seed = self.seed if seed is None else _check_seed(seed)
        if self.conditions:
            condition = 0 if condition is None else condition
            if condition not in range(len(self.conditions)):
                raise ValueError(f"condition: expected 0 to {len(self.conditions) - 1}, got "
                                 f"{condition!r}")
        elif condition is not None:
            raise ValueError(f"condition: expected None for a model without conditions, got "
                             f"{condition!r}")
        acrostic = "".join(acrostic.split())
        if acrostic and prompt:
            raise ValueError("prompt, acrostic: the prompt is not used with an acrostic; "
                             "give one or the other")
        if len(acrostic) > self.acrostic_lines:
            raise ReaderError("too_long", lines=self.acrostic_lines)
        unknown = sorted(set(prompt + acrostic) - set(self.index))
        if unknown:
            # quoted, so that a space or a line break shows
            raise ReaderError("unknown", characters=" ".join(
                json.dumps(c, ensure_ascii=False) for c in unknown))
        start = [self.index[c] for c in self.prefix + prompt]
        if not start:
            raise ReaderError("empty")
        line = self.line_lengths[condition or 0] if acrostic else 0
        forced = {k * line: self.index[c] for k, c in enumerate(acrostic)}
        written = generate(self.model, start, self.length, temperature, seed,
                           condition=condition, forced=forced)
        last_forced = max(forced, default=-1)
        for position, token in enumerate(written):
            if self.vocabulary[token] == self.stop and position > last_forced:
                return written[:position + 1]
        return written

    def text(self, ids):
        return "".join(self.vocabulary[k] for k in ids)

    def shown(self, prompt, ids, condition=None):
        """The prompt and the written text as the widget shows them: a poem model's text (one
        with line lengths) broken into its lines, every line_length characters from the
        prompt's first."""
        parts = [prompt, self.text(ids)]
        if not self.line_lengths:
            return parts
        line = self.line_lengths[condition or 0]
        broken = ["", ""]
        for k, character in enumerate(prompt + self.text(ids)):
            part = 0 if k < len(prompt) else 1
            broken[part] += character + ("\n" if (k + 1) % line == 0 else "")
        return broken

    # -- the page form ---------------------------------------------------------------------

    def weights_path(self, folder):
        """The weights file in ``folder``, the site's _static folder (or a copy of it)."""
        return Path(folder) / FOLDER / f"{self.name}.js"

    def page_config(self, weights_size, version, language=ENGLISH):
        """What the page's script needs, its words in ``language``."""
        words = {key: translate(text, language) for key, text in TEXTS.items()}
        return {"name": self.name, "weights": f"_static/{FOLDER}/{self.name}.js?v={version}",
                "size": f"{weights_size / 1e6:.1f} MB" if weights_size >= 1e5
                else f"{weights_size / 1e3:.0f} kB", "vocabulary": self.vocabulary,
                "prompt": self.prompt, "prefix": self.prefix, "length": self.length,
                "temperature": self.temperature,
                "temperatures": list(TEMPERATURES), "seed": str(self.seed), "stop": self.stop,
                "conditions": [translate(c, language) for c in self.conditions],
                "condition_label": translate(self.condition_label, language),
                "acrostic_lines": self.acrostic_lines, "line_lengths": list(self.line_lengths),
                "note": translate(self.note, language).replace("{precision}", self.precision),
                "texts": words}

    def page_html(self, weights_size, version):
        """The widget for the static site, in each of the site's languages: its configuration,
        the samples (what a reader without JavaScript sees) and the script that makes it
        live. ``weights_size`` (bytes) and ``version`` (changes with the file) describe the
        weights file, written by :meth:`publish`."""
        web = resources.files(__package__).joinpath("web")
        script = web.joinpath("sampler.js").read_text(encoding="utf-8")
        style = web.joinpath("sampler.css").read_text(encoding="utf-8")
        return localized_html(lambda language: self._page_html(
            self.page_config(weights_size, version, language), script, style, language))

    def _page_html(self, config, script, style, language):
        # UTF-8 like the page (a Chinese vocabulary takes half the bytes of its escapes); no
        # "<" at all, so that neither "</script>" nor "<!--" can end or upset the element
        config = json.dumps(config, separators=(",", ":"), ensure_ascii=False) \
            .replace("<", "\\u003c")
        samples = "".join(
            f'<p class="rnn-sampler-caption">{html.escape(translate(caption, language))}</p>'
            f'<pre class="rnn-sampler-text">{html.escape(text)}</pre>'
            for caption, text in self.samples.items())
        heading = (f'<p class="rnn-sampler-caption">'
                   f'{html.escape(translate(TEXTS["samples"], language))}</p>') \
            if samples else ""
        return (f'<div class="rnn-sampler">\n<style>{style}</style>\n'
                f'<script type="application/json" class="rnn-sampler-config">{config}</script>\n'
                f'<div class="rnn-sampler-static">{heading}{samples}</div>\n'
                f'<script>{script}</script>\n</div>')

    def publish(self, folder):
        """Write the weights file into ``folder`` (the site's _static folder) and return the
        page's HTML that loads it."""
        path = self.weights_path(folder)
        size = write_weights(self.model, self.vocabulary, path, self.precision)
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return self.page_html(size, version)

    def _repr_mimebundle_(self, **kwargs):
        if building_static_site():
            folder = os.environ.get(STATIC_OUTPUTS)
            if not folder:
                raise RuntimeError(f"{STATIC_OUTPUTS}: expected the folder of the site's static "
                                   "outputs (set by rnncourse.site.editions), got none")
            return {"text/html": self.publish(folder), "text/plain": repr(self)}
        if self.widget is None:
            self.widget = self._build_widget()
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return f"Sampler({self.name!r}, {self.model.cell}, {self.model.vocab_size} characters)"

    # -- the Jupyter form ------------------------------------------------------------------

    def _build_widget(self):
        import ipywidgets as widgets
        language = output_language()

        def say(key):
            return translate(TEXTS[key], language)

        style = {"description_width": "110px"}
        low, high, step = TEMPERATURES
        self.controls = {
            "prompt": widgets.Textarea(value=self.prompt, description=say("prompt"), rows=2,
                                       style=style),
            "temperature": widgets.FloatSlider(value=self.temperature, min=low, max=high,
                                               step=step, description=say("temperature"),
                                               style=style),
            "seed": widgets.Text(value=str(self.seed), description=say("seed"), style=style)}
        if self.conditions:
            self.controls["condition"] = widgets.Dropdown(
                options=[(translate(c, language), k) for k, c in enumerate(self.conditions)],
                value=0, description=translate(self.condition_label, language), style=style)
        if self.acrostic_lines:
            self.controls["acrostic"] = widgets.Text(description=say("acrostic"),
                                                     style={"description_width": "initial"})
            self.controls["acrostic"].observe(self._acrostic_changed, names="value")
        self.buttons = {"write": widgets.Button(description=say("write"),
                                                button_style="primary"),
                        "again": widgets.Button(description=say("again"))}
        self.buttons["write"].on_click(lambda _: self._show())
        self.buttons["again"].on_click(lambda _: self._again())
        self.written = widgets.HTML()
        self.status = widgets.HTML()
        self.language = language
        note = translate(self.note, language).replace("{precision}", self.precision)
        return widgets.VBox([*self.controls.values(),
                             widgets.HBox(list(self.buttons.values())), self.status,
                             self.written, widgets.HTML(f"<small>{html.escape(note)}</small>")])

    def _acrostic_changed(self, change):
        self.controls["prompt"].disabled = bool(change["new"].strip())

    def _seed(self):
        """The seed box's number, or None (ASCII digits only, as the page reads it)."""
        text = self.controls["seed"].value.strip()
        return int(text) if re.fullmatch(r"[0-9]+", text) and int(text) <= HIGHEST_SEED \
            else None

    def _again(self):
        seed = self._seed()
        if seed is not None:
            self.controls["seed"].value = str((seed + 1) % 2 ** 64)
        self._show()

    def _show(self):
        values = {name: control.value for name, control in self.controls.items()}
        seed = self._seed()
        acrostic = values.get("acrostic", "")
        prompt = "" if acrostic.strip() else values["prompt"]
        try:
            if seed is None:
                raise ReaderError("bad_seed")
            ids = self.write(prompt, values["temperature"], seed, values.get("condition"),
                             acrostic)
        except ReaderError as error:
            self.status.value = html.escape(error.in_language(self.language))
            return
        wrote = translate(TEXTS["wrote"], self.language).format(
            count=len(ids), temperature=f"{values['temperature']:.2f}", seed=seed)
        self.status.value = html.escape(wrote)
        shown_prompt, shown_text = self.shown(prompt, ids, values.get("condition"))
        self.written.value = (f'<pre style="white-space: pre-wrap"><b>{html.escape(shown_prompt)}'
                              f'</b>{html.escape(shown_text)}</pre>')
