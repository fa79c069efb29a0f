"""rnncourse: the course's own tooling, built on the rnncore library.

rnncore (beside this package) is the library a learner can take anywhere: it needs NumPy and
nothing else. Everything here serves the course itself and needs matplotlib, ipywidgets or
nbgrader. One folder per concern:

    manifest.py          the chapters (from _toc.yml) and assignments (from solutions/)
    book/                what the chapters draw and show
      figures.py         a figure as the page shows it: SVG for the column, a phone variant
      diagrams.py        the architecture drawings (unrolled RNN, LSTM and GRU cells, patterns)
      plotting.py        the charts and the course's colours
      gradients.py       the gradient through time, measured (the BPTT and LSTM chapters)
      listing.py         rnncore's source shown on a page, read from its file
    explorers/           the gate explorers
      maths.py           what each explorer plots, for the values its controls hold
      explorer.py        an explorer: controls described once, a figure, a reading
      jupyter.py         its Jupyter form (ipywidgets, redrawn in the kernel)
      page.py            its page form (the static site's HTML, no kernel)
      gates.py           the LSTM, GRU and gradient-flow explorers the chapters show
      sampler.py         the text sampler: a language model writing in the page, its weights
      web/               explorers.js, sampler.js and their .css: the page forms' scripts
    experiments/         the experiments the summary and the language-model chapter report
      training.py        the tasks, the sequence model and the training loop
      long_range.py      the long-range sweep (python -m rnncourse.experiments)
      language.py        how gated models hold the language task's answer
      language_models.py  the language models on real text, trained and sampled
      __main__.py        the command line
      corpora/           tiny Shakespeare and the Tang quatrains, with sources and licences
      results/           the experiments' results and trained weights, shipped
    site/                the built site
      editions.py        both editions' build and the Chinese catalogues
      extension.py       the Sphinx extension: stylesheet, switch, search, launch, theme words
      references.py      each edition's bibliography and how a citation reads
      i18n.py            what code draws or writes, in each edition's language
      notebooks.py       the chapters' notebooks in each translated edition's language
      rendered.py        a translated page held to its English one: formulas, blocks
      static/            the site's stylesheet, script, favicon and templates
    grading/             the assignments' checks (load_checks, the test cells' one line)
      framework.py       parts and scores, the guarded runner, comparisons
      guard.py           what keeps the checks honest inside a learner's kernel
      problems.py        random problems for the learner's function and the reference
      cells.py           the checks every cell shares
      catalogue.py       a catalogued mistake or honest variant
      messages.py        what the checks say, in the language of the learner's release
      rnn.py, bptt.py, lstm.py, gru.py, language_model.py   each assignment's checks and catalogue
    instructor/          the instructors' tools
      course.py          a course folder and nbgrader run from Python
      releases.py        the assignments in every language: sources, releases (make exercises)
      plugins.py         nbgrader plugins: LMS names and times, quiet restoring, the review column
      review.py          the review of submissions, outside the learners' kernels
      manual.py          hand grading from the command line, with the answers to grade
      lms_export.py      grades in the import format of Canvas, Moodle or Blackboard
      submissions.py     sample submissions: model, blank, catalogue, hostile
      demo.py            a whole class graded end to end (make grade-demo)

Import the module you need (``from rnncourse.book import plotting``); this package imports
nothing on its own.
"""
