"""Detection, one module per pipeline stage, in data-flow order.

``validate`` -> ``normalise`` -> ``link`` -> ``cluster`` -> ``coordination`` -> ``score``
-> ``attribution`` -> ``stable_ids`` -> ``evidence``; ``pipeline`` strings them together
into a :class:`linkage.run_model.Run`. Each stage is a function over tables with no I/O.
"""
