"""rnncourse: the course's own tooling, built on the rnncore library.

rnncore (beside this package) is the library a learner can take anywhere: it needs NumPy and
nothing else. Everything here serves the course itself and needs matplotlib, ipywidgets or
nbgrader:

    diagrams.py      the architecture figures (unrolled RNN, LSTM and GRU cells, patterns)
    plotting.py      the charts and the course's colours
    explore.py       the numbers behind the chapters' experiments and the gate explorers
    widgets.py       the gate explorers: ipywidgets sliders for LSTM, GRU and gradient flow
    training.py      N-to-1 tasks, a sequence model and the training loop
    experiments.py   the long-range experiments (python -m rnncourse.experiments)
    results/         the sweep's results, read by the summary chapter
    grading.py       the assignments' checks and their messages
    manifest.py      the course's chapters and assignments, read from _toc.yml and solutions/
    instructor/      sample submissions and the end-to-end grading demo

Import the module you need (``from rnncourse import explore``); this package imports nothing
on its own.
"""
