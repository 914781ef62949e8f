"""What a resident still has to choose before the main menu: language, hub, consent."""

from __future__ import annotations

from enum import StrEnum

from db.base import utcnow
from db.models import ConsentDecision, Hub, Resident


class Step(StrEnum):
    """The next thing to ask a resident."""

    LANGUAGE = "language"
    HUB = "hub"
    CONSENT = "consent"
    DONE = "done"


def next_step(resident: Resident, *, consent_version: int) -> Step:
    """Return the first unanswered question.

    A resident who accepted an older privacy notice is asked again; one who declined is not
    pestered, and can change their mind under /privacy.
    """
    if resident.language is None:
        return Step.LANGUAGE
    if resident.hub_id is None:
        return Step.HUB
    if resident.consent_decision is None:
        return Step.CONSENT
    if (
        resident.consent_decision == ConsentDecision.ACCEPTED
        and resident.consent_version != consent_version
    ):
        return Step.CONSENT
    return Step.DONE


def choose_hub(resident: Resident, hub: Hub) -> None:
    """Attach a resident to a hub."""
    resident.hub = hub
    resident.hub_id = hub.id


def record_consent(resident: Resident, *, accepted: bool, consent_version: int) -> None:
    """Record the resident's answer to the privacy notice, with version and time."""
    resident.consent_decision = ConsentDecision.ACCEPTED if accepted else ConsentDecision.DECLINED
    resident.consent_version = consent_version
    resident.consent_at = utcnow()
