"""Talking to the Kubernetes API: the client, pod status, log following, checks."""
