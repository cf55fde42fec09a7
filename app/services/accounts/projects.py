"""Projects: the unit forms, device accounts, grants and submissions belong to."""
from sqlalchemy import select

from ... import events
from ...events import Kind
from ...extensions import db
from ...models import Project
from ...problems import missing_parameter, not_found
from ..column_limits import PROJECT_NAME


def create_project(name: str, description: str | None = None) -> Project:
    """Raises Problem 400.2 for an empty name, 400.13 for one too long."""
    if not name.strip():
        raise missing_parameter("name", "A project needs a name.")
    project = Project(name=PROJECT_NAME.clean(name.strip()), description=description)
    db.session.add(project)
    db.session.flush()
    events.record(Kind.PROJECT_CREATE, project_id=project.id, subject=str(project.id))
    db.session.commit()
    return project


def list_projects() -> list[Project]:
    """The live (not archived) projects, by id."""
    return list(db.session.scalars(select(Project).where(Project.archived.is_(False)).order_by(Project.id)))


def project_named(name: str) -> Project | None:
    return db.session.scalar(select(Project).where(Project.name == name).order_by(Project.id).limit(1))


def require_project(project_id: int, *, archived: bool = False) -> Project:
    """The project; an archived one only with `archived` (grants and device accounts may still be
    made in one; nothing is served from it). Raises Problem 404.1 otherwise."""
    project = db.session.get(Project, project_id)
    if project is None or (project.archived and not archived):
        raise not_found(f"There is no project {project_id}.")
    return project
