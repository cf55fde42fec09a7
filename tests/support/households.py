"""Screening submissions for forms/fpf_hh_screening.md, as Collect would send them."""
from xml.sax.saxutils import escape

VERSION = "2026112301"


def member_xml(name: str, relation: str, idno: str = "", age: str = "", med_ins: str = "resident",
               labor: str = "normal", school: str = "", work: str = "county", months: str = "12") -> str:
    noid = "no" if idno else "yes"
    return (f"<member><m_name>{escape(name)}</m_name><m_noid>{noid}</m_noid><m_idno>{idno}</m_idno>"
            f"<m_relation>{relation}</m_relation><m_sex>male</m_sex><m_birth_in/><m_birth/><m_age>{age}</m_age>"
            f"<m_age_note/><m_health>healthy</m_health><m_dis_level/><m_labor>{labor}</m_labor>"
            f"<m_school>{school}</m_school><m_oos_reason/><m_med_ins>{med_ins}</m_med_ins>"
            f"<m_pension>resident</m_pension><m_work>{work}</m_work><m_work_months>{months}</m_work_months>"
            f"<m_yulu/><m_is_labor>1</m_is_labor><m_edu_gap>0</m_edu_gap><m_uninsured>0</m_uninsured></member>")


DEFAULT_MEMBERS = (member_xml("王五", "head", age="52"),
                   member_xml("王小五", "son", age="24", med_ins="none", labor="none", school="college", work=""))


def screening_xml(instance_id: str = "uuid:aaaaaaaa-0000-4000-8000-000000000001", *, village: str = "420102001001",
                  household: str = "H001", gps: str = "30.5928 114.3055 25.5 4.2", head_idno: str = "",
                  inc_wage: str = "12000.5", inc_prop: str = "300", survey_date: str = "2026-11-20",
                  members: tuple[str, ...] = DEFAULT_MEMBERS, photo: str = "", house_status: str = "safe",
                  water_issue: str = "none") -> bytes:
    county, township = (village[:6] + "000000", village[:9] + "000") if village else ("", "")
    return (
        f'<data id="fpf_hh_screening" version="{VERSION}">'
        "<start>2026-11-20T09:00:00.000+08:00</start><end>2026-11-20T09:25:00.000+08:00</end>"
        "<today>2026-11-20</today><deviceid>collect:test</deviceid><username/>"
        "<meta_g><visit_type>campaign</visit_type><lead_id/><surveyor_role>village_cadre</surveyor_role>"
        f"<surveyor_name>李四</surveyor_name><survey_date>{survey_date}</survey_date><visit_mode>in_person</visit_mode>"
        f"</meta_g><loc_g><county>{county}</county><township>{township}</township><village>{village}</village>"
        f"<group_no/><hh_pick>{household}</hh_pick><hh_gps>{gps}</hh_gps></loc_g>"
        f"<hh_g><head_name>王五</head_name><head_idno>{head_idno}</head_idno><phone/>"
        "<poverty_status>lifted</poverty_status><monitor_status>none</monitor_status>"
        "<assistance>none</assistance><relocated>no</relocated></hh_g>"
        + "".join(members) +
        f"<hh_size>{len(members)}</hh_size>"
        f"<inc_g><inc_wage>{inc_wage}</inc_wage><inc_biz>0</inc_biz><exp_biz>0</exp_biz><inc_prop>{inc_prop}</inc_prop>"
        "<inc_trans>1200</inc_trans><inc_net/><pc_income/><prev_pc_income/><pc_note/><exp_med>0</exp_med>"
        "<exp_edu>0</exp_edu><loss_disaster>0</loss_disaster><exp_rigid/><income_note>A &amp; B</income_note></inc_g>"
        "<lsb_g><food_ok>yes</food_ok><cloth_ok>yes</cloth_ok><edu_gap_n>0</edu_gap_n><uninsured_n>1</uninsured_n>"
        f"<house_status>{house_status}</house_status><water_supply>tap</water_supply>"
        f"<water_issue>{water_issue}</water_issue></lsb_g>"
        "<risk_g><risk_found>no</risk_found><risk_types/><proposed_cat>none</proposed_cat><needs/><consent/>"
        f"<consent_photo/><card_on_wall/><card_photo/><hh_photo>{photo}</hh_photo><sig_hh/><sig_surveyor/>"
        "<remarks/></risk_g>"
        f"<meta><instanceID>{instance_id}</instanceID><instanceName>王五 {survey_date}</instanceName></meta></data>"
    ).encode("utf-8")
