/* The text sampler, live in the reader's browser: rnncore.text.generate in float64, with the
 * weights of a character language model that rnncourse/explorers/sampler.py wrote to a file of
 * their own (tested to write what Python writes, character for character).
 *
 * Each sampler is a <div class="rnn-sampler"> holding a JSON configuration: the weights file
 * (relative to the site's root), the starting setting and the widget's words. Without
 * JavaScript the div shows samples written beforehand; with it, they give way to the widget.
 * The weights load on the first press of Write, by a <script> element (which, unlike fetch,
 * also loads under file://).
 */
(function () {
  "use strict";
  if (window.rnnSamplers) {          // a second sampler on the page brings the script again
    window.rnnSamplers.start();
    return;
  }

  // -- sampling: each mirrors the one of rnncore/text.py named beside it ---------------------

  const MASK = (1n << 64n) - 1n;

  // text.SplitMix64
  class SplitMix64 {
    constructor(seed) { this.state = BigInt(seed) & MASK; }

    nextUint64() {
      this.state = (this.state + 0x9E3779B97F4A7C15n) & MASK;
      let z = this.state;
      z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
      z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
      return z ^ (z >> 31n);
    }

    random() { return Number(this.nextUint64() >> 11n) * 2 ** -53; }
  }

  // text.sample_index: the same float operations in the same order, so the same pick
  function sampleIndex(logits, temperature, rng) {
    let top = -Infinity, best = 0;
    for (let k = 0; k < logits.length; k++) {
      if (logits[k] > top) { top = logits[k]; best = k; }
    }
    if (temperature === 0) return best;
    const weights = new Float64Array(logits.length);
    let total = 0;
    for (let k = 0; k < logits.length; k++) {
      weights[k] = Math.exp((logits[k] - top) / temperature);
      total += weights[k];
    }
    const threshold = rng.random() * total;
    let running = 0;
    for (let k = 0; k < weights.length; k++) {
      running += weights[k];
      if (running > threshold) return k;
    }
    return weights.length - 1;      // u * total rounded up to the total itself
  }

  const sigmoid = (a) => 1 / (1 + Math.exp(-a));

  // out = W x + b for W (rows x n), row-major as torch.nn stores it. Four rows at a time share
  // each read of x, which makes a step about 1.5 times as fast; each row still sums in order.
  function affine(out, W, b, x, n) {
    const rows = out.length;
    let j = 0;
    for (; j + 4 <= rows; j += 4) {
      const r0 = j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < n; k++) {
        const xk = x[k];
        s0 += W[r0 + k] * xk; s1 += W[r1 + k] * xk; s2 += W[r2 + k] * xk; s3 += W[r3 + k] * xk;
      }
      out[j] = s0 + b[j]; out[j + 1] = s1 + b[j + 1];
      out[j + 2] = s2 + b[j + 2]; out[j + 3] = s3 + b[j + 3];
    }
    for (; j < rows; j++) {
      let sum = 0;
      for (let k = 0, row = j * n; k < n; k++) sum += W[row + k] * x[k];
      out[j] = sum + b[j];
    }
  }

  // text.LanguageModel at inference: Embedding -> RNN, LSTM or GRU layers -> Linear readout
  class Model {
    constructor(spec, params) {
      Object.assign(this, { cell: spec.cell, vocabulary: [...spec.vocabulary],
                            H: spec.hidden_size, layers: spec.num_layers,
                            E: spec.embedding_dim });
      const G = { rnn: 1, lstm: 4, gru: 3 }[this.cell] * this.H;
      this.embedding = params["embedding.weight"];
      this.weights = [];
      for (let l = 0; l < this.layers; l++) {
        const p = (name) => params[`recurrent.${name}_l${l}`];
        this.weights.push({ ih: p("weight_ih"), hh: p("weight_hh"), bih: p("bias_ih"),
                            bhh: p("bias_hh") });
      }
      this.readout = params["readout.weight"];
      this.readoutBias = params["readout.bias"];
      this.initial = params.initial_state;
      this.gi = new Float64Array(G);
      this.gh = new Float64Array(G);
      this.logits = new Float64Array(this.vocabulary.length);
      // The first layer's input side depends on the token alone: kept once computed, when all
      // of them fit in 8 MB (a small vocabulary's, where it is a seventh of a step's work).
      const V = this.vocabulary.length;
      this.byToken = V * G <= 1 << 20 ? new Float64Array(V * G) : null;
      this.known = new Uint8Array(V);
    }

    // the first layer's W_ih x + b_ih for the token's embedding x
    inputSide(token) {
      const w = this.weights[0], G = this.gi.length, E = this.E;
      const x = this.embedding.subarray(token * E, (token + 1) * E);
      if (!this.byToken) {
        affine(this.gi, w.ih, w.bih, x, E);
        return this.gi;
      }
      const kept = this.byToken.subarray(token * G, (token + 1) * G);
      if (!this.known[token]) {
        affine(kept, w.ih, w.bih, x, E);
        this.known[token] = 1;
      }
      return kept;
    }

    // text.LanguageModel.initial_state: zeros, or the condition's learnt row laid out
    // (states, layers, H), the LSTM's h then c
    start(condition) {
      const { H, layers } = this;
      const state = { h: [], c: [] };
      for (let l = 0; l < layers; l++) {
        state.h.push(new Float64Array(H));
        if (this.cell === "lstm") state.c.push(new Float64Array(H));
      }
      if (condition === null) return state;
      const states = this.cell === "lstm" ? [state.h, state.c] : [state.h];
      const row = condition * states.length * layers * H;
      states.forEach((kind, s) => kind.forEach((vector, l) => {
        vector.set(this.initial.subarray(row + (s * layers + l) * H,
                                         row + (s * layers + l + 1) * H));
      }));
      return state;
    }

    // one step of the forward (rnncore.cells' step functions): reads token, updates state,
    // returns the logits for the next token (overwritten by the next step)
    step(token, state) {
      const { H, gh } = this;
      let x = null;
      for (let l = 0; l < this.layers; l++) {
        const w = this.weights[l], h = state.h[l];
        let gi = this.gi;
        if (l === 0) gi = this.inputSide(token);
        else affine(gi, w.ih, w.bih, x, H);
        affine(gh, w.hh, w.bhh, h, H);
        if (this.cell === "rnn") {
          for (let j = 0; j < H; j++) h[j] = Math.tanh(gi[j] + gh[j]);
        } else if (this.cell === "lstm") {          // gates i, f, g, o
          const c = state.c[l];
          for (let j = 0; j < H; j++) {
            const i = sigmoid(gi[j] + gh[j]), f = sigmoid(gi[H + j] + gh[H + j]);
            const g = Math.tanh(gi[2 * H + j] + gh[2 * H + j]);
            const o = sigmoid(gi[3 * H + j] + gh[3 * H + j]);
            c[j] = f * c[j] + i * g;
            h[j] = o * Math.tanh(c[j]);
          }
        } else {                                    // gates r, z, n; the reset after W_hn h
          for (let j = 0; j < H; j++) {
            const r = sigmoid(gi[j] + gh[j]), z = sigmoid(gi[H + j] + gh[H + j]);
            const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
            h[j] = (1 - z) * n + z * h[j];
          }
        }
        x = h;
      }
      affine(this.logits, this.readout, this.readoutBias, x, H);
      return this.logits;
    }
  }

  // text.generate, one token at a time; stop ends the text once every forced token is in
  function* tokens(model, prompt, length, temperature, seed, condition, forced, stop) {
    const rng = new SplitMix64(seed);
    const state = model.start(condition);
    let logits;
    for (const token of prompt) logits = model.step(token, state);
    const lastForced = Math.max(-1, ...forced.keys());
    for (let position = 0; position < length; position++) {
      const token = forced.has(position) ? forced.get(position)
        : sampleIndex(logits, temperature, rng);
      yield token;
      if ((token === stop && position > lastForced) || position + 1 === length) return;
      logits = model.step(token, state);
    }
  }

  function generate(model, prompt, length, temperature, seed, condition = null,
                    forced = new Map(), stop = -1) {
    return [...tokens(model, prompt, length, temperature, seed, condition, forced, stop)];
  }

  // -- the weights file --------------------------------------------------------------------

  // Every float16 bit pattern as the float64 it is exactly.
  let halves = null;
  function halfTable() {
    if (halves) return halves;
    halves = new Float64Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
      const exponent = (bits >> 10) & 31, fraction = bits & 1023;
      const magnitude = exponent === 0 ? fraction * 2 ** -24
        : exponent === 31 ? (fraction ? NaN : Infinity)
        : (1024 + fraction) * 2 ** (exponent - 25);
      halves[bits] = bits >> 15 ? -magnitude : magnitude;
    }
    return halves;
  }

  // The file's numbers: base64, raw deflate, bytes grouped by place (write_weights in
  // sampler.py), little-endian float16 or float32; each parameter as a Float64Array.
  async function unpack(file) {
    if (typeof DecompressionStream === "undefined") throw new Error("no_unpacking");
    const text = atob(file.data);
    const packed = new Uint8Array(text.length);
    for (let k = 0; k < text.length; k++) packed[k] = text.charCodeAt(k);
    const stream = new Blob([packed]).stream()
      .pipeThrough(new DecompressionStream("deflate-raw"));
    const grouped = new Uint8Array(await new Response(stream).arrayBuffer());
    const width = file.precision === "float16" ? 2 : 4, count = grouped.length / width;
    const values = new Float64Array(count);
    if (width === 2) {
      const table = halfTable();
      for (let k = 0; k < count; k++) values[k] = table[grouped[k] | (grouped[count + k] << 8)];
    } else {
      // the four bytes in one word, read as a float32 (the two views share their byte order)
      const word = new Uint32Array(1), single = new Float32Array(word.buffer);
      for (let k = 0; k < count; k++) {
        word[0] = grouped[k] | (grouped[count + k] << 8) | (grouped[2 * count + k] << 16)
                  | (grouped[3 * count + k] << 24);
        values[k] = single[0];
      }
    }
    const params = {};
    let offset = 0;
    for (const [name, shape] of file.parameters) {
      const size = shape.reduce((a, b) => a * b, 1);
      params[name] = values.subarray(offset, offset + size);
      offset += size;
    }
    return new Model(file, params);
  }

  const loading = {};               // weights URL -> the promise of its model
  function loadModel(url, name) {
    if (!loading[url]) {
      loading[url] = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = url;
        script.onload = () => {
          const files = window.rnnSamplerWeights || {};
          const file = files[name];
          delete files[name];       // the model keeps the numbers; the text can go
          if (file) resolve(file); else reject(new Error("failed"));
        };
        script.onerror = () => reject(new Error("failed"));
        document.head.appendChild(script);
      }).then(unpack);
      loading[url].catch(() => delete loading[url]);      // a later press tries again
    }
    return loading[url];
  }

  // -- one sampler on the page -------------------------------------------------------------

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => values[name]);
  }

  function element(name, attributes) {
    const node = document.createElement(name);
    Object.assign(node, attributes || {});
    return node;
  }

  // a labelled control in its row, and what follows it on the row
  let counter = 0;
  function field(parent, label, input, extra) {
    input.id = `rnn-sampler-${++counter}`;
    const row = element("div", { className: "rnn-control" });
    row.append(element("label", { htmlFor: input.id, textContent: label }), input,
               ...(extra || []));
    parent.appendChild(row);
    return row;
  }

  class Sampler {
    constructor(root, config) {
      this.root = root;
      this.config = config;
      this.texts = config.texts;
      this.runs = 0;
      root.querySelector(".rnn-sampler-static").hidden = true;
      const form = element("form", { className: "rnn-sampler-live", noValidate: true });
      const controls = element("div", { className: "rnn-controls" });
      this.inputs = {};
      this.inputs.prompt = element("textarea", { name: "prompt", rows: 2,
                                                 value: config.prompt, spellcheck: false });
      this.promptRow = field(controls, this.texts.prompt, this.inputs.prompt);
      this.promptRow.classList.add("rnn-sampler-prompt");
      const [low, high, step] = config.temperatures;
      this.inputs.temperature = element("input", { type: "range", name: "temperature",
                                                   min: low, max: high, step,
                                                   value: config.temperature });
      this.temperatureShown = element("output");
      field(controls, this.texts.temperature, this.inputs.temperature, [this.temperatureShown])
        .classList.add("rnn-sampler-wide");
      this.temperatureShown.htmlFor = this.inputs.temperature.id;
      this.inputs.seed = element("input", { type: "text", name: "seed", value: config.seed,
                                            inputMode: "numeric", autocomplete: "off",
                                            size: 8 });
      const again = element("button", { type: "button", name: "again",
                                        textContent: this.texts.again });
      field(controls, this.texts.seed, this.inputs.seed, [again]);
      if (config.conditions.length) {
        this.inputs.condition = element("select", { name: "condition" });
        config.conditions.forEach((label, k) => {
          this.inputs.condition.appendChild(element("option", { value: k, textContent: label }));
        });
        field(controls, config.condition_label, this.inputs.condition);
      }
      if (config.acrostic_lines) {
        this.inputs.acrostic = element("input", { type: "text", name: "acrostic",
                                                  autocomplete: "off", spellcheck: false,
                                                  size: config.acrostic_lines + 2 });
        field(controls, this.texts.acrostic, this.inputs.acrostic)
          .classList.add("rnn-sampler-wide");
      }
      const actions = element("div", { className: "rnn-sampler-actions" });
      this.writeButton = element("button", { type: "submit", name: "write",
                                             className: "rnn-sampler-write",
                                             textContent: this.texts.write });
      this.status = element("p", { className: "rnn-sampler-status" });
      this.status.setAttribute("role", "status");
      actions.append(this.writeButton, this.status);
      this.output = element("pre", { className: "rnn-sampler-text" });
      this.output.hidden = true;
      const note = element("p", { className: "rnn-note", textContent: config.note });
      form.append(controls, actions, this.output, note);
      root.appendChild(form);

      this.say("first_use", { size: config.size });
      this.showTemperature();
      this.inputs.temperature.addEventListener("input", () => this.showTemperature());
      if (this.inputs.acrostic) {
        this.inputs.acrostic.addEventListener("input", () => this.promptApplies());
      }
      form.addEventListener("submit", (event) => { event.preventDefault(); this.write(); });
      // In the prompt, Enter is a new line; Ctrl+Enter (or Cmd+Enter) writes.
      this.inputs.prompt.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          this.write();
        }
      });
      again.addEventListener("click", () => this.again());
    }

    say(key, values, problem = false) {
      this.status.textContent = fill(this.texts[key], values || {});
      this.status.classList.toggle("rnn-sampler-problem", problem);
    }

    showTemperature() {
      const value = Number(this.inputs.temperature.value);
      this.temperatureShown.textContent = value === 0 ? this.texts.most_likely
        : value.toFixed(2);
    }

    // the prompt is not used with an acrostic: shown disabled while one is typed
    promptApplies() {
      const off = this.acrostic().length > 0;
      this.inputs.prompt.disabled = off;
      this.promptRow.classList.toggle("rnn-disabled", off);
    }

    acrostic() {
      return this.inputs.acrostic ? [...this.inputs.acrostic.value.replace(/\s/g, "")] : [];
    }

    seed() {
      const text = this.inputs.seed.value.trim();
      return /^\d+$/.test(text) && BigInt(text) <= MASK ? BigInt(text) : null;
    }

    again() {
      const seed = this.seed();
      if (seed !== null) this.inputs.seed.value = String((seed + 1n) & MASK);
      return this.write();
    }

    // Sampler.shown in sampler.py: a poem model's text broken into its lines
    lines(prompt, text, condition) {
      if (!this.config.line_lengths.length) return [prompt, text];
      const line = this.config.line_lengths[condition || 0], parts = ["", ""];
      [...prompt + text].forEach((character, k) => {
        parts[k < [...prompt].length ? 0 : 1] += character + ((k + 1) % line ? "" : "\n");
      });
      return parts;
    }

    // What the reader set, as token ids and the options of text.generate; or a problem.
    setting() {
      const c = this.config, index = new Map([...c.vocabulary].map((ch, k) => [ch, k]));
      const acrostic = this.acrostic();
      const prompt = acrostic.length ? "" : this.inputs.prompt.value;
      const seed = this.seed();
      if (seed === null) return { problem: "bad_seed" };
      if (acrostic.length > c.acrostic_lines) {
        return { problem: "too_long", values: { lines: c.acrostic_lines } };
      }
      const unknown = [...new Set([...prompt, ...acrostic])].filter((ch) => !index.has(ch));
      if (unknown.length) {
        unknown.sort();
        return { problem: "unknown",
                 values: { characters: unknown.map((ch) => JSON.stringify(ch)).join(" ") } };
      }
      const start = [...c.prefix + prompt].map((ch) => index.get(ch));
      if (!start.length) return { problem: "empty" };
      const condition = this.inputs.condition ? Number(this.inputs.condition.value) : null;
      const line = acrostic.length ? c.line_lengths[condition || 0] : 0;
      const forced = new Map(acrostic.map((ch, k) => [k * line, index.get(ch)]));
      return { prompt, start, seed, condition, forced,
               temperature: Number(this.inputs.temperature.value),
               stop: c.stop === null ? -1 : index.get(c.stop) };
    }

    // Write with the current setting; resolves to the written ids (or null if it did not).
    // A press while writing starts over with the new setting.
    async write() {
      const run = ++this.runs;
      const setting = this.setting();
      if (setting.problem) {
        this.say(setting.problem, setting.values, true);
        return null;
      }
      if (!this.model) {
        this.say("loading", { size: this.config.size });
        const root = document.documentElement.dataset.content_root || "";
        try {
          this.model = await loadModel(root + this.config.weights, this.config.name);
        } catch (error) {
          if (run === this.runs) {
            this.say(error.message === "no_unpacking" ? "no_unpacking" : "failed", {}, true);
          }
          return null;
        }
        if (run !== this.runs) return null;
      }
      const s = setting, vocabulary = this.model.vocabulary;
      const written = [], prompt = element("b"), shown = element("span");
      this.output.replaceChildren(prompt, shown);
      this.output.hidden = false;
      const show = () => {
        [prompt.textContent, shown.textContent] = this.lines(
          s.prompt, written.map((k) => vocabulary[k]).join(""), s.condition);
      };
      let pause = performance.now();
      for (const token of tokens(this.model, s.start, this.config.length, s.temperature,
                                 s.seed, s.condition, s.forced, s.stop)) {
        written.push(token);
        // a long text appears as it is written, and the page stays responsive
        if (performance.now() - pause > 30) {
          show();
          await new Promise((resume) => setTimeout(resume));
          if (run !== this.runs) return null;
          pause = performance.now();
        }
      }
      show();
      this.say("wrote", { count: written.length, temperature: s.temperature.toFixed(2),
                          seed: String(s.seed) });
      this.written = written;
      return written;
    }
  }

  const instances = [];
  function start() {
    for (const root of document.querySelectorAll(".rnn-sampler")) {
      if (root.dataset.started) continue;
      root.dataset.started = "yes";
      const config = JSON.parse(root.querySelector("script.rnn-sampler-config").textContent);
      instances.push(new Sampler(root, config));
    }
  }
  window.rnnSamplers = { instances, start, loadModel,
                         maths: { SplitMix64, sampleIndex, generate, Model } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
