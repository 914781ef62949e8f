"""Realistic Telegram objects for the non-text messages a sandbox user can send."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from .models import SandboxUser, StoredFile
from .world import World

MEDIA_KINDS = frozenset(
    {
        "sticker",
        "photo",
        "voice",
        "video",
        "video_note",
        "audio",
        "document",
        "location",
        "contact",
        "animation",
    }
)
CAPTIONED_KINDS = frozenset({"photo", "voice", "video", "audio", "document", "animation"})
# A valid 1x1 JPEG, so a bot that downloads a "photo" gets a real image.
_TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////"
    "////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB"
    "PxA="
)


@dataclass(frozen=True)
class MediaOptions:
    """Optional details a test may choose for the media it sends."""

    emoji: str = "👍"
    latitude: float = 52.520008
    longitude: float = 13.404954
    phone_number: str = "+49301234567"
    file_name: str | None = None
    content: str | None = None


@dataclass(frozen=True)
class Media:
    """The message fields for one media kind, plus the document if there is one."""

    fields: dict[str, Any] | None
    document: StoredFile | None = None


def _file(world: World, kind: str, content: bytes, name: str | None, mime: str) -> StoredFile:
    return world.store_file(content, folder=f"{kind}s", file_name=name, mime_type=mime)


def _ids(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }


def build_media(world: World, user: SandboxUser, kind: str, options: MediaOptions) -> Media:
    """Store placeholder bytes where the kind has a file and return the message fields."""
    if kind == "location":
        return Media({"location": {"latitude": options.latitude, "longitude": options.longitude}})
    if kind == "contact":
        contact = {
            "phone_number": options.phone_number,
            "first_name": user.first_name,
            "user_id": user.id,
        }
        return Media({"contact": contact})
    if kind == "photo":
        sizes = [(90, 67), (320, 240), (800, 600)]
        photo = [
            {
                **_ids(_file(world, "photo", _TINY_JPEG, None, "image/jpeg")),
                "width": w,
                "height": h,
            }
            for w, h in sizes
        ]
        return Media({"photo": photo})
    if kind == "document":
        name = options.file_name or "notes.txt"
        content = (options.content or "A document from the sandbox.\n").encode("utf-8")
        return Media(None, _file(world, "document", content, name, "text/plain"))
    return _media_file(world, kind, options)


def _media_file(world: World, kind: str, options: MediaOptions) -> Media:
    """Build sticker, voice, video, video_note, audio and animation messages."""
    placeholder = f"sandbox {kind}".encode()
    if kind == "sticker":
        stored = _file(world, kind, placeholder, None, "image/webp")
        sticker = {
            **_ids(stored),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": options.emoji,
            "set_name": "SandboxStickers",
        }
        return Media({"sticker": sticker})
    if kind == "voice":
        stored = _file(world, kind, placeholder, None, "audio/ogg")
        return Media({"voice": {**_ids(stored), "duration": 3, "mime_type": "audio/ogg"}})
    if kind == "video_note":
        stored = _file(world, kind, placeholder, None, "video/mp4")
        return Media({"video_note": {**_ids(stored), "length": 240, "duration": 4}})
    if kind == "audio":
        name = options.file_name or "song.mp3"
        stored = _file(world, kind, placeholder, name, "audio/mpeg")
        audio = {
            **_ids(stored),
            "duration": 180,
            "performer": "Sandbox",
            "title": "Song",
            "file_name": name,
            "mime_type": "audio/mpeg",
        }
        return Media({"audio": audio})
    name = options.file_name or f"{kind}.mp4"
    stored = _file(world, kind, placeholder, name, "video/mp4")
    video = {
        **_ids(stored),
        "width": 640,
        "height": 360,
        "duration": 5,
        "file_name": name,
        "mime_type": "video/mp4",
    }
    if kind == "animation":
        # Telegram sends animations with a document field too, for older clients.
        return Media({"animation": video}, stored)
    return Media({"video": video})
