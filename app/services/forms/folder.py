"""Publishing the forms/ folder at server start: idempotent, so restarts add no versions."""
from dataclasses import dataclass, field
from pathlib import Path

from ...problems import Problem, xlsform_not_valid
from ...storage.blobstore import BlobStore
from ..accounts.projects import create_project, project_named
from .compile import XLSFORM_TYPES
from .publish import publish_form

FORM_SUFFIXES = set(XLSFORM_TYPES) | {".xml"}


@dataclass
class DirectoryReport:
    project_id: int
    lines: list[str] = field(default_factory=list)


def form_files(directory: Path) -> list[Path]:
    """Form definitions in the folder (not in its -media subfolders, not Office lock files)."""
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and p.suffix.lower() in FORM_SUFFIXES and not p.name.startswith(("~$", ".")))


def publish_directory(directory: Path, project_name: str, *, blobs: BlobStore) -> DirectoryReport:
    project = project_named(project_name) or create_project(project_name)
    report = DirectoryReport(project.id)
    failures = []
    for path in form_files(directory):
        media_dir = path.with_name(f"{path.stem}-media")
        media = {p.name: p.read_bytes() for p in media_dir.iterdir() if p.is_file()} if media_dir.is_dir() else {}
        try:
            result = publish_form(project.id, path.name, path.read_bytes(), media=media, blobs=blobs)
        except Problem as e:
            failures.append(f"{path.name}: {e.message}")
            continue
        status = "published" if result.created else "unchanged"
        report.lines.append(f"{status}: {result.form.xml_form_id} '{result.version.version}' ({path.name})")
        report.lines += [f"  warning: {w}" for w in result.warnings]
    if failures:
        raise xlsform_not_valid("Some forms could not be published:\n" + "\n".join(failures))
    return report
