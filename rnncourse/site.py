"""The course's own touches to the book theme: a Sphinx extension named in _config.yml.

- One header, not two: sphinx-book-theme 1.3.0 with pydata-sphinx-theme 0.17.1 adds a
  full-width header that holds only a second search box; the sidebar already has one.
- The site's stylesheet (web/site/course.css), its one script (web/site/course.js: a tap
  on a figure enlarges it) and favicon (web/site/favicon.svg).
"""

from pathlib import Path

SITE_FILES = Path(__file__).resolve().parent / "web" / "site"


def _theme_options(app, config):
    # pydata-sphinx-theme fills navbar_persistent with a search field unless it is set.
    config.html_theme_options.setdefault("navbar_persistent", [])
    config.html_static_path.append(str(SITE_FILES))
    config.html_favicon = str(SITE_FILES / "favicon.svg")


def setup(app):
    app.connect("config-inited", _theme_options)
    app.add_css_file("course.css")
    app.add_js_file("course.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
