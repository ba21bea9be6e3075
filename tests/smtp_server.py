"""A real SMTP server for tests, in its own process: aiosmtpd writing each message to a folder.

    python tests/smtp_server.py FOLDER PORT [--refuse ADDRESS ...]

Each accepted message becomes one ``.eml`` file, written under a temporary name and renamed
once whole, so a reader never sees half a message. A refused address gets ``550`` at RCPT, as a
real server answers for a mailbox that does not exist. It prints ``ready`` once listening.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class FolderHandler:
    def __init__(self, folder: Path, refuse: set[str]) -> None:
        self.folder = folder
        self.refuse = refuse
        self.count = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        name = f"{next(self.count):06d}-{os.getpid()}"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.folder / f"{name}.eml")
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--refuse", action="append", default=[])
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    handler = FolderHandler(args.folder, {address.lower() for address in args.refuse})
    controller = Controller(handler, hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
