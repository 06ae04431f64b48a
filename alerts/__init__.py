"""Alerts: one digest per run for the people who need to act (docs/operations.md, Alerts).

`digest.py` composes it (pure, no I/O), `channels.py` sends it by email and webhook,
`outbox.py` keeps what could not be sent for the next run. `flows/alerts.py` wires it to a run.
"""
