"""The course's chapters and assignments, derived from the files that define them.

A chapter is a page of ``_toc.yml`` whose MyST source carries a kernelspec (it runs code); an
assignment is a folder ``solutions/NAME`` holding ``NAME.ipynb``. Adding either is one edit:
a line in ``_toc.yml``, or a new folder under ``solutions/``. The Makefile, the tests and the
grading tools all read these lists::

    python -m rnncourse.manifest chapters       # intro rnn bptt lstm gru summary
    python -m rnncourse.manifest assignments    # rnn bptt lstm gru language_model
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pages(root=ROOT):
    """Every page of the table of contents, in reading order, as paths without suffix
    (``book/intro``, ``book/rnn``, ...)."""
    text = (Path(root) / "_toc.yml").read_text(encoding="utf-8")
    return re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)\s*$", text, flags=re.MULTILINE)


def chapters(root=ROOT):
    """The pages that run code, by name (``intro``, ``rnn``, ...), in reading order."""
    names = []
    for page in pages(root):
        source = Path(root) / f"{page}.md"
        if source.exists() and re.search(r"^kernelspec:", source.read_text(encoding="utf-8"),
                                         flags=re.MULTILINE):
            names.append(Path(page).name)
    return names


def assignments(root=ROOT):
    """The assignments, by name: each ``solutions/NAME/NAME.ipynb``, in the order of the
    chapters of the same name, then any others alphabetically."""
    folder = Path(root) / "solutions"
    names = [p.name for p in folder.iterdir() if (p / f"{p.name}.ipynb").is_file()]
    order = {name: k for k, name in enumerate(chapters(root))}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    lists = {"pages": pages, "chapters": chapters, "assignments": assignments}
    if len(argv) != 1 or argv[0] not in lists:
        print(f"usage: python -m rnncourse.manifest {{{','.join(lists)}}}", file=sys.stderr)
        return 2
    print(" ".join(lists[argv[0]]()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
