"""Sending a board pack by e-mail: one message with the pack attached, over SMTP, with the account and STARTTLS taken
from settings (etl/settings.py), never from the command line."""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from etl import settings


def send_pack(attachments: list[Path], recipients: list[str], smtp: str, subject: str, body: str) -> None:
    """Send the files to the recipients through the SMTP server at HOST:PORT."""
    host, _, port = smtp.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--smtp {smtp!r}: give HOST:PORT, for example mail.example.org:587")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.mail_from(), ", ".join(recipients), subject
    message.set_content(body)
    for path in attachments:
        kind, _ = mimetypes.guess_type(path.name)
        main, sub = (kind or "application/octet-stream").split("/")
        message.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=path.name)
    with smtplib.SMTP(host, int(port), timeout=60) as server:
        if settings.smtp_starttls():
            server.starttls(context=ssl.create_default_context())
        login = settings.smtp_login()
        if login:
            server.login(*login)
        server.send_message(message)
