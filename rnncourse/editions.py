"""The course's two editions, English and Chinese, built from the same sources.

The Chinese pages are the English chapters translated through Sphinx's gettext workflow:
the text of every page is a message in ``locales/zh_CN/LC_MESSAGES/book/<page>.po``, and the
text that code draws or writes (figure labels, alt texts, the explorers, tables computed by
a cell) is a message in ``locales/zh_CN/LC_MESSAGES/rnncourse.po`` (see
:mod:`rnncourse.i18n`). The code, and so every executed number, is shared: the Chinese build
reads the English build's executed notebooks from the shared execution cache.

    python -m rnncourse.editions build zh_CN     # the Chinese site, into _build/html/zh
    python -m rnncourse.editions catalogues      # update every .po from the sources
"""

import argparse
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
BUILD = ROOT / "_build"
EXECUTION_CACHE = BUILD / ".jupyter_cache"
MESSAGES = BUILD / "messages"            # what the code's output asked to translate
TRANSLATED = ("zh_CN",)
SITE_DIRS = {"zh_CN": "zh"}              # the edition's folder under _build/html


def sphinx_overrides(**extra):
    """The configuration `jupyter-book build .` uses, for a build this module runs."""
    return {"external_toc_path": "_toc.yml", "latex_individualpages": False,
            "nitpicky": True, "locale_dirs": [str(LOCALES)], "gettext_compact": False,
            "gettext_location": False, "gettext_uuid": False, **extra}


def title(language):
    """The site's title (the first page's heading) as that page's catalogue translates it."""
    import yaml
    from babel.messages.pofile import read_po

    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    with (LOCALES / language / "LC_MESSAGES" / "book" / "intro.po").open("rb") as file:
        message = read_po(file).get(english)
    return message.string if message and message.string else english


def _sphinx(builder, outdir, doctrees, overrides, warningiserror, fresh=False):
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(str(ROOT), str(outdir), noconfig=True,
                          path_config=str(ROOT / "_config.yml"), confoverrides=overrides,
                          builder=builder, doctreedir=str(doctrees),
                          warningiserror=warningiserror, keep_going=True, freshenv=fresh)
    if result != 0:
        raise SystemExit(f"the {builder} build of {outdir.name} failed")


def build(language):
    """The site in ``language``, its executed outputs taken from the English build's cache."""
    outdir = BUILD / "html" / SITE_DIRS[language]
    _sphinx("html", outdir, BUILD / f".doctrees-{outdir.name}", sphinx_overrides(
        language=language, html_title=title(language),
        nb_execution_mode="cache", nb_execution_cache_path=str(EXECUTION_CACHE),
        nb_execution_raise_on_error=True), warningiserror=True, fresh=True)


def extract(templates):
    """Every page's messages, as templates (.pot) in ``templates``. No notebook runs: what
    a cell outputs is translated by :mod:`rnncourse.i18n`, not here."""
    shutil.rmtree(templates, ignore_errors=True)
    templates = Path(templates)
    _sphinx("gettext", templates, templates.parent / ".doctrees-gettext",
            sphinx_overrides(nb_execution_mode="off"), warningiserror=False)


def catalogues():
    """Merge the pages' messages, and those the last site build's cells asked for, into each
    language's .po files."""
    from sphinx_intl.basic import update

    from rnncourse import i18n

    templates = BUILD / "gettext"
    extract(templates)
    i18n.write_template(templates / "rnncourse.pot")

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
    """What is wrong with one .po file: untranslated, fuzzy or obsolete messages, and
    translations that lost or changed a piece of markup."""
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
        elif message.string == message.id and english_words(message.id) > 1 and \
                path.stem != "glossary":      # whose English column stays English
            problems.append(f"{where} is copied, not translated")
        elif markup(message.id) != markup(message.string):
            lost = set(markup(message.id)) ^ set(markup(message.string))
            problems.append(f"{where}: markup differs from the English: {sorted(lost)}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnncourse.editions")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build a translated edition of the site")
    build_parser.add_argument("language", choices=TRANSLATED)
    commands.add_parser("catalogues", help="update the .po files from the sources")
    extract_parser = commands.add_parser("extract", help="write the pages' .pot templates")
    extract_parser.add_argument("folder", type=Path)
    check_parser = commands.add_parser("check", help="list untranslated or broken messages")
    check_parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.command == "build":
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
