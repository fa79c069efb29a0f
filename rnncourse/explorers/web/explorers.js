/* The gate explorers, live in the reader's browser: the maths of rnncourse/explorers/maths.py
 * (tested equal to it), small SVG charts, and controls described by the page.
 *
 * Each explorer is a <div class="rnn-explorer"> holding a JSON configuration (written by
 * rnncourse/explorers/): its kind, its controls, its texts and the fixed numbers it needs
 * (random weights and inputs drawn in Python). Without JavaScript the div shows a static
 * figure of the default setting; with it, the figure is replaced by the live explorer.
 */
(function () {
  "use strict";
  if (window.rnnExplorers) {         // a second explorer on the page brings the script again
    window.rnnExplorers.start();
    return;
  }

  // -- the maths: each function mirrors the one of rnncourse/explorers/maths.py named beside it ---

  const sigmoid = (a) => 1 / (1 + Math.exp(-a));

  // explore.input_pattern; "noise" takes its numbers from Python (numpy's generator)
  function inputPattern(pattern, steps, noise) {
    const x = new Array(steps).fill(0);
    if (pattern === "pulse") x[0] = 1;
    else if (pattern === "two pulses") { x[0] = 1; x[Math.floor(steps / 2)] = -1; }
    else if (pattern === "step") x.fill(1);
    else for (let t = 0; t < steps; t++) x[t] = noise[t];
    return x;
  }

  // explore.memory_survival: f**k for k = 0..steps-1
  function memorySurvival(forget, steps) {
    const s = [];
    for (let k = 0; k < steps; k++) s.push(Math.pow(forget, k));
    return s;
  }

  // explore.constant_gate_lstm with a tanh candidate
  function constantGateLstm(forget, inputGate, outputGate, candidate) {
    const c = [], h = [];
    let previous = 0;
    for (const a of candidate) {
      previous = forget * previous + inputGate * Math.tanh(a);
      c.push(previous);
      h.push(outputGate * Math.tanh(previous));
    }
    return { c, h };
  }

  // explore.constant_gate_gru
  function constantGateGru(update, reset, inputs, inputWeight = 2, recurrentWeight = 1) {
    const h = [];
    let previous = 0;
    for (const x of inputs) {
      const candidate = Math.tanh(inputWeight * x + reset * recurrentWeight * previous);
      previous = (1 - update) * candidate + update * previous;
      h.push(previous);
    }
    return h;
  }

  // explore.lstm_with_forget_bias: one unit, gate order i, f, g, o
  function lstmWithForgetBias(forgetBias, inputs, w) {
    const bias = w.bias_ih.slice();
    bias[1] += forgetBias;
    let h = 0, c = 0;
    const trace = { c: [], h: [], forget: [] };
    for (const x of inputs) {
      const a = [0, 1, 2, 3].map((k) => x * w.weight_ih[k] + bias[k] + h * w.weight_hh[k]
                                        + w.bias_hh[k]);
      const i = sigmoid(a[0]), f = sigmoid(a[1]), g = Math.tanh(a[2]), o = sigmoid(a[3]);
      c = f * c + i * g;
      h = o * Math.tanh(c);
      trace.c.push(c); trace.h.push(h); trace.forget.push(f);
    }
    trace.survival = [1];
    for (let t = 1; t < inputs.length; t++) {
      trace.survival.push(trace.survival[t - 1] * trace.forget[t]);
    }
    return trace;
  }

  // y (m) = x (n) M (n x m)
  function vecMat(x, M) {
    const y = new Array(M[0].length).fill(0);
    for (let i = 0; i < M.length; i++) for (let j = 0; j < y.length; j++) y[j] += x[i] * M[i][j];
    return y;
  }
  const norm = (v) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));

  // explore.gradient_flow: how strongly the input k steps back moves a loss v . h_T
  function gradientFlow(cell, radius, steps, nonlinearity, forgetBias, setup) {
    const w = setup[cell];
    const W = w.weight_hh.map((row) => row.map((a) => radius * a));
    const Wih = w.weight_ih, v = setup.v, H = v.length;
    const norms = new Array(steps).fill(0);
    if (cell === "rnn" && nonlinearity === "identity") {
      let g = v.slice();
      for (let k = 0; k < steps; k++) {
        norms[k] = norm(vecMat(g, Wih));
        g = vecMat(g, W);
      }
      return norms.map((n) => n / norms[0]);
    }
    const lstm = cell === "lstm", relu = nonlinearity === "relu";
    const G = W.length, D = Wih[0].length;               // G: H, or 4H for the LSTM
    const Wf = Float64Array.from(W.flat()), Wi = Float64Array.from(Wih.flat());
    const bias = Float64Array.from(w.bias);
    if (lstm) for (let j = H; j < 2 * H; j++) bias[j] += forgetBias;
    // Typed arrays and plain loops: a move must redraw within a frame.
    const acts = new Float64Array(steps * G), cells = new Float64Array((steps + 1) * H);
    const h = new Float64Array(H), a = new Float64Array(G), da = new Float64Array(G);
    const dh = new Float64Array(H), dc = new Float64Array(H), next = new Float64Array(H);
    const batch = setup.x[0].length;
    for (let b = 0; b < batch; b++) {
      h.fill(0);
      for (let t = 0; t < steps; t++) {
        const x = setup.x[t][b], at = t * G;
        for (let j = 0; j < G; j++) {
          let sum = bias[j];
          for (let l = 0; l < D; l++) sum += Wi[j * D + l] * x[l];
          for (let l = 0; l < H; l++) sum += Wf[j * H + l] * h[l];
          a[j] = sum;
        }
        if (!lstm) {
          for (let j = 0; j < H; j++) {
            acts[at + j] = relu ? a[j] : Math.tanh(a[j]);
            h[j] = relu ? Math.max(a[j], 0) : acts[at + j];
          }
          continue;
        }
        for (let j = 0; j < H; j++) {                     // i, f, g, o; c_t in cells[t + 1]
          const i = sigmoid(a[j]), f = sigmoid(a[H + j]);
          const g = Math.tanh(a[2 * H + j]), o = sigmoid(a[3 * H + j]);
          acts[at + j] = i; acts[at + H + j] = f; acts[at + 2 * H + j] = g;
          acts[at + 3 * H + j] = o;
          const c = f * cells[t * H + j] + i * g;
          cells[(t + 1) * H + j] = c;
          h[j] = o * Math.tanh(c);
        }
      }
      dh.set(v);
      dc.fill(0);
      for (let t = steps - 1; t >= 0; t--) {
        const at = t * G;
        if (!lstm) {
          for (let j = 0; j < H; j++) {
            const s = acts[at + j];
            da[j] = dh[j] * (relu ? (s > 0 ? 1 : 0) : 1 - s * s);
          }
        } else {
          for (let j = 0; j < H; j++) {
            const i = acts[at + j], f = acts[at + H + j], g = acts[at + 2 * H + j];
            const o = acts[at + 3 * H + j], tc = Math.tanh(cells[(t + 1) * H + j]);
            const dct = dc[j] + dh[j] * o * (1 - tc * tc);
            da[j] = dct * g * i * (1 - i);
            da[H + j] = dct * cells[t * H + j] * f * (1 - f);
            da[2 * H + j] = dct * i * (1 - g * g);
            da[3 * H + j] = dh[j] * tc * o * (1 - o);
            dc[j] = dct * f;
          }
        }
        let squares = 0;
        for (let l = 0; l < D; l++) {
          let sum = 0;
          for (let j = 0; j < G; j++) sum += da[j] * Wi[j * D + l];
          squares += sum * sum;
        }
        norms[steps - 1 - t] += Math.sqrt(squares) / batch;
        next.fill(0);
        for (let j = 0; j < G; j++) {
          const d = da[j];
          for (let l = 0; l < H; l++) next[l] += d * Wf[j * H + l];
        }
        dh.set(next);
      }
    }
    return norms.map((n) => n / norms[0]);
  }

  // -- numbers as Python prints them ------------------------------------------------------

  // toFixed and toExponential round an exact tie away from zero; Python rounds it to even.
  function pythonRound(value, digits, method) {
    const rounded = value[method](digits);
    // A double that is not a tie shows a nonzero digit well within 25 more places.
    const extra = Math.min(100, digits + 25) - digits;
    const long = value[method](digits + extra);
    const [longMantissa, exponent] = long.split("e");
    const rest = longMantissa.slice(longMantissa.length - extra);
    if (!/^50*$/.test(rest)) return rounded;
    const truncated = longMantissa.slice(0, longMantissa.length - extra).replace(/\.$/, "");
    if (Number(truncated.slice(-1)) % 2 !== 0) return rounded;
    return exponent === undefined ? truncated : `${truncated}e${exponent}`;
  }

  const SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

  function format(value, spec) {
    const [kind, digits] = spec;
    if (kind === "percent") return pythonRound(100 * value, digits, "toFixed") + "%";
    if (kind === "exp") {
      const [mantissa, exponent] = pythonRound(value, digits, "toExponential").split("e");
      const e = Number(exponent);       // written a×10ⁿ, as rnncourse.site.i18n.times_ten does
      if (e === 0) return mantissa;
      const power = [...String(Math.abs(e))].map((digit) => SUPERSCRIPT_DIGITS[digit]);
      return `${mantissa}×10${e < 0 ? "⁻" : ""}${power.join("")}`;
    }
    if (kind === "int") return String(value);
    return pythonRound(value, digits, "toFixed");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => values[name]);
  }

  // -- the explorers: the numbers for given control values, and what to draw -------------

  const KINDS = {
    lstm(values, data) {
      const x = inputPattern(values.pattern, values.steps, data.noise);
      const out = { x };
      if (values.mode === "from a real LSTM") {
        Object.assign(out, lstmWithForgetBias(values.forget_bias, x, data.one_unit_lstm));
      } else {
        Object.assign(out, constantGateLstm(values.forget, values.input_gate, values.output_gate,
                                            x.map((a) => data.input_weight * a)));
        out.survival = memorySurvival(values.forget, values.steps);
      }
      return out;
    },
    gru(values, data) {
      const x = inputPattern(values.pattern, values.steps, data.noise);
      return { x, h: constantGateGru(values.update, values.reset, x, data.input_weight),
               survival: memorySurvival(values.update, values.steps) };
    },
    flow(values, data) {
      const cell = values.lstm ? "lstm" : "rnn";
      const relative = gradientFlow(cell, values.spectral_radius, values.steps,
                                    values.nonlinearity, values.forget_bias, data.flow);
      return { distance: relative.map((_, k) => k), relative, cell };
    },
  };

  // The reading under the plot: which number it quotes, picked as in widgets.py.
  const READINGS = {
    survival(out, config) {
      const k = Math.min(20, out.survival.length - 1);
      return fill(config.reading, { k: format(k, ["int"]),
                                    share: format(out.survival[k], ["percent", 1]) });
    },
    flow(out, config) {
      const k = out.relative.length - 1, ratio = out.relative[k];
      const verdict = ratio < 1e-3 ? config.verdicts.vanishes
        : ratio > 1e3 ? config.verdicts.explodes : config.verdicts.survives;
      return fill(config.reading, { k: format(k, ["int"]), ratio: format(ratio, ["exp", 1]),
                                    verdict });
    },
  };

  // -- a small SVG line chart whose text is drawn at the page's own size ------------------

  const SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  function niceTicks(lo, hi, count) {
    const span = hi - lo || 1;
    const raw = span / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
      ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return ticks;
  }

  const SUPERSCRIPT = { "-": "\u207b", 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3",
                       4: "\u2074", 5: "\u2075", 6: "\u2076", 7: "\u2077", 8: "\u2078",
                       9: "\u2079" };
  function tickLabel(t, log) {
    if (log) {
      const power = String(Math.round(Math.log10(t)));
      return "10" + [...power].map((ch) => SUPERSCRIPT[ch]).join("");
    }
    return String(Number(t.toPrecision(6))).replace("-", "\u2212");
  }

  class Chart {
    constructor(parent, spec) {
      this.spec = spec;
      this.box = document.createElement("div");
      this.box.className = "rnn-chart";
      parent.appendChild(this.box);
      this.svg = el("svg", { role: "img" }, this.box);
      this.title = el("title", {}, this.svg);
      this.title.textContent = spec.title;
    }

    draw(series, xmax) {
      const s = this.spec, width = Math.max(this.box.clientWidth, 240), height = s.height || 230;
      const legend = series.filter((line) => line.label);
      // The legend is a row under the title, so that no curve runs through it.
      const m = { left: 56, right: 12, top: legend.length ? 50 : 30, bottom: 44 };
      const w = width - m.left - m.right, h = height - m.top - m.bottom;
      this.svg.setAttribute("width", width);
      this.svg.setAttribute("height", height);
      this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
      while (this.svg.lastChild !== this.title) this.svg.removeChild(this.svg.lastChild);

      let [ylo, yhi] = s.ylim || s.span || [Infinity, -Infinity];
      if (!s.ylim) {
        for (const line of series) for (const y of line.y) {
          if (Number.isFinite(y)) { ylo = Math.min(ylo, y); yhi = Math.max(yhi, y); }
        }
        if (ylo === yhi) { ylo -= 0.5; yhi += 0.5; }
        const pad = 0.05 * (yhi - ylo);
        ylo -= pad; yhi += pad;
      }
      const fy = s.log ? (y) => Math.log10(y) : (y) => y;
      const [flo, fhi] = [fy(ylo), fy(yhi)];
      const X = (x) => m.left + (w * x) / xmax;
      const Y = (y) => m.top + h - (h * (fy(Math.min(Math.max(y, ylo), yhi)) - flo)) / (fhi - flo);

      const grid = el("g", { class: "rnn-grid" }, this.svg);
      const yticks = s.log ? niceTicks(flo, fhi, 5).map((e) => Math.pow(10, e))
                           : niceTicks(ylo, yhi, 4);
      for (const t of yticks) {
        el("line", { x1: m.left, x2: m.left + w, y1: Y(t), y2: Y(t) }, grid);
        el("text", { x: m.left - 6, y: Y(t), "text-anchor": "end", "dominant-baseline": "middle",
                     class: "rnn-tick" }, this.svg).textContent = tickLabel(t, s.log);
      }
      for (const t of niceTicks(0, xmax, Math.max(2, Math.floor(w / 70)))) {
        el("line", { x1: X(t), x2: X(t), y1: m.top, y2: m.top + h }, grid);
        el("text", { x: X(t), y: m.top + h + 16, "text-anchor": "middle", class: "rnn-tick" },
           this.svg).textContent = tickLabel(t, false);
      }
      for (const line of s.rules || []) {
        el("line", { x1: m.left, x2: m.left + w, y1: Y(line), y2: Y(line), class: "rnn-rule" },
           this.svg);
      }
      el("rect", { x: m.left, y: m.top, width: w, height: h, class: "rnn-frame" }, this.svg);
      for (const line of series) {
        const points = [];
        line.y.forEach((y, k) => {
          const x = X(line.x[k]);
          if (line.steps && k > 0) points.push(`${x - (X(1) - X(0)) / 2},${Y(line.y[k - 1])}`,
                                               `${x - (X(1) - X(0)) / 2},${Y(y)}`);
          points.push(`${x},${Y(y)}`);
        });
        el("polyline", { points: points.join(" "), fill: "none", stroke: line.color,
                         "stroke-width": line.width || 2.5, "stroke-opacity": line.opacity || 1,
                         "stroke-linejoin": "round" }, this.svg);
      }
      el("text", { x: m.left, y: 18, class: "rnn-chart-title" }, this.svg).textContent = s.title;
      el("text", { x: m.left + w / 2, y: height - 6, "text-anchor": "middle",
                   class: "rnn-axis-label" }, this.svg).textContent = s.xlabel;
      let x = m.left;
      for (const line of legend) {
        const y = 38;
        el("line", { x1: x, x2: x + 18, y1: y, y2: y, stroke: line.color,
                     "stroke-width": 3, "stroke-opacity": line.opacity || 1 }, this.svg);
        const label = el("text", { x: x + 24, y, "dominant-baseline": "middle",
                                   class: "rnn-legend" }, this.svg);
        label.textContent = line.label;
        x += 24 + label.getComputedTextLength() + 16;
      }
    }
  }

  // -- controls ---------------------------------------------------------------------------

  function buildControl(spec, onChange) {
    const row = document.createElement("div");
    row.className = "rnn-control";
    const label = document.createElement("label");
    const id = `rnn-${spec.name}-${Math.random().toString(36).slice(2, 8)}`;
    label.htmlFor = id;
    label.textContent = spec.label;
    let input, show = null, read;
    if (spec.type === "range") {
      input = document.createElement("input");
      Object.assign(input, { type: "range", min: spec.min, max: spec.max, step: spec.step,
                             value: spec.value });
      show = document.createElement("output");
      show.htmlFor = id;
      read = () => Number(input.value);
    } else if (spec.type === "select" || spec.type === "toggle") {
      input = document.createElement("select");
      for (const option of spec.options) {
        const node = document.createElement("option");
        node.value = option[0];
        node.textContent = option[1];
        input.appendChild(node);
      }
      input.value = spec.value;
      read = () => input.value;
    } else {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = spec.value;
      read = () => input.checked;
    }
    input.id = id;
    input.name = spec.name;
    const update = () => {
      if (show) show.textContent = format(read(), spec.format || ["fixed", 2]);
      onChange();
    };
    input.addEventListener(spec.type === "range" ? "input" : "change", update);
    if (spec.type === "checkbox") row.append(input, label);
    else row.append(label, input);
    if (show) {
      show.textContent = format(read(), spec.format || ["fixed", 2]);
      row.appendChild(show);
    }
    return { spec, row, input, read };
  }

  // -- one explorer on the page ------------------------------------------------------------

  class Explorer {
    constructor(root, config) {
      this.root = root;
      this.config = config;
      this.data = config.data;
      root.querySelector(".rnn-explorer-static").hidden = true;
      const live = document.createElement("div");
      live.className = "rnn-explorer-live";
      const controls = document.createElement("div");
      controls.className = "rnn-controls";
      this.controls = {};
      for (const spec of config.controls) {
        const control = buildControl(spec, () => this.update());
        this.controls[spec.name] = control;
        controls.appendChild(control.row);
      }
      const panels = document.createElement("div");
      panels.className = "rnn-panels";
      this.charts = config.panels.map((panel) => new Chart(panels, panel));
      this.readingNode = document.createElement("p");
      this.readingNode.className = "rnn-reading";
      this.readingNode.setAttribute("aria-live", "polite");
      const note = document.createElement("p");
      note.className = "rnn-note";
      note.textContent = config.note;
      live.append(controls, panels, this.readingNode, note);
      root.appendChild(live);
      this.update();
      let width = panels.clientWidth;
      new ResizeObserver(() => {
        if (panels.clientWidth !== width) { width = panels.clientWidth; this.redraw(); }
      }).observe(panels);
    }

    values() {
      const values = {};
      for (const [name, control] of Object.entries(this.controls)) values[name] = control.read();
      return values;
    }

    // set a control as a reader would, and let the page react (used by the browser tests)
    set(name, value) {
      const input = this.controls[name].input;
      if (input.type === "checkbox") input.checked = value; else input.value = value;
      input.dispatchEvent(new Event(input.type === "range" ? "input" : "change"));
    }

    update() {
      const start = performance.now();
      const values = this.values();
      for (const [name, rule] of Object.entries(this.config.enabled_when || {})) {
        const control = this.controls[name];
        control.input.disabled = values[rule[0]] !== rule[1];
        control.row.classList.toggle("rnn-disabled", control.input.disabled);
      }
      this.output = KINDS[this.config.kind](values, this.data);
      this.reading = READINGS[this.config.reading_kind](this.output, this.config);
      this.redraw();
      this.readingNode.textContent = this.reading;
      this.lastUpdateMs = performance.now() - start;
    }

    redraw() {
      const out = this.output;
      this.config.panels.forEach((panel, k) => {
        const series = panel.series.map((line) => {
          const y = out[line.key];
          const x = line.against === "distance" ? out.distance
            : line.against === "k" ? y.map((_, j) => j) : y.map((_, j) => j + 1);
          const color = line.colors ? line.colors[out.cell] : line.color;
          return { ...line, x, y: panel.clip ? y.map((a) => Math.min(Math.max(a, panel.clip[0]),
                                                                      panel.clip[1])) : y,
                   color };
        });
        const xmax = panel.series[0].against === "step" ? out.x.length
          : out[panel.series[0].key].length - 1;
        this.charts[k].draw(series, Math.max(xmax, 1));
      });
    }
  }

  const instances = [];
  function start() {
    for (const root of document.querySelectorAll(".rnn-explorer")) {
      if (root.dataset.started) continue;
      root.dataset.started = "yes";
      const config = JSON.parse(root.querySelector("script.rnn-explorer-config").textContent);
      instances.push(new Explorer(root, config));
    }
  }
  window.rnnExplorers = { instances, start, maths: { inputPattern, memorySurvival,
    constantGateLstm, constantGateGru, lstmWithForgetBias, gradientFlow, format } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
