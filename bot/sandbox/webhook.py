"""Push pending updates to the bot's webhook, one at a time, retrying like Telegram."""

from __future__ import annotations

import asyncio
import logging

import httpx

from .updates import UpdateQueue

_LOGGER = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookSender:
    """Deliver updates in order; a failed update is sent again with the same update_id."""

    def __init__(self, queue: UpdateQueue, client: httpx.AsyncClient, retry_s: float) -> None:
        self._queue = queue
        self._client = client
        self._retry_s = retry_s

    async def run(self) -> None:
        """Deliver forever; cancel the task to stop."""
        while True:
            update, webhook = await self._queue.next_for_webhook()
            headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
            error = await self._post(webhook.url, update, headers)
            if error is None:
                self._queue.mark_delivered(update["update_id"])
                continue
            _LOGGER.info("webhook delivery of update %s failed: %s", update["update_id"], error)
            self._queue.record_webhook_error(error)
            await asyncio.sleep(self._retry_s)

    async def _post(self, url: str, update: object, headers: dict[str, str]) -> str | None:
        """Return None on a 2xx answer, else the error Telegram would report."""
        try:
            response = await self._client.post(url, json=update, headers=headers)
        except httpx.HTTPError as error:
            return f"Connection failed: {error.__class__.__name__}: {error}"
        if response.is_success:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
