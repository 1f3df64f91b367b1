"""The worker process of a service: relay, projector, log consumers (one active leader), subscribers, health port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Generator
from typing import Any

import uvicorn
from fastapi import FastAPI

from vet_common.api import add_common_routes
from vet_common.follower import LogFollower
from vet_common.leader import WORKER, leader_lock
from vet_common.polling import sleep_or_stop
from vet_common.projector import Projector
from vet_common.relay import KafkaPublisher, Relay
from vet_common.service import ServiceDefinition, mongo_client, read_model_db
from vet_common.settings import SERVICES, Settings
from vet_common.subscriber import dlq_topic, make_broker, subscribe, subscribe_batch

log = logging.getLogger(__name__)


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the worker decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def ensure_topics(settings: Settings) -> None:
    """Create every topic with the configured partitions; auto-creation would use the broker's default."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [settings.topic(s) for s in SERVICES]
        wanted += [dlq_topic(t) for t in wanted]
        missing = [t for t in wanted if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another worker was quicker
                await admin.create_topics(
                    [NewTopic(t, num_partitions=settings.topic_partitions, replication_factor=1) for t in missing]
                )
    finally:
        await admin.close()


async def _until_connected(what: str, stop: asyncio.Event, attempt: Any) -> None:
    """Kafka may still be starting: keep trying rather than die."""
    delay = 0.5
    while not stop.is_set():
        try:
            await attempt()
            return
        except Exception as error:
            log.warning("%s not ready (%r); retrying in %.1fs", what, error, delay)
            await sleep_or_stop(stop, delay)
            delay = min(delay * 2, 5.0)


async def run_worker(definition: ServiceDefinition, settings: Settings, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    application = await asyncio.to_thread(definition.application_class, settings)
    client = mongo_client(settings)
    db = read_model_db(client, settings)

    health = FastAPI(title=f"{definition.title} worker")
    health.state.settings, health.state.application, health.state.db = settings, application, db
    health.state.checks = {}
    add_common_routes(health, f"{definition.name}-worker")
    server = _QuietServer(
        uvicorn.Config(health, host=settings.api_host, port=settings.worker_port, log_level="warning")
    )

    await _until_connected("Kafka topics", stop, lambda: ensure_topics(settings))
    broker = make_broker(settings)
    if definition.consumes and definition.handler_factory:
        handler = definition.handler_factory(application)
        topics = settings.consumed_topics(definition.consumes)
        if definition.batch_handler_factory:
            subscribe_batch(broker, settings, topics, definition.batch_handler_factory(application), handler)
        else:
            subscribe(broker, settings, topics, handler)
    await _until_connected("Kafka broker", stop, broker.start)

    async def lead() -> None:
        lock = leader_lock(settings, WORKER)
        standing_by = False
        while not stop.is_set():
            if await asyncio.to_thread(lock.try_acquire):
                break
            if not standing_by:  # once: an operator who started it during `vet rebuild` sees why it waits
                holder = lock.holder()
                log.info("%s worker is a standby: %s leads (another worker, or `vet rebuild`)", definition.name, holder)
                standing_by = True
            await sleep_or_stop(stop, 2.0)
        if stop.is_set():
            return
        log.info("%s worker is the leader: running relay and projector", definition.name)
        publisher = KafkaPublisher(settings.kafka_bootstrap)
        await _until_connected("Kafka producer", stop, publisher.start)
        # One reader of the notification log: each notification is read and decrypted once for all of them.
        follower = LogFollower(application)
        relay = Relay(
            application,
            definition.translator_factory(application),
            publisher,
            settings.topic(definition.name),
            follower=follower,
        )
        health.state.checks["relay"] = relay.health
        projector = Projector(application, db, definition.projection_factory(application), follower=follower)
        consumers = [make(application, db, settings) for make in definition.log_consumers]
        interval = settings.poll_interval_seconds
        try:
            await asyncio.gather(
                relay.run(stop, interval),
                projector.run(stop, interval),
                *(follower.follow(consumer, stop, interval) for consumer in consumers),
                *(task(application, db, settings, stop) for task in definition.leader_tasks),
            )
        finally:
            await publisher.stop()
            lock.release()

    async def serve_health() -> None:
        serving = asyncio.create_task(server.serve())
        await stop.wait()
        server.should_exit = True
        await serving

    try:
        await asyncio.gather(lead(), serve_health())
    finally:
        await broker.stop()
        await client.close()
        application.close()


def main(definition: ServiceDefinition, settings: Settings) -> None:
    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_worker(definition, settings, stop)

    asyncio.run(run())
