"""What is stored. Importing this package registers every table on the metadata."""
from .actor import Actor, ApiSession, AppUser, ProjectRole, User
from .blob import Blob
from .form import Form, FormAssignment, FormAttachment, FormVersion
from .project import Project
from .submission import GeoAnswer, Submission, SubmissionAttachment, SubmissionVersion

__all__ = [
    "Actor", "ApiSession", "AppUser", "Blob", "Form", "FormAssignment", "FormAttachment", "FormVersion", "GeoAnswer",
    "Project", "ProjectRole", "Submission", "SubmissionAttachment", "SubmissionVersion", "User",
]
