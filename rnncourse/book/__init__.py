"""What the chapters draw and show: a figure as the page shows it (:mod:`.figures`), the
architecture drawings (:mod:`.diagrams`), the charts and colours (:mod:`.plotting`), the
gradient measurements behind the BPTT and LSTM chapters (:mod:`.gradients`), and rnncore's
source shown on a page (:mod:`.listing`)."""
