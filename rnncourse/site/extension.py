"""The course's own touches to the book theme: a Sphinx extension named in _config.yml.

- One header, not two: sphinx-book-theme 1.3.0 with pydata-sphinx-theme 0.17.1 adds a
  full-width header that holds only a second search box; the sidebar already has one.
- The site's stylesheet (web/site/course.css), its one script (web/site/course.js: a tap
  on a figure enlarges it) and favicon (web/site/favicon.svg).
- Two editions (:mod:`rnncourse.site.editions`): each page keeps its own language's version of
  what a cell wrote or printed (:mod:`rnncourse.site.i18n`), links to its counterpart in the
  other edition from the header, and the Chinese search segments words with the glossary's
  terms.
- A translated edition's download, Binder and Colab buttons open the chapter's notebook in its
  language (``book/LANGUAGE/NAME.ipynb``, written by :mod:`rnncourse.site.notebooks`).
- The theme's words (search field, tooltips, labels, footer) in each edition's language
  (``locales/<language>/LC_MESSAGES/theme.po``, static/templates/frame).
- A number glued into the prose in e-notation is written a×10ⁿ (5.5×10⁻³), as the explorers
  write theirs.
- What the chapters' cells wrote for the site's static files during the build (a text
  sampler's weights, loaded by its page on first use) is published under _static/.
"""

import os
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import EDITIONS, STATIC_OUTPUTS
from .i18n import glossary, times_ten
from .notebooks import ROOT, notebook_path

SITE_FILES = Path(__file__).resolve().parent / "static"
# Each edition's folder in the site, and how its name is written in its own language.
LANGUAGE_BLOCK = re.compile(r"<!--rnn-lang:([\w-]+)-->(.*?)<!--/rnn-lang:\1-->", re.DOTALL)


def edition(config):
    return config.language if config.language in EDITIONS else "en"


def _theme_options(app, config):
    # pydata-sphinx-theme fills navbar_persistent with a search field unless it is set.
    config.html_theme_options.setdefault("navbar_persistent", [])
    config.html_theme_options.setdefault(
        "article_header_end", ["language-switch.html", "article-header-buttons.html"])
    config.html_static_path.append(str(SITE_FILES))
    outputs = os.environ.get(STATIC_OUTPUTS)
    if outputs:             # the site's build: the cells write there while Sphinx reads
        Path(outputs).mkdir(parents=True, exist_ok=True)
        config.html_static_path.append(outputs)
    config.templates_path.append(str(SITE_FILES / "templates"))
    config.html_favicon = str(SITE_FILES / "favicon.svg")


def _search_dictionary(app):
    """jieba's user dictionary for the Chinese search: the glossary's terms are words, so a
    query for 遗忘门 finds it whole, and jieba's search mode also indexes its part 遗忘."""
    if not edition(app.config).startswith("zh") or app.builder.format != "html":
        return
    path = Path(app.doctreedir) / "search-terms.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    terms = [term for row in glossary() for term in row.chinese if " " not in term]
    path.write_text("".join(f"{term} 1000 n\n" for term in terms), encoding="utf-8")
    app.config.html_search_options = {**app.config.html_search_options, "dict": str(path)}


def _translate_toc_captions(app, doctree):
    """The table of contents' part captions ("The course"…) in this edition's language.
    sphinx-external-toc adds its toctrees after Sphinx has translated the page, so their
    captions are looked up in the page's catalogue here."""
    toctrees = [toctree for toctree in doctree.findall(addnodes.toctree)
                if toctree.get("caption")]
    if edition(app.config) == "en" or not toctrees:
        return
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    domain = docname_to_domain(app.env.docname, app.config.gettext_compact)
    folders = [str(Path(app.srcdir, folder)) for folder in app.config.locale_dirs]
    catalogue, _ = init_locale(folders, app.config.language, domain)
    for toctree in toctrees:
        toctree["caption"] = catalogue.gettext(toctree["caption"])


def _keep_own_language(app, doctree, docname):
    """Of what a cell wrote in every language, keep the version in this edition's (and, for
    the catalogues, none: rnncourse.site.i18n translates it)."""
    language = None if app.builder.name == "gettext" else edition(app.config)

    def own_version(text):
        return LANGUAGE_BLOCK.sub(
            lambda block: block.group(2) if block.group(1) == language else "", text)

    for node in list(doctree.findall(nodes.raw)):
        if "<!--rnn-lang:" in node.astext():
            text = own_version(node.astext())
            node.replace_self(nodes.raw(text, text, format=node.get("format", "html")))
    # What a chapter printed with i18n.say: a stream output's lines, each in every language.
    for node in list(doctree.findall(nodes.literal_block)):
        if "<!--rnn-lang:" in node.astext():
            text = own_version(node.astext())
            node.rawsource = text
            node.clear()
            node += nodes.Text(text)
    own = nodes.make_id(f"rnn-lang-{language}")
    for node in list(doctree.findall(nodes.container)):
        versions = [name for name in node["classes"] if name.startswith("rnn-lang-")]
        if versions == [own]:
            node["classes"] = []
            node.replace_self(node.children)          # unwrapped: the page's own version
        elif versions:
            node.parent.remove(node)


def _counterpart(app, pagename, templatename, context, doctree):
    """The same page in the other edition, for the header's switch and for search engines."""
    language = edition(app.config)
    up = "../" * pagename.count("/") + EDITIONS[language][0].count("/") * "../"
    others = [(other, folder, name) for other, (folder, name) in EDITIONS.items()
              if other != language]
    context["rnn_counterparts"] = [
        {"href": f"{up}{folder}{pagename}.html", "lang": other.replace("_", "-"),
         "name": name} for other, folder, name in others]
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{page["lang"]}" href="{page["href"]}">'
        for page in context["rnn_counterparts"])


def notebook_links(buttons, pagename, notebook):
    """The theme's header ``buttons`` with every link to the page's notebook (the Binder and
    Colab launch links, the .ipynb download: each ends in ``/PAGENAME.ipynb``) ending in
    ``/NOTEBOOK`` instead, a path like ``book/zh_CN/rnn.ipynb``."""
    english = f"/{pagename}.ipynb"
    rewritten = []
    for button in buttons:
        button = dict(button)
        if "buttons" in button:
            button["buttons"] = notebook_links(button["buttons"], pagename, notebook)
        url = button.get("url", "")
        if url.endswith(english):
            button["url"] = url[:-len(english)] + "/" + notebook
        rewritten.append(button)
    return rewritten


def _own_language_notebook(app, pagename, templatename, context, doctree):
    """A translated chapter's buttons open its notebook in the edition's language, and the
    download serves that notebook (copied beside the pages' sources)."""
    language = edition(app.config)
    if language == "en" or "header_buttons" not in context:
        return
    notebook = notebook_path(Path(pagename).name, language)
    if not pagename.startswith("book/") or not notebook.exists():
        return
    relative = notebook.relative_to(ROOT).as_posix()
    copy = Path(app.outdir) / "_sources" / relative
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, copy)
    context["header_buttons"] = notebook_links(context["header_buttons"], pagename, relative)


def _glue_in_translations():
    """Let a translated paragraph use the page's glued numbers. Sphinx parses each
    translation as a small document of its own, which myst-nb's glue cannot see the page's
    notebook from; the page's own parse (which meets the same glue roles first) leaves its
    notebook in the environment for the translations that follow."""
    from myst_nb.ext.glue import directives, roles, utils

    retrieve = utils.retrieve_glue_data

    def retrieve_in_page(document, key):
        saved = document.settings.env.temp_data
        if "nb_renderer" in document:
            saved["rnn_nb_renderer"] = document["nb_renderer"]
        elif "rnn_nb_renderer" in saved:
            document["nb_renderer"] = saved["rnn_nb_renderer"]     # lent, never pickled
            try:
                return retrieve(document, key)
            finally:
                del document["nb_renderer"]
        return retrieve(document, key)

    for module in (directives, roles):
        module.retrieve_glue_data = retrieve_in_page


THEME_CATALOGUE = "theme"          # locales/<language>/LC_MESSAGES/theme.po
THEME_DOMAINS = ("sphinx", "booktheme")   # Sphinx's and pydata-sphinx-theme's; sphinx-book-theme's


def _theme_templates(app, config):
    """The course's versions of some of the themes' templates (static/templates/frame), whose
    fixed English words they make translatable: first in the templates' path, before the
    themes' components."""
    config.templates_path.insert(0, str(SITE_FILES / "templates" / "frame"))


def _theme_words(app):
    """The site's frame in this edition's language: the search field, the buttons' tooltips,
    the permalinks, the footer. Sphinx and the themes translate it with their own catalogues,
    which leave some of it English in Chinese (the colour-mode button, the copyright line,
    Sphinx's "Link to this heading") or in Taiwan usage (列印成 PDF). The course's catalogue
    ``theme.po`` goes first, before theirs, for the build; the course's templates make the
    themes' fixed English words translatable (:func:`_theme_templates`)."""
    language = edition(app.config)
    if language == "en" or app.builder.format != "html":
        return
    paths = [Path(app.srcdir, folder, app.config.language, "LC_MESSAGES", f"{THEME_CATALOGUE}.po")
             for folder in app.config.locale_dirs]
    path = next((path for path in paths if path.exists()), None)
    if path is None:
        return
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from sphinx import locale

    with path.open("rb") as file:
        catalogue = read_po(file)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    saved = {domain: locale.translators.get(("general", domain)) for domain in THEME_DOMAINS}
    for domain, theirs in saved.items():
        # One translations object per domain: each falls back to its own theme's.
        ours = gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))
        if theirs is not None:
            ours.add_fallback(theirs)
        locale.translators["general", domain] = ours
    app.translator = locale.translators["general", "sphinx"]
    app.builder.templates.environment.install_gettext_translations(app.translator)

    def restore(app, exception):        # the next build in this process has its own words
        for domain, theirs in saved.items():
            if theirs is None:
                locale.translators.pop(("general", domain), None)
            else:
                locale.translators["general", domain] = theirs

    app.connect("build-finished", restore)


def _search_placeholder(app, pagename, templatename, context, doctree):
    """Jupyter Book's placeholder of the search field ("Search this book..."), which the
    theme shows as it is, in this edition's language (theme.po)."""
    if edition(app.config) != "en" and context.get("theme_search_bar_text"):
        context["theme_search_bar_text"] = app.translator.gettext(
            context["theme_search_bar_text"])


class GluedNumbersTimesTen(SphinxPostTransform):
    """A number glued into the prose with an e-notation format (``{glue:text}`x:.1e```) as
    the page writes it: 5.5×10⁻³, not 5.5e-03. Only the pasted text is rewritten, never math
    or code; it runs after myst-nb has resolved glue from other pages (priority 5)."""

    default_priority = 400

    def run(self, **kwargs):
        for node in list(self.document.findall(nodes.inline)):
            if "pasted-text" not in node["classes"]:
                continue
            for text in list(node.findall(nodes.Text)):
                written = times_ten(str(text))
                if written != str(text):
                    text.parent.replace(text, nodes.Text(written))


def setup(app):
    _glue_in_translations()
    app.connect("config-inited", _theme_options)
    app.connect("builder-inited", _search_dictionary)
    app.connect("doctree-read", _translate_toc_captions)
    app.connect("doctree-resolved", _keep_own_language)
    app.connect("html-page-context", _counterpart)
    # After sphinx-book-theme's own header buttons (priority 501).
    app.connect("html-page-context", _own_language_notebook, priority=502)
    app.add_post_transform(GluedNumbersTimesTen)
    app.connect("config-inited", _theme_templates)
    app.connect("builder-inited", _theme_words)
    app.connect("html-page-context", _search_placeholder)
    app.add_css_file("course.css")
    app.add_js_file("course.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
