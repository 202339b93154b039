"""kubeclip: run AI coding agents from Paperclip as reviewable, isolated Kubernetes Jobs.

Data flow: schema (validate) -> podfacts (introspect) -> plan (merge) -> renderer
(templates -> manifest). The render path is pure and never imports ``kubernetes``.
"""

__version__ = "0.1.0"
