"""The gate explorers, in three parts: their maths (:mod:`.maths`), their Jupyter form
(:mod:`.jupyter`, ipywidgets) and their page form (:mod:`.page`, the static site's HTML and
``web/explorers.js``), joined in :mod:`.explorer`; :mod:`.gates` defines the three
explorers the chapters show. :mod:`.sampler` is the text sampler, a language model that writes
in the page (``web/sampler.js``) or in Jupyter."""

from .gates import GradientFlowExplorer, GRUGateExplorer, LSTMGateExplorer

__all__ = ["GradientFlowExplorer", "GRUGateExplorer", "LSTMGateExplorer"]
