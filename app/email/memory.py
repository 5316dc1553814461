"""The memory backend: keeps what it sent, for tests."""

from app.email.message import Batch, SendResult


class MemoryBackend:
    """Records every batch and every rendered message instead of sending."""

    batch_size = 1000

    def __init__(self):
        self.batches: list[Batch] = []
        self.outbox = []

    def send(self, batch: Batch) -> SendResult:
        """Render each copy and keep it."""
        self.batches.append(batch)
        self.outbox.extend(batch.render(r) for r in batch.recipients)
        return SendResult(accepted=len(batch.recipients))

    def clear(self):
        """Forget everything sent so far."""
        self.batches.clear()
        self.outbox.clear()
