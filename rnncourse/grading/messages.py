"""What the checks tell the learner, in the language of the learner's release.

Every sentence a check prints is an English template in the code, said through :func:`say`,
with its values named::

    raise CheckFailed(say("{name}: expected shape {want}, got {got}",
                          name=name, want=want_shape, got=shape))

A release in another language loads its checks in that language (its test cells read
``load_checks("rnn", "zh_CN")``). :func:`say` then looks the template up in that language's
catalogues, ``locales/LANGUAGE/LC_MESSAGES/grading/MODULE.po`` (one per module here), and puts
the values into the translation. The checks compute the same verdicts in every language: only
the words differ. A template without a translation is said in English; a test keeps the
catalogues complete (``python -m rnncourse.instructor.releases check``).
"""

from pathlib import Path

LOCALES = Path(__file__).resolve().parents[2] / "locales"
ENGLISH = "en"
CATALOGUES = "grading"          # LC_MESSAGES/grading/*.po

language = ENGLISH              # this copy of the checks' language, set by load_checks
_translations = {}


def languages():
    """English, and every language with catalogues of the checks' messages."""
    found = sorted(path.parent.parent.name
                   for path in LOCALES.glob(f"*/LC_MESSAGES/{CATALOGUES}"))
    return (ENGLISH, *found)


def read_catalogues(language):
    """``{template: translation}`` of the finished (not fuzzy) messages in the language's
    catalogues of the checks."""
    from babel.messages.pofile import read_po

    translations = {}
    for path in sorted((LOCALES / language / "LC_MESSAGES" / CATALOGUES).glob("*.po")):
        with path.open("rb") as file:
            for message in read_po(file):
                if message.id and message.string and not message.fuzzy:
                    translations[message.id] = message.string
    return translations


def use(chosen):
    """Say everything from now on in ``chosen``."""
    global language, _translations
    if chosen not in languages():
        raise ValueError(f"language: expected one of {', '.join(languages())}, got {chosen!r}")
    language = chosen
    _translations = {} if chosen == ENGLISH else read_catalogues(chosen)


def say(template, **values):
    """``template`` in this copy's language, with ``values`` put in (``{name}`` fields)."""
    text = _translations.get(template, template)
    return text.format(**values) if values else text
