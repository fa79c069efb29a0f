"""The site: both editions' build (:mod:`.editions`), the Sphinx extension that adds the
course's stylesheet, language switch and Chinese search to the theme (:mod:`.extension`, with
its files in ``static/``), what code draws or writes in each edition's language
(:mod:`.i18n`), and the check that a translated page renders the English page's formulas and
blocks (:mod:`.rendered`)."""

# Each edition: its folder under the site's root, and its name in the language switch.
EDITIONS = {"en": ("", "English"), "zh_CN": ("zh/", "中文")}

# The environment variable naming the folder where the site's build gathers what cells write for
# its _static folder (a text sampler's weights, rnncourse.explorers.sampler).
STATIC_OUTPUTS = "RNNCOURSE_STATIC_OUTPUTS"
