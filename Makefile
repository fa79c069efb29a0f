# Two commands for a fresh machine: `make book` and `make test`. Each creates or refreshes the
# virtual environment in .venv from requirements.txt first, so nothing else is needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book translations test test-fast lint bench venv web exercises notebooks grade-demo clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (rnncore)"
	touch $@

# MathJax comes from npm and is served by the site itself, so that pages work offline. It is
# copied into _vendor/, which the site's configuration publishes under _static/.
NODE_STAMP := node_modules/.installed
VENDOR := _vendor

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(VENDOR)/.copied: $(NODE_STAMP)
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)
	cp -r node_modules/mathjax/es5 $(VENDOR)/mathjax
	touch $@

web: $(VENDOR)/.copied

# Both editions, English at _build/html and Chinese at _build/html/zh: the English one
# executes every chapter afresh, the Chinese one reads the same outputs (rnncourse/site/editions.py).
book: $(STAMP) $(VENDOR)/.copied
	$(BIN)/python -m rnncourse.site.editions site

# After the English text changed: update every .po file under locales/ from the sources and
# from what the last site build's cells asked to translate, then fill in what is missing.
translations: book
	$(BIN)/python -m rnncourse.site.editions catalogues
	$(BIN)/python -m rnncourse.instructor.releases catalogues
	$(BIN)/python -m rnncourse.site.editions check || true

test: $(STAMP) lint
	$(BIN)/python -m pytest

# The inner loop: the library's and the course's own tests, without the browser and nbgrader.
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -m "not browser and not grading" -q -n 2

# The chapters and assignments come from _toc.yml and solutions/ (see rnncourse/manifest.py).
MANIFEST = $(BIN)/python -m rnncourse.manifest

# The student releases, regenerated from the instructor notebooks in solutions/: first each
# translated language's source notebooks (solutions/LANGUAGE/, through its catalogues), then
# every language's release with nbgrader (rnncourse/instructor/releases.py).
exercises: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python -m rnncourse.instructor.releases

# The chapters as .ipynb files beside their MyST sources, for Colab and Binder launch links;
# then each in every translated edition's language, in book/LANGUAGE/ (rnncourse/site/notebooks.py).
notebooks: $(STAMP)
	for name in $$($(MANIFEST) chapters); do \
	    $(BIN)/jupytext --quiet --update --to ipynb --output book/$$name.ipynb book/$$name.md || exit 1; \
	done
	$(BIN)/python -m rnncourse.site.notebooks

# A whole class graded end to end; leaves _build/grade-demo/grades.csv, feedback/ and lms/.
grade-demo: $(STAMP)
	$(BIN)/python -m rnncourse.instructor.demo _build/grade-demo

lint: $(STAMP)
	$(BIN)/ruff check rnncore rnncourse tests benchmarks

# OpenBLAS picks the kernel for this processor only without the machine's CORETYPE override.
bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python benchmarks/bench_layers.py
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python benchmarks/bench_language_model.py
	$(BIN)/python benchmarks/bench_widgets.py
	$(BIN)/python benchmarks/bench_explorers.py
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python benchmarks/bench_grading.py

clean:
	rm -rf _build _vendor
