"""What people hold at the end of a run: the report, the STIX bundle, the takedown workflow.

Each reads a :class:`linkage.run_model.Run` (just computed or read from a run folder).
"""
