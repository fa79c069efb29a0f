"""An explorer's Jupyter form: ipywidgets controls, and a figure redrawn in the kernel at every
change."""

import html

from ..site.i18n import output_language, translate


def widget(control, language):
    """The ipywidget for one :class:`~rnncourse.explorers.explorer.Control`, labelled in
    ``language``."""
    import ipywidgets as widgets
    label = translate(control.label, language)
    style = {"description_width": "150px"}
    if control.kind == "range":
        cls = widgets.IntSlider if isinstance(control.value, int) else widgets.FloatSlider
        return cls(value=control.value, min=control.low, max=control.high, step=control.step,
                   description=label, style=style,
                   layout=widgets.Layout(width="330px"), continuous_update=False)
    if control.kind == "select":
        return widgets.Dropdown(options=[(translate(option, language), option)
                                         for option in control.options], value=control.value,
                                description=label, style={"description_width": "90px"},
                                layout=widgets.Layout(width="230px"))
    if control.kind == "toggle":
        return widgets.ToggleButtons(options=[(translate(option, language), option)
                                              for option in control.options], value=control.value,
                                     description=label, style=style)
    return widgets.Checkbox(value=control.value, description=label,
                            style={"description_width": "initial"})


class JupyterForm:
    """The ipywidgets half of :class:`~rnncourse.explorers.explorer.Explorer`."""

    def _build_widgets(self):
        import ipywidgets as widgets
        self.language = output_language()
        self.controls = {name: widget(spec, self.language) for name, spec in self.specs.items()}
        self.figure_view = widgets.HTML()
        self.summary = widgets.HTML()
        names = list(self.controls)
        layout = self.rows or [names[k:k + 3] for k in range(0, len(names), 3)]
        rows = [widgets.HBox([self.controls[name] for name in row],
                             layout=widgets.Layout(flex_flow="row wrap")) for row in layout]
        note = widgets.HTML(f"<small>{html.escape(translate(self.caption, self.language))}</small>")
        self.widget = widgets.VBox([*rows, self.figure_view, self.summary, note])
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, change=None):
        """Recompute the numbers for the current control values and redraw the lines."""
        values = self.values()
        for name, (other, enabling) in self.enabled_when.items():
            self.controls[name].disabled = values[other] != enabling
        self.data = self.compute(**values)
        self.draw(self.data)
        reading = self.reading(self.data, self.language)
        self.figure_view.value = self.image_html(reading, self.language)
        self.summary.value = f"<p>{html.escape(reading)}</p>"
