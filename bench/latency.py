"""A loopback TCP proxy that makes a local wiki as far away as a wiki on the Internet.

Each request costs one extra round trip: the proxy holds every answer back by ``rtt`` seconds
before the first byte of it reaches the client (whether the client opens a connection per request
or keeps one alive). TCP's own handshake is not slowed down, so this is the kind case for tools
that send many requests.
"""

from __future__ import annotations

import socket
import threading
import time


class DelayProxy:
    """``127.0.0.1:port`` -> ``127.0.0.1:target``, each answer ``rtt`` seconds late."""

    def __init__(self, target: int, rtt: float) -> None:
        self.target = target
        self.rtt = rtt
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="delay-proxy", daemon=True)

    def __enter__(self) -> DelayProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(("127.0.0.1", self.target))
        except OSError:
            client.close()
            return
        asked = threading.Event()  # set when the client has sent what it waits an answer for
        up = threading.Thread(target=self._pump, args=(client, server, asked, False), daemon=True)
        up.start()
        self._pump(server, client, asked, True)
        up.join(timeout=5)

    def _pump(self, src: socket.socket, dst: socket.socket, asked: threading.Event,
              answers: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if answers:
                    if asked.is_set():  # the first bytes of an answer: one round trip late
                        time.sleep(self.rtt)
                        asked.clear()
                else:
                    asked.set()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
