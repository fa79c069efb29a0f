"""The gate explorers in real Jupyter front ends: JupyterLab 4 and Notebook 7, with a live
kernel, driven by a mouse in headless Chromium."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

FRONT_ENDS = {"lab": "lab/tree/explorer.ipynb", "notebook": "notebooks/explorer.ipynb"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_jupyter(front_end, folder):
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "JUPYTER_CONFIG_DIR": str(folder / "config"),
           "JUPYTER_RUNTIME_DIR": str(folder / "runtime")}
    command = [str(bin_dir / "jupyter"), front_end, "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=course-test",
               f"--ServerApp.root_dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = open(folder / "server.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=course-test",
                                   timeout=1)
            return server, port
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError((folder / "server.log").read_text())


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_dragging_a_slider_redraws_the_explorer(browser, tmp_path, front_end):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell(
        "from rnncourse.explorers import GRUGateExplorer\nGRUGateExplorer(update=0.9)")]
    nbformat.write(notebook, str(tmp_path / "explorer.ipynb"))
    server, port = start_jupyter(front_end, tmp_path)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"http://127.0.0.1:{port}/{FRONT_ENDS[front_end]}?token=course-test")
        page.wait_for_selector(".jp-Cell .jp-InputArea-editor", timeout=60000)
        page.wait_for_timeout(2000)                    # let the kernel connect
        page.click(".jp-Cell .jp-InputArea-editor")
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(".widget-html-content img", timeout=60000)
        reading = page.locator(".widget-html-content p").first
        assert f"{0.9 ** 20:.1%}" in reading.inner_text()
        before = page.eval_on_selector(".widget-html-content img", "img => img.src")

        knob = page.locator(".widget-slider .noUi-handle").first.bounding_box()
        track = page.locator(".widget-slider .noUi-target").first.bounding_box()
        page.mouse.move(knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2)
        page.mouse.down()
        page.mouse.move(track["x"] + track["width"], knob["y"] + knob["height"] / 2, steps=10)
        page.mouse.up()

        page.wait_for_function("() => document.querySelector('.widget-html-content p')"
                               ".innerText.includes('100.0%')", timeout=30000)
        assert page.locator(".widget-readout").first.inner_text() == "1.00"
        page.wait_for_function("before => document.querySelector('.widget-html-content img')"
                               ".src !== before", arg=before, timeout=10000)
    finally:
        page.close()
        server.terminate()
        server.wait(20)
