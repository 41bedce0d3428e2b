"""Structured logs, the call context of a log line, and the webhook metrics.

At the bottom of the layers: app.telephony, the queue and voicemail import `context` and
`metrics` from here, so nothing in this package imports a domain package. The pages that
read the floor (/metrics with its gauges, the RQ dashboard) are app.monitoring, at the top.
"""
