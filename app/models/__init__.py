"""What is stored. Importing this package registers every table on the metadata."""
from .actor import Actor, ApiSession, AppUser, DigestNonceUse, ProjectRole, SignInFailure, SignInKnownAddress, User
from .blob import Blob
from .event import Event
from .form import Form, FormAssignment, FormAttachment, FormVersion
from .household import Household
from .place import AdminUnit, AdminUnitShape, AppUserPlace
from .project import Project
from .risk import Campaign, CampaignHousehold, CampaignVillage, RiskFlag, Ruleset, SubmissionAssessment, campaign_change
from .submission import GeoAnswer, Submission, SubmissionAttachment, SubmissionVersion

__all__ = [
    "Actor", "AdminUnit", "AdminUnitShape", "ApiSession", "AppUser", "AppUserPlace", "Blob", "Campaign",
    "CampaignHousehold",
    "DigestNonceUse", "Event", "SignInFailure", "SignInKnownAddress",
    "CampaignVillage", "Form", "FormAssignment", "FormAttachment", "FormVersion", "GeoAnswer", "Household",
    "Project", "ProjectRole", "RiskFlag", "Ruleset", "Submission", "SubmissionAssessment", "SubmissionAttachment",
    "SubmissionVersion", "User", "campaign_change",
]
