"""What is stored. Importing this package registers every table on the metadata."""
from .actor import Actor, ApiSession, AppUser, DigestNonceUse, ProjectRole, SignInFailure, SignInKnownAddress, User
from .blob import Blob, BlobThumbnail
from .event import Event
from .form import Form, FormAssignment, FormAttachment, FormVersion
from .household import Household, HouseholdPerson
from .lead import Lead, LeadReport
from .place import AdminUnit, AdminUnitShape, AdminUnitTile, AppUserPlace
from .project import Project
from .public_link import PublicLink, PublicLinkRefusal, SelfReportCount
from .review import SubmissionComment, SubmissionReview
from .risk import (
    Campaign,
    CampaignHousehold,
    CampaignPoint,
    CampaignVillage,
    RiskFlag,
    Ruleset,
    SubmissionAssessment,
    campaign_change,
)
from .submission import GeoAnswer, OdataRow, OdataStore, Submission, SubmissionAttachment, SubmissionVersion

__all__ = [
    "Actor", "AdminUnit", "AdminUnitShape", "AdminUnitTile", "ApiSession", "AppUser", "AppUserPlace", "Blob",
    "BlobThumbnail",
    "Campaign", "CampaignHousehold", "CampaignPoint", "CampaignVillage", "DigestNonceUse", "Event", "Form",
    "FormAssignment",
    "FormAttachment", "FormVersion", "GeoAnswer", "OdataRow", "OdataStore", "Household", "HouseholdPerson", "Lead",
    "LeadReport", "Project",
    "ProjectRole",
    "PublicLink", "PublicLinkRefusal", "RiskFlag", "Ruleset", "SelfReportCount", "SignInFailure",
    "SignInKnownAddress", "Submission", "SubmissionAssessment", "SubmissionAttachment", "SubmissionComment",
    "SubmissionReview", "SubmissionVersion", "User",
    "campaign_change",
]
