"""The staff dashboard: conversations, review, needs report, retention (issue 7)."""

from __future__ import annotations

from dashboard.app import create_app

__all__ = ["create_app"]
