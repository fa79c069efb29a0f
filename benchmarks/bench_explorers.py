"""Time one move of each gate explorer on the static site, in headless Chromium (target: one
frame, 16 ms).

    python benchmarks/bench_explorers.py [--moves N]

Needs the built site (`make book`) and Chromium with Playwright (`make test` installs both).
A move sets a control, runs the explorer's update (the maths of rnncourse/explorers/maths.py in
JavaScript, then the SVG redraw) and forces the page's layout, all timed inside the page. The
baseline, measured in the same page, is the browser's own frame interval
(requestAnimationFrame): a ratio below 1 means a move fits in one frame.
"""

import argparse
import functools
import http.server
import shutil
import statistics
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

HTML = Path(__file__).resolve().parents[1] / "_build" / "html"
PAGES = {"lstm": "book/lstm.html", "gru": "book/gru.html", "flow": "book/bptt.html"}

# (explorer, control, values a move alternates between): the heaviest settings of each
MOVES = [
    ("lstm", "forget", [0.5, 0.95], {"steps": 200, "pattern": "noise"}),
    ("lstm", "forget_bias", [-3.0, 6.0], {"mode": "from a real LSTM", "steps": 200}),
    ("gru", "update", [0.5, 0.95], {"steps": 200, "pattern": "noise"}),
    ("flow", "spectral_radius", [0.8, 1.2], {"steps": 200}),
    ("flow", "forget_bias", [0.0, 5.0], {"lstm": True, "steps": 200}),
]

TIME_MOVES = """([kind, name, values, setting, moves]) => {
    const e = rnnExplorers.instances.find((i) => i.config.kind === kind);
    const set = (control, value) => {
        const input = e.controls[control].input;
        if (input.type === "checkbox") input.checked = value; else input.value = value;
    };
    for (const [control, value] of Object.entries(setting)) set(control, value);
    e.update();
    const times = [];
    for (let k = 0; k < moves; k++) {
        set(name, values[k % values.length]);
        const start = performance.now();
        e.update();
        void e.root.getBoundingClientRect().height;     // the layout the move causes
        times.push(performance.now() - start);
    }
    return times;
}"""

FRAME = """() => new Promise((done) => {
    const stamps = [];
    const tick = (t) => { stamps.push(t); if (stamps.length < 61) requestAnimationFrame(tick);
                          else done((stamps[60] - stamps[0]) / 60); };
    requestAnimationFrame(tick);
})"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200)
    args = parser.parse_args()
    if not (HTML / PAGES["lstm"]).exists():
        parser.error("build the site first: make book")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        print(f"{'explorer':9}{'control':17}{'median ms':>10}{'p95 ms':>9}"
              f"{'frame ms':>10}{'p95 / frame':>13}")
        for kind, name, values, setting in MOVES:
            url = f"http://127.0.0.1:{server.server_address[1]}/{PAGES[kind]}"
            if page.url != url:
                page.goto(url, wait_until="load")
                page.wait_for_function("() => window.rnnExplorers && "
                                       "rnnExplorers.instances.length")
            times = sorted(page.evaluate(TIME_MOVES, [kind, name, values, setting,
                                                      args.moves]))
            frame = page.evaluate(FRAME)
            p95 = times[int(0.95 * len(times))]
            print(f"{kind:9}{name:17}{statistics.median(times):10.2f}{p95:9.2f}"
                  f"{frame:10.2f}{p95 / frame:13.2f}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
