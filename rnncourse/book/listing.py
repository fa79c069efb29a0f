"""Library code on the course's pages, read from rnncore's own source files, never copied, so
that a page and the library cannot drift apart."""

import inspect
from pathlib import Path

from ..site.i18n import Markdown


def listing(function):
    """The source of ``function``, headed by its file and line numbers, as a Markdown code
    block: Jupyter and the book (myst-nb) both render it highlighted."""
    function = inspect.unwrap(function)        # a decorated step: its own file, not the wrapper's
    lines, first = inspect.getsourcelines(function)
    path = Path(inspect.getsourcefile(function)).resolve()
    package = path.parent
    while (package.parent / "__init__.py").exists():
        package = package.parent
    name = path.relative_to(package.parent).as_posix()
    header = f"`{name}`, lines {first}–{first + len(lines) - 1}"
    return Markdown(f"{header}\n\n```python\n{''.join(lines)}```")
