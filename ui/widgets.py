"""Small widgets every window builds the same way."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton


def push_button(name: str, text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
    """A button with an object name (tests and screenshots find it by name), a tooltip and its action."""
    button = QPushButton(text)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    button.clicked.connect(slot)
    return button
