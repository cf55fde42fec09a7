"""pyodk against the live server: signing in, projects and forms (Central's first calls, next-capabilities C.1)."""
from tests.conftest import REPO


def test_pyodk_lists_projects_and_forms(odk, project, publish):
    publish(REPO / "forms" / "fpf_hh_screening.md")
    projects = odk.projects.list()
    assert [p.id for p in projects] == [project]
    assert odk.projects.get(project).name == "测试项目 Test project"
    forms = odk.forms.list()
    assert [f.xmlFormId for f in forms] == ["fpf_hh_screening"]
    assert odk.forms.get("fpf_hh_screening").projectId == project
