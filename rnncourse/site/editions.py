"""The course's two editions, English and Chinese, built from the same sources.

The Chinese pages are the English chapters translated through Sphinx's gettext workflow:
the text of every page is a message in ``locales/zh_CN/LC_MESSAGES/book/<page>.po``, and the
text that code draws or writes (figure labels, alt texts, the explorers, tables computed by
a cell) is a message in ``locales/zh_CN/LC_MESSAGES/rnncourse.po`` (see
:mod:`rnncourse.site.i18n`), and the chapters' code comments, for the Chinese notebooks, are
messages in ``locales/zh_CN/LC_MESSAGES/notebooks.po`` (see :mod:`rnncourse.site.notebooks`).
The code, and so every executed number, is shared: the Chinese build reads the English
build's executed notebooks from the shared execution cache.

    python -m rnncourse.site.editions site            # both editions (`make book`)
    python -m rnncourse.site.editions catalogues      # update every .po (`make translations`)
    python -m rnncourse.site.editions check           # list what is left to translate
"""

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

from . import EDITIONS

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
BUILD = ROOT / "_build"
EXECUTION_CACHE = BUILD / ".jupyter_cache"
MESSAGES = BUILD / "messages"            # what the code's output asked to translate
TRANSLATED = tuple(language for language in EDITIONS if language != "en")
# How the site's build runs the chapters: the gate explorers as pages that compute in the
# reader's browser (rnncourse.explorers); what a cell draws or writes, in every edition's
# language, listing the words it asked to translate (rnncourse.site.i18n).
SITE_ENVIRONMENT = {"RNNCOURSE_STATIC_SITE": "1", "RNNCOURSE_LANGUAGES": " ".join(EDITIONS),
                    "RNNCOURSE_MESSAGES": str(MESSAGES)}


def sphinx_overrides(**extra):
    """What `jupyter-book build . --nitpick` adds to _config.yml, the catalogues, and
    execution that reads the shared cache (and fills it, the first time)."""
    return {"external_toc_path": "_toc.yml", "latex_individualpages": False,
            "nitpicky": True, "locale_dirs": [str(LOCALES)], "gettext_compact": False,
            "gettext_location": False, "gettext_uuid": False, "nb_execution_mode": "cache",
            "nb_execution_cache_path": str(EXECUTION_CACHE),
            "nb_execution_raise_on_error": True, **extra}


def site_names(language):
    """The site's title (the first page's heading, as that page's catalogue translates it)
    and its authors (shown in the footer), in ``language``."""
    import yaml
    from babel.messages.pofile import read_po

    from .i18n import translate

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    with (LOCALES / language / "LC_MESSAGES" / "book" / "intro.po").open("rb") as file:
        message = read_po(file).get(config["title"])
    title = message.string if message and message.string else config["title"]
    return {"html_title": title, "author": translate(config["author"], language)}


def _sphinx(builder, outdir, doctrees, overrides, warningiserror, fresh=False):
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(str(ROOT), str(outdir), noconfig=True,
                          path_config=str(ROOT / "_config.yml"), confoverrides=overrides,
                          builder=builder, doctreedir=str(doctrees),
                          warningiserror=warningiserror, keep_going=True, freshenv=fresh)
    if result != 0:
        raise SystemExit(f"the {builder} build of {outdir.name} failed")


def site():
    """Both editions. The English one executes every chapter afresh into the execution
    cache; each translated edition reads the same outputs from it."""
    for stale in (EXECUTION_CACHE, MESSAGES):
        shutil.rmtree(stale, ignore_errors=True)
    for language in EDITIONS:
        build(language)
    print(f"The site is in {BUILD / 'html'} (open index.html; 中文版: zh/index.html).")


def build(language):
    """The site in ``language``, under its folder of _build/html."""
    os.environ.update(SITE_ENVIRONMENT)
    folder = EDITIONS[language][0].strip("/")
    translated = {} if language == "en" else {"language": language, **site_names(language)}
    _sphinx("html", BUILD / "html" / folder, BUILD / ".doctrees" / (folder or "en"),
            sphinx_overrides(**translated), warningiserror=True, fresh=True)


def extract(templates):
    """Every page's messages, as templates (.pot) in ``templates``, with the captions that
    cells' outputs carry. What a cell writes is left out: :mod:`rnncourse.site.i18n` translates
    it (rnncourse.site drops it from this build)."""
    os.environ.update(SITE_ENVIRONMENT)
    shutil.rmtree(templates, ignore_errors=True)
    templates = Path(templates)
    _sphinx("gettext", templates, templates.parent / ".doctrees-gettext", sphinx_overrides(),
            warningiserror=False)


def catalogues():
    """Merge the pages' messages, those the last site build's cells asked for, and the
    chapters' code comments (:mod:`.notebooks`), into each language's .po files."""
    from sphinx_intl.basic import update

    from . import i18n, notebooks

    templates = BUILD / "gettext"
    extract(templates)
    i18n.write_template(templates / "rnncourse.pot", MESSAGES)
    notebooks.write_template(templates / f"{notebooks.COMMENTS}.pot")

    update(str(LOCALES), str(templates), list(TRANSLATED), line_width=96,
           ignore_obsolete=True)


# What a translation must carry over unchanged: math, code, roles and their targets, links'
# targets (the text of a link is translated; where it points is not), and the numbered or
# named fields that code fills in ("after {0} steps", "{{share}} of the state").
MARKUP = re.compile(r"\$\$.*?\$\$|\$[^$]+\$|\{[a-z:]+\}`[^`]*`|``[^`]+``|`[^`]+`|\]\([^)]*\)"
                    r"|\{\{\w+\}\}|\{\d+\}", re.DOTALL)


def markup(text):
    """The pieces of ``text`` that a translation keeps exactly, sorted."""
    return sorted(MARKUP.findall(text))


def english_words(text):
    """How many English words ``text`` has outside its markup. A display equation (a message
    that starts on a new line) is all markup."""
    if text.startswith("\n"):
        return 0
    return len(re.findall(r"[A-Za-z]{2,}", MARKUP.sub("", text)))


def catalogue_problems(path):
    """What is wrong with one .po file: untranslated, fuzzy or obsolete messages, a
    translated display equation, and translations that lost or changed a piece of markup."""
    from babel.messages.pofile import read_po

    with Path(path).open("rb") as file:
        messages = read_po(file)
    problems = [f"{path.name}: obsolete message {m.id!r}" for m in messages.obsolete.values()]
    for message in messages:
        if not message.id:
            continue
        where = f"{path.name}: {message.id[:60]!r}"
        if not message.string:
            problems.append(f"{where} is not translated")
        elif message.fuzzy:
            problems.append(f"{where} is fuzzy: check the translation and remove the flag")
        elif message.id.startswith("\n") and message.string != message.id:
            problems.append(f"{where}: a display equation must stay as in the English (Sphinx "
                            "shows a translated one as \\[::\\])")
        elif message.string == message.id and english_words(message.id) > 1 and \
                path.stem != "glossary":      # whose English column stays English
            problems.append(f"{where} is copied, not translated")
        elif re.match(r"\d+\. ", message.string):
            problems.append(f"{where}: a translation starting with a number and a full stop "
                            "reads as a list item, and Sphinx drops it: write 1\\. not 1.")
        elif markup(message.id) != markup(message.string):
            lost = set(markup(message.id)) ^ set(markup(message.string))
            problems.append(f"{where}: markup differs from the English: {sorted(lost)}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnncourse.site.editions")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("site", help="build both editions of the site")
    build_parser = commands.add_parser("build", help="build one edition of the site")
    build_parser.add_argument("language", choices=list(EDITIONS))
    commands.add_parser("catalogues", help="update the .po files from the sources")
    extract_parser = commands.add_parser("extract", help="write the pages' .pot templates")
    extract_parser.add_argument("folder", type=Path)
    check_parser = commands.add_parser("check", help="list untranslated or broken messages")
    check_parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.command == "site":
        site()
    elif args.command == "build":
        build(args.language)
    elif args.command == "catalogues":
        catalogues()
    elif args.command == "extract":
        extract(args.folder)
    else:
        files = args.files or sorted(LOCALES.glob("*/LC_MESSAGES/**/*.po"))
        problems = [problem for path in files for problem in catalogue_problems(path)]
        print("\n".join(problems) or f"{len(files)} catalogues complete")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
