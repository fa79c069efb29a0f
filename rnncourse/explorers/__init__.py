"""The gate explorers, in three parts: their maths (:mod:`.maths`), their Jupyter form
(:mod:`.jupyter`, ipywidgets) and their page form (:mod:`.page`, the static site's HTML and
``web/explorers.js``), joined in :mod:`.explorer`; :mod:`.gates` defines the three
explorers the chapters show."""

from .gates import GradientFlowExplorer, GRUGateExplorer, LSTMGateExplorer

__all__ = ["GradientFlowExplorer", "GRUGateExplorer", "LSTMGateExplorer"]
