"""Projects."""
from sqlalchemy import select

from ...extensions import db
from ...models import Project
from ...problems import bad_request
from ..column_limits import PROJECT_NAME


def create_project(name: str, description: str | None = None) -> Project:
    if not name.strip():
        raise bad_request("A project needs a name.")
    project = Project(name=PROJECT_NAME.clean(name.strip()), description=description)
    db.session.add(project)
    db.session.commit()
    return project


def list_projects() -> list[Project]:
    return list(db.session.scalars(select(Project).where(Project.archived.is_(False)).order_by(Project.id)))


def project_named(name: str) -> Project | None:
    return db.session.scalar(select(Project).where(Project.name == name).order_by(Project.id).limit(1))
