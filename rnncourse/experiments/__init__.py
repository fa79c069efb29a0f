"""The experiments the summary chapter reports: the tasks, the sequence model and its training
loop (:mod:`.training`), the long-range sweep and its command line (:mod:`.long_range`,
results shipped in ``results/``), and a look at how gated models hold the language task's
answer (:mod:`.language`).

    python -m rnncourse.experiments run --task language --cell lstm --length 100
    python -m rnncourse.experiments sweep --out FILE
"""
