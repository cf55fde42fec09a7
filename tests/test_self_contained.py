"""The suite and the scripts need nothing outside the repository, so they pass from any clone."""
import json
import re

from tests.conftest import REAL_FORMS, REPO

# A sibling `shared` folder (the project's notes and cases) exists only on the team's machines:
# its relative path, the variable that used to point at it, or a path built as `parent / "shared"`.
_OUTSIDE = re.compile(rb"\.\./shared|DIXIAN_SHARED_DIR|parents?(\[\d\])?\s*/\s*[\"']shared[\"']")
_THIS = REPO / "tests" / "test_self_contained.py"


def _files(*folders):
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path != _THIS:
                yield path


def test_no_file_in_tests_or_scripts_reads_the_shared_folder():
    offenders = [str(p.relative_to(REPO)) for p in _files("tests", "scripts")
                 if _OUTSIDE.search(p.read_bytes())]
    assert offenders == []


def test_the_real_form_corpus_is_in_the_repository_with_its_sources_and_licences():
    assert REAL_FORMS.is_relative_to(REPO / "tests")
    for name in ("corpus.json", "MANIFEST.md", "SOURCES.json", "LICENSES/README.md"):
        assert (REAL_FORMS / name).is_file(), name
    # Every source the corpus names has its licence file here, except the one that states none.
    sources = json.loads((REAL_FORMS / "SOURCES.json").read_text())["licenses"]
    with_licence = {p.name.split("__")[0] + "/" + p.name.split("__")[1]
                    for p in (REAL_FORMS / "LICENSES").iterdir() if "__" in p.name}
    assert with_licence == {repo for repo, licence in sources.items() if not licence.startswith("none")}
