"""Rendered pieces kept between publishes, in bounded memory.

A piece is kept under everything it shows (its key), so a change to any of it makes a new key
and the piece is rendered anew; nothing is ever invalidated, so several workers never share a
stale piece. When a store is full it starts over: the next publish renders what it needs again.
"""


class Kept:
    """A bounded store of pieces by key, emptied when full."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pieces: dict = {}

    def get(self, key):
        """The piece kept under ``key``, or None."""
        return self.pieces.get(key)

    def put(self, key, piece):
        """Keep ``piece`` under ``key`` (starting over first if the store is full)."""
        if len(self.pieces) >= self.limit:
            self.pieces.clear()
        self.pieces[key] = piece
        return piece

    def get_or_make(self, key, make):
        """The piece kept under ``key``, made by ``make()`` and kept if there is none."""
        piece = self.pieces.get(key)
        return self.put(key, make()) if piece is None else piece

    def clear(self) -> None:
        self.pieces.clear()
