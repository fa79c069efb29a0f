"""rnncore is a library apart from the course: it needs NumPy and nothing else."""

import subprocess
import sys

# Any import outside the standard library, NumPy and rnncore itself fails in this child
# process, as on a machine where only NumPy is installed; the child lists what was refused.
NUMPY_ONLY = """
import importlib.abc, sys
ALLOWED = set(sys.stdlib_module_names) | {"numpy", "rnncore", "org"}  # copy.py probes org
refused = []
class HideTheRest(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in ALLOWED:
            refused.append(name)
            raise ImportError(f"{name} is not installed here")
sys.meta_path.insert(0, HideTheRest())
import numpy as np
import rnncore
lstm = rnncore.LSTM(3, 4, num_layers=2, bidirectional=True, seed=0)
output, _ = lstm(np.ones((5, 2, 3)))
lstm.backward(np.ones_like(output))
model = rnncore.Seq2Seq(6, 7, 8, 9, seed=0)
print(refused, "matplotlib" in sys.modules, "ipywidgets" in sys.modules)
"""


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_rnncore_imports_and_runs_with_numpy_alone():
    result = run(NUMPY_ONLY)
    assert result.returncode == 0, result.stderr
    # nothing was refused, not even an optional import caught with try/except
    assert result.stdout.strip() == "[] False False", result.stdout


def test_the_check_can_fail():
    """The same child process refuses a package outside the allowed set."""
    result = run(NUMPY_ONLY.replace("import rnncore\n", "import rnncore\nimport matplotlib\n"))
    assert result.returncode != 0 and "matplotlib is not installed here" in result.stderr
