"""The queue's services, reached through `queue_services()`: built once per app, rebuilt only
when what they are made of changes (docs/architecture.md, "Reaching the queue's ... services")."""

from __future__ import annotations

import redis
from flask import Flask

from app.calls import call_controls
from app.queue import QueueServices, queue_services
from app.queue.hooks import queue_hooks
from app.telephony import TwilioGateway


def test_the_services_are_built_once_and_shared(app: Flask):
    with app.app_context():
        services = queue_services()
        assert isinstance(services, QueueServices)
        assert services is queue_services(app)
        first = services.service
        assert services.service is first
        # One store, one event stream and one governor behind every member.
        assert services.store is first.store
        assert services.events is first.events
        assert services.governor is first.governor
        assert call_controls() is call_controls()
        assert call_controls().queue is first


def test_a_changed_setting_is_seen_by_the_next_use(app: Flask):
    with app.app_context():
        before = queue_services().service
        controls = call_controls()
        app.config["RING_TIMEOUT_SECONDS"] = before.settings.ring_timeout + 7
        app.config["TRANSFER_RING_TIMEOUT_SECONDS"] = 41
        after = queue_services().service
        assert after is not before
        assert after.settings.ring_timeout == before.settings.ring_timeout + 7
        assert call_controls() is not controls
        assert call_controls().settings.transfer_ring_timeout == 41
        assert call_controls().queue is after


def test_a_swapped_gateway_or_redis_is_used(app: Flask):
    with app.app_context():
        services = queue_services()
        old_store = services.store
        gateway = TwilioGateway.from_config(app.config)
        app.extensions["twilio_gateway"] = gateway
        assert services.service.gateway is gateway
        assert call_controls().gateway is gateway
        client = redis.Redis.from_url(app.config["REDIS_URL"], decode_responses=True)
        app.extensions["redis"] = client
        assert services.store is not old_store
        assert services.store.redis is client
        assert services.events.redis is client
        assert services.governor.redis is client


def test_a_hook_registered_after_first_use_is_used(app: Flask):
    def survey(call_sid: str, call: dict[str, str]) -> None:
        return None

    with app.app_context():
        assert queue_services().service.after_call is not survey
        queue_hooks(app).after_call = survey
        assert queue_services().service.after_call is survey
