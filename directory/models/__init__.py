"""The domain model. Import every class here so the metadata is complete."""

from ._common import new_public_id, utcnow
from .account import RateLimitCounter, Role, User, memberships
from .external import ExternalTaxonomy, ExternalTerm, ServiceExternalTerm
from .insight import DemandCount, NeedKind, SearchMiss
from .location import Location, service_locations
from .moderation import (
    AuditEvent,
    ChangeKind,
    ChangeState,
    JoinRequest,
    JoinState,
    ListingChange,
    Report,
    ReportState,
)
from .organization import Organization
from .plan import SavedPlan
from .referral import ContactMethod, Referral, ReferralMessage, ReferralStatus
from .service import CoverageArea, Day, Service, ServiceLanguage, ServiceStatus, WeeklySession
from .suggestion import HIGH_CONFIDENCE, SuggestionState, TagSuggestion
from .taxonomy import SECTIONS, VENUE_ACCESS, Taxonomy, Term, location_terms, service_terms
from .version import CatalogueVersion

__all__ = [
    "AuditEvent",
    "ChangeKind",
    "ChangeState",
    "JoinRequest",
    "JoinState",
    "ListingChange",
    "RateLimitCounter",
    "Report",
    "ContactMethod",
    "Referral",
    "ReferralMessage",
    "ReferralStatus",
    "ReportState",
    "CatalogueVersion",
    "HIGH_CONFIDENCE",
    "SuggestionState",
    "TagSuggestion",
    "SECTIONS",
    "VENUE_ACCESS",
    "CoverageArea",
    "DemandCount",
    "NeedKind",
    "SearchMiss",
    "Day",
    "ExternalTaxonomy",
    "ExternalTerm",
    "Location",
    "Organization",
    "Role",
    "SavedPlan",
    "Service",
    "ServiceExternalTerm",
    "ServiceLanguage",
    "ServiceStatus",
    "Taxonomy",
    "Term",
    "User",
    "WeeklySession",
    "location_terms",
    "new_public_id",
    "utcnow",
    "memberships",
    "service_locations",
    "service_terms",
]
