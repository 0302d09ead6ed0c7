"""How ``sampark serve`` workers take connections from the socket they share."""

import asyncio
import socket

import pytest

from sampark.server import LISTEN_BACKLOG, FairServer, ServeConfig


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_accepts_one_at_a_time_still_queues_a_burst():
    """Each worker takes one waiting connection per wake-up (asyncio's accept batch is the
    configured backlog, 1 for several workers), so a client's simultaneous connections spread
    over the workers. The kernel's queue must stay long: a burst of connections waits for a
    worker instead of being dropped."""
    config = ServeConfig("sampark.asgi:application", host="127.0.0.1", port=0, workers=2, backlog=1)
    listening = config.bind_socket()
    port = listening.getsockname()[1]
    server = FairServer(config)

    async def burst() -> tuple[int, int]:
        serving_task = asyncio.ensure_future(server.serve(sockets=[listening]))
        while not server.started:
            await asyncio.sleep(0.01)
        (serving,) = server.servers
        accept_batch = serving._backlog
        # The loop is not running while this coroutine connects: only the kernel's queue holds
        # the connections. With a queue of 1, all but the first two would time out.
        clients, connected = [], 0
        for _ in range(20):
            client = socket.socket()
            client.settimeout(0.5)
            try:
                client.connect(("127.0.0.1", port))
                connected += 1
            except OSError:
                pass
            clients.append(client)
        for client in clients:
            client.close()
        server.should_exit = True
        await serving_task
        return accept_batch, connected

    try:
        accept_batch, connected = asyncio.run(burst())
    finally:
        listening.close()
    assert accept_batch == 1
    assert connected == 20 <= LISTEN_BACKLOG
