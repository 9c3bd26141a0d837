"""Form errors the way the Design System shows them: a summary at the top of the page that
links to each field, and the same message beside the field (``errorMessage``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FormErrors:
    """Messages by field id, in the order the fields appear on the page.

    In a template: ``errors.message('username')`` for the field's ``errorMessage``; the
    base layout renders ``errors.summary()`` in the error summary and prefixes the title.
    """

    messages: Mapping[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def message(self, field_id: str) -> dict[str, str] | None:
        text = self.messages.get(field_id)
        return {"text": text} if text else None

    def summary(self) -> list[dict[str, str]]:
        return [{"text": text, "href": f"#{field_id}"} for field_id, text in self.messages.items()]
