"""An explorer's page form: the static site's HTML, whose controls, charts and maths run in the
reader's browser (``web/explorers.js``), with no kernel. Without JavaScript the reader sees the
figure of the starting values."""

import html
import json
from importlib import resources

from ..site.i18n import ENGLISH, localized_html, translate


def control_spec(control, language=ENGLISH):
    """One :class:`~rnncourse.explorers.explorer.Control` as the page's script reads it."""
    number_format = ["int"] if isinstance(control.value, int) else ["fixed", control.digits]
    spec = {"name": control.name, "label": translate(control.label, language),
            "value": control.value, "type": control.kind, "format": number_format}
    if control.kind == "range":
        spec.update(min=control.low, max=control.high, step=control.step)
    if control.kind in ("select", "toggle"):
        spec["options"] = [[option, translate(option, language)] for option in control.options]
    return spec


class PageForm:
    """The static-site half of :class:`~rnncourse.explorers.explorer.Explorer`."""

    def web_data(self):
        """The fixed numbers the page's maths needs (drawn here, with NumPy's generator)."""
        return {}

    def web_config(self, data, language=ENGLISH):
        """What the page's script needs: ``data`` (from :meth:`web_data`, the same in every
        language) and the explorer's words in ``language``."""
        def panel(spec):
            words = {key: translate(spec[key], language) for key in ("title", "xlabel")
                     if key in spec}
            series = [{**line, **({"label": translate(line["label"], language)}
                                  if "label" in line else {})} for line in spec["series"]]
            return {**spec, **words, "series": series}

        return {"kind": self.kind, "reading_kind": self.reading_kind,
                "controls": [control_spec(spec, language) for spec in self.specs.values()],
                "enabled_when": {name: list(rule) for name, rule in self.enabled_when.items()},
                "panels": [panel(spec) for spec in self.web_panels],
                "reading": translate(self.reading_template, language),
                "note": translate(self.caption, language), "data": data,
                **self.web_texts(language)}

    def web_texts(self, language):
        return {}

    def page_html(self):
        """The explorer for the static site, in each of the site's languages: its
        configuration, the figure of the starting values (what a reader without JavaScript
        sees), and the script that makes it live."""
        web = resources.files(__package__).joinpath("web")
        script = web.joinpath("explorers.js").read_text(encoding="utf-8")
        style = web.joinpath("explorers.css").read_text(encoding="utf-8")
        data = self.web_data()
        return localized_html(lambda language: self._page_html(language, data, script, style))

    def _page_html(self, language, data, script, style):
        config = json.dumps(self.web_config(data, language),
                            separators=(",", ":")).replace("</", "<\\/")
        reading = self.reading(self.data, language)
        return (f'<div class="rnn-explorer">\n<style>{style}</style>\n'
                f'<script type="application/json" class="rnn-explorer-config">{config}'
                '</script>\n<figure class="rnn-explorer-static">'
                f'{self.image_html(reading, language)}<figcaption>{html.escape(reading)} '
                f'{html.escape(translate(self.caption, language))}</figcaption></figure>\n'
                f'<script>{script}</script>\n</div>')
