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
    python -m rnncourse.site.editions check           # list what is left to translate, and
                                                      # the Chinese catalogues' typography
    python -m rnncourse.site.editions sentences       # each Chinese page's sentence lengths
"""

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

from . import EDITIONS, STATIC_OUTPUTS

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
BUILD = ROOT / "_build"
EXECUTION_CACHE = BUILD / ".jupyter_cache"
MESSAGES = BUILD / "messages"            # what the code's output asked to translate
STATIC_FILES = BUILD / "static-outputs"  # what the cells wrote for the site's _static folder
TRANSLATED = tuple(language for language in EDITIONS if language != "en")
# How the site's build runs the chapters: the gate explorers and text samplers as pages that
# compute in the reader's browser (rnncourse.explorers), a sampler's weights written among the
# site's static files; what a cell draws or writes, in every edition's language, listing the
# words it asked to translate (rnncourse.site.i18n).
SITE_ENVIRONMENT = {"RNNCOURSE_STATIC_SITE": "1", "RNNCOURSE_LANGUAGES": " ".join(EDITIONS),
                    "RNNCOURSE_MESSAGES": str(MESSAGES), STATIC_OUTPUTS: str(STATIC_FILES)}


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
    for stale in (EXECUTION_CACHE, MESSAGES, STATIC_FILES):
        shutil.rmtree(stale, ignore_errors=True)
    for language in EDITIONS:
        build(language)
    print(f"The site is in {BUILD / 'html'} (open index.html; 中文版: zh/index.html).")


def build(language):
    """The site in ``language``, under its folder of _build/html, with the bibliography whose
    notes are in that language."""
    from . import references

    os.environ.update(SITE_ENVIRONMENT)
    folder = EDITIONS[language][0].strip("/")
    translated = {} if language == "en" else {
        "language": language, **site_names(language),
        "bibtex_bibfiles": [str(references.bibliography(language, ROOT))]}
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

    from . import i18n, notebooks, references

    templates = BUILD / "gettext"
    extract(templates)
    # The frame's words, from the templates, are translated in theme.po, read before the themes'.
    (templates / "sphinx.pot").unlink(missing_ok=True)
    i18n.write_template(templates / "rnncourse.pot", MESSAGES)
    notebooks.write_template(templates / f"{notebooks.COMMENTS}.pot")
    references.write_template(templates / f"{references.NOTES}.pot", ROOT)

    update(str(LOCALES), str(templates), list(TRANSLATED), line_width=96,
           ignore_obsolete=True)


# What a translation must carry over unchanged: math, code, roles and their targets, links'
# targets (the text of a link is translated; where it points is not), and the numbered or
# named fields that code fills in ("after {0} steps", "{{share}} of the state", the checks'
# "{name}: expected shape {want}").
MARKUP = re.compile(r"\$\$.*?\$\$|\$[^$]+\$|\{[a-z:]+\}`[^`]*`|``[^`]+``|`[^`]+`|\]\([^)]*\)"
                    r"|\{\{\w+\}\}|\{\w+(?::[^{}`]*)?\}", re.DOTALL)


# A download may name the edition's own copy of a file: ../exercises/zh_CN/rnn/rnn.ipynb for
# ../exercises/rnn/rnn.ipynb.
OWN_COPY = re.compile(r"(?<=/)(?:" + "|".join(language for language in EDITIONS
                                              if language != "en") + r")/(?=[^`]*>`)")


def markup(text):
    """The pieces of ``text`` that a translation keeps exactly, sorted."""
    return sorted(OWN_COPY.sub("", piece) for piece in MARKUP.findall(text))


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


# The Chinese edition's typography, as a zh-CN textbook sets it (GB/T 15834 and d2l-zh's
# practice). A translation is read as the page will show it: a link as its text, a formula, a
# code span and a citation as Latin text, a {glue} value as a number, a {numref} as 图 N (the
# word is Sphinx's), and the numbered or named fields that code fills in as neither.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
FULL_WIDTH = "，。、；：！？（）“”‘’《》「」『』【】"
FIGURE = "\ue000"                       # where a {numref} puts 图 or 表
FIELD = "\ue001"                        # a field that code fills in
SHOWN = [(re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
         (re.compile(r"\{numref\}`[^`]*`"), FIGURE + " 0"),
         (re.compile(r"\{glue(:\w+)?\}`[^`]*`"), "0"),
         (re.compile(r"\{download\}`([^`<]*?)\s*<[^`]*>`"), r"\1"),
         (re.compile(r"\{[a-z:]+\}`[^`]*`"), "X"),
         (re.compile(r"\$\$.*?\$\$|\$[^$]+\$|``[^`]+``|`[^`]+`", re.DOTALL), "X"),
         (re.compile(r"\{\{\w+\}\}|\{\w+(?::[^{}`]*)?\}"), FIELD),
         (re.compile(r"\\([*\\.])"), r"\1")]
LATIN = "A-Za-z0-9"
# Simplified characters in Taiwan usage, and the zh-CN word for each.
REGIONAL = {"列印": "打印", "程式": "程序", "预设": "默认", "档案": "文件", "网路": "网络",
            "软体": "软件", "演算法": "算法", "函式": "函数", "记忆体": "内存"}
# The titles of works the text names, which 《》 enclose.
TITLES = ("深度学习技巧4",)
EMPHASIS = re.compile(r"(?<![*\\])\*(?![*\s])(.+?)(?<![*\s\\])\*(?!\*)")
LONGEST_EMPHASIS = 12                   # characters under emphasis dots


def shown(text):
    """``text`` roughly as the page shows it, for the typography rules."""
    for pattern, replacement in SHOWN:
        text = pattern.sub(replacement, text)
    return text


def typography_problems(text, spacing=True):
    """The typography rules a Chinese translation breaks, as ``(rule, excerpt)`` pairs;
    without ``spacing``, all but the spacing between Chinese and Latin letters."""
    if text.startswith("\n") or not re.search(f"[{CJK}]", text):
        return []                       # a display equation, or no Chinese to set
    problems = []
    seen = shown(text)
    letters = f"{CJK}{FIGURE}"
    if spacing:                         # a title is quoted as its work spells it
        untitled = re.sub(r"《[^》]*》", lambda title: "《" + "》".rjust(len(title[0]) - 1, "字"),
                          seen)
        for match in re.finditer(f"[{letters}][{LATIN}]|[{LATIN}][{letters}]", untitled):
            problems.append(("a space between Chinese and Latin letters or digits", match))
    for match in re.finditer(f"[{CJK}{FULL_WIDTH}] {FIGURE}", seen):
        problems.append(("no space before a figure or table reference (图 N, 表 N)", match))
    for match in re.finditer(f" [{FULL_WIDTH}]|[{FULL_WIDTH}] |  ", seen):
        problems.append(("no space beside full-width punctuation, and never two", match))
    for match in re.finditer(f"[「」『』]|(?<=[{CJK}])\"|\"(?=[{CJK}])", seen):
        problems.append(("quotation marks are “” (‘’ inside them)", match))
    for title in TITLES:
        for match in re.finditer(f"(?<!《){re.escape(title)}|{re.escape(title)}(?!》)", seen):
            problems.append(("the title of a work is in 《》", match))
    for match in re.finditer(r"\d(\.\d+)?[eE][-+]?\d+\b", seen):
        problems.append(("a number is written a×10ⁿ, not in e-notation", match))
    for word, usage in REGIONAL.items():
        for match in re.finditer(("(?<!方)" if word == "程式" else "") + word, seen):
            problems.append((f"zh-CN says {usage}", match))
    for match in EMPHASIS.finditer(shown(text.replace("**", ""))):
        if re.search(f"[{LATIN}]", match.group(1)):
            problems.append(("no emphasis dots under Latin text, formulas or code", match))
        elif len(match.group(1)) > LONGEST_EMPHASIS:
            problems.append((f"emphasis dots under at most {LONGEST_EMPHASIS} characters, "
                             "not a whole sentence", match))
    return [(rule, match.string[max(0, match.start() - 8):match.end() + 8].strip()
             .replace(FIGURE, "图"))
            for rule, match in problems]


def typography(path):
    """The typography problems of one Chinese .po file: its name, where, and the rule."""
    from babel.messages.pofile import read_po

    with Path(path).open("rb") as file:
        messages = read_po(file)
    # The glossary gives the article's terms as the article spells them (双向RNN).
    spacing = Path(path).stem != "glossary"
    # Code comments line their columns up with runs of spaces: one space is what is read.
    aligned = Path(path).stem == "notebooks"
    return [f"{Path(path).name}: {message.id[:60]!r}: {rule} ({excerpt!r})"
            for message in messages if message.id and message.string
            for rule, excerpt in typography_problems(
                re.sub(" {2,}", " ", message.string) if aligned else message.string, spacing)]


# A sentence ends at 。！？ (and a quotation or bracket closing after them); a semicolon, a
# colon or a comma does not end one, so a chain of clauses joined by ； counts as one sentence.
# The prose of a page is its paragraphs and list items: messages whose English ends as a
# sentence does (. : ? !) or runs over 80 characters, and whose translation has Chinese in it;
# not headings, short captions, table cells or display equations. A formula, a code span, a
# {role} and a field count as one character, a link as its text; spaces and emphasis marks do
# not count.
SENTENCE_END = "。！？"
LONG_SENTENCE = 80


def sentences(text):
    """The sentences of one translation, as a reader counts their characters."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\{[a-z:]+\}`[^`]*`|\$\$.*?\$\$|\$[^$]+\$|``[^`]+``|`[^`]+`"
                  r"|\{\{\w+\}\}|\{\d+\}", "X", text, flags=re.DOTALL)
    text = re.sub(r"[\s*]", "", text)
    ends = f"(?<=[{SENTENCE_END}])(?![”’）)])|(?<=[{SENTENCE_END}][”’）)])"
    return [sentence for sentence in re.split(ends, text) if sentence]


def sentence_lengths(path):
    """The length in characters of every sentence of a page's prose, in the page's order."""
    from babel.messages.pofile import read_po

    with Path(path).open("rb") as file:
        messages = read_po(file)
    return [len(sentence) for message in messages
            if message.id and re.search(f"[{CJK}]", message.string)
            and (re.search(r"[.:?!]\**\)?$", message.id.strip()) or len(message.id) > 80)
            for sentence in sentences(message.string)]


def sentence_figures(path):
    """A page's average sentence length in characters and its share of sentences over
    LONG_SENTENCE characters."""
    lengths = sentence_lengths(path)
    return {"sentences": len(lengths), "average": sum(lengths) / len(lengths),
            "long": sum(length > LONG_SENTENCE for length in lengths) / len(lengths)}


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
    commands.add_parser("sentences", help="each Chinese page's sentence lengths")
    args = parser.parse_args(argv)
    if args.command == "site":
        site()
    elif args.command == "build":
        build(args.language)
    elif args.command == "catalogues":
        catalogues()
    elif args.command == "extract":
        extract(args.folder)
    elif args.command == "sentences":
        for path in sorted(LOCALES.glob("zh_CN/LC_MESSAGES/book/*.po")):
            figures = sentence_figures(path)
            print(f"{path.stem:14} {figures['sentences']:4d} sentences, average "
                  f"{figures['average']:5.1f} characters, {figures['long']:6.1%} over "
                  f"{LONG_SENTENCE}")
    else:
        files = args.files or sorted(LOCALES.glob("*/LC_MESSAGES/**/*.po"))
        problems = [problem for path in files for problem in catalogue_problems(path)]
        problems += [problem for path in files if "zh_CN" in path.parts
                     for problem in typography(path)]
        print("\n".join(problems) or f"{len(files)} catalogues complete")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
