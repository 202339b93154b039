"""``kubeclip serve``: one long-lived process per Paperclip pod runs every agent run of it.

It holds one connection pool and one pod watch per namespace for all runs, renders
in-process, and owns the runs: the ``kubeclip-opencode`` relay that asked for a run only
forwards it and copies its output (:mod:`kubeclip.paperclip.protocol`).
"""
