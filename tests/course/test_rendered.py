"""The check that a translated page renders its English page's formulas and blocks, on planted
regressions: it must fail on each."""

import pytest

from rnncourse.site.rendered import problems

ENGLISH = """<main id="main-content"><section><h1>Title</h1>
<p>Words with <span class="math notranslate nohighlight">\\(h_t\\)</span> and
<span class="math notranslate nohighlight">\\(W x\\)</span>.</p>
<div class="math notranslate nohighlight">\\[\\begin{aligned} n &amp;= \\tanh(a)
&amp;\\text{reset after} \\end{aligned}\\]</div>
<section><h2>More</h2><p>One.</p><p>Two.</p>
<div class="cell"><pre>code</pre></div><figure><img src="a.svg"></figure></section>
</section></main>"""


def test_a_faithful_translation_passes():
    translated = (ENGLISH.replace("Words with", "含有").replace("One.", "一。")
                  .replace("\\text{reset after}", "\\text{之后}")             # words in \text{}
                  .replace("\\(h_t\\)</span> and\n<span class=\"math notranslate nohighlight\">"
                           "\\(W x\\)", "\\(W x\\)</span> 和\n<span class=\"math notranslate "
                           "nohighlight\">\\(h_t\\)"))                          # word order
    assert translated != ENGLISH and problems(ENGLISH, translated) == []


@pytest.mark.parametrize("planted,says", [
    (lambda s: s.replace(s[s.index("\\[\\begin"):s.index("\\]</div>") + 2], "\\[::\\]"),
     "formula(s) lost, rendered as '::'"),
    (lambda s: s.replace("\\tanh(a)", "\\sigma(a)"), "display formula 1 is"),
    (lambda s: s.replace("\\(W x\\)", "\\(W\\)"), "inline formulas differ"),
    (lambda s: s.replace("<p>Two.</p>", ""), "1 paragraphs, the English has 2"),
    (lambda s: s.replace('<div class="cell"><pre>code</pre></div>', ""), "0 code cells"),
    (lambda s: s.replace('<figure><img src="a.svg"></figure>', ""), "0 figures"),
    (lambda s: s.replace("<section><h2>More</h2>", "<div><h2>More</h2>")
     .replace("</figure></section>", "</figure></div>"), "1 sections, the English page has 2"),
])
def test_each_planted_regression_is_found(planted, says):
    found = problems(ENGLISH, planted(ENGLISH))
    assert any(says in line for line in found), found
