"""A small real SMTP server for tests, on a free local port: it accepts mail, or refuses chosen
recipients the way a real server does (550 for an address that does not exist, 451 for "try
later"), so Vigil's own mail path is tested through Django's real SMTP backend. What leaves the
machine is the only thing stood in for."""

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class SMTPState:
    refused: dict[str, str] = field(default_factory=dict)  # address -> reply, e.g. "550 5.1.1 No such user"
    delivered: list[tuple[list[str], str]] = field(default_factory=list)  # (recipients, message)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Cleared, the server holds every RCPT until it is set again: a sender caught mid-email.
    gate: threading.Event = field(default_factory=threading.Event)
    held: int = 0

    def __post_init__(self) -> None:
        self.gate.set()

    def recipients(self) -> list[str]:
        with self.lock:
            return [address for recipients, _ in self.delivered for address in recipients]


class _Handler(socketserver.StreamRequestHandler):
    state: SMTPState

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 test.example ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 test.example")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                self._wait_at_gate()
                address = command.split(":", 1)[1].strip().strip("<>").lower()
                refusal = self.state.refused.get(address)
                if refusal:
                    self.reply(refusal)
                else:
                    recipients.append(address)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self._read_data(recipients)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP
                self.reply("250 OK")

    def _wait_at_gate(self) -> None:
        if self.state.gate.is_set():
            return
        with self.state.lock:
            self.state.held += 1
        self.state.gate.wait(timeout=120)

    def _read_data(self, recipients: list[str]) -> None:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line.decode("utf-8", "replace"))
        with self.state.lock:
            self.state.delivered.append((list(recipients), "".join(lines)))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_smtp_server() -> tuple[_Server, SMTPState]:
    state = SMTPState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state
