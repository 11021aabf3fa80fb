"""The I/O edges: the data contract, reading an input folder, writing and reading run folders.

Nothing here detects anything; no module here imports a pipeline stage.
"""
