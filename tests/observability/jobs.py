"""An RQ job for the logging tests (RQ imports jobs by dotted path)."""

import logging


def log_for_call(call_sid: str) -> None:
    logging.getLogger("app.jobs").info("working on the call")
