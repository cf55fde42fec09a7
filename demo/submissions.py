"""Submission XML for the monitoring forms, as ODK Collect writes it, and realistic random answers.

Used by the demo simulator, the benchmarks and the tests, so they all send what
the forms in forms/ really produce.
"""
import random
import uuid
from datetime import date
from xml.sax.saxutils import escape

from demo.county import DemoCounty, DemoHousehold

FORM_VERSION = "2026112301"


def member_xml(name: str, relation: str, idno: str = "", age: str = "", med_ins: str = "resident",
               labor: str = "normal", school: str = "", work: str = "county", months: str = "12",
               health: str = "healthy", oos_reason: str = "") -> str:
    noid = "no" if idno else "yes"
    return (f"<member><m_name>{escape(name)}</m_name><m_noid>{noid}</m_noid><m_idno>{idno}</m_idno>"
            f"<m_relation>{relation}</m_relation><m_sex>male</m_sex><m_birth_in/><m_birth/><m_age>{age}</m_age>"
            f"<m_age_note/><m_health>{health}</m_health><m_dis_level/><m_labor>{labor}</m_labor>"
            f"<m_school>{school}</m_school><m_oos_reason>{oos_reason}</m_oos_reason><m_med_ins>{med_ins}</m_med_ins>"
            f"<m_pension>resident</m_pension><m_work>{work}</m_work><m_work_months>{months}</m_work_months>"
            "<m_yulu/><m_is_labor/><m_edu_gap/><m_uninsured/></member>")


def screening_xml(instance_id: str, *, village: str, household: str, gps: str, members: list[str],
                  head_name: str = "王五", head_idno: str = "", poverty_status: str = "lifted",
                  monitor_status: str = "none", inc_wage: str = "12000.5", inc_prop: str = "300",
                  inc_trans: str = "1200", exp_med: str = "0",
                  survey_date: str = "2026-11-20", photo: str = "", house_status: str = "safe",
                  water_issue: str = "none", food_ok: str = "yes") -> bytes:
    county, township = (village[:6] + "000000", village[:9] + "000") if village else ("", "")
    return (
        f'<data id="fpf_hh_screening" version="{FORM_VERSION}">'
        f"<start>{survey_date}T09:00:00.000+08:00</start><end>{survey_date}T09:25:00.000+08:00</end>"
        f"<today>{survey_date}</today><deviceid>collect:demo</deviceid><username/>"
        "<meta_g><visit_type>campaign</visit_type><lead_id/><surveyor_role>village_cadre</surveyor_role>"
        f"<surveyor_name>李四</surveyor_name><survey_date>{survey_date}</survey_date><visit_mode>in_person</visit_mode>"
        f"</meta_g><loc_g><county>{county}</county><township>{township}</township><village>{village}</village>"
        f"<group_no/><hh_pick>{household}</hh_pick><hh_gps>{gps}</hh_gps></loc_g>"
        f"<hh_g><head_name>{escape(head_name)}</head_name><head_idno>{head_idno}</head_idno><phone/>"
        f"<poverty_status>{poverty_status}</poverty_status><monitor_status>{monitor_status}</monitor_status>"
        "<assistance>none</assistance><relocated>no</relocated></hh_g>"
        + "".join(members) +
        f"<hh_size>{len(members)}</hh_size>"
        f"<inc_g><inc_wage>{inc_wage}</inc_wage><inc_biz>0</inc_biz><exp_biz>0</exp_biz><inc_prop>{inc_prop}</inc_prop>"
        f"<inc_trans>{inc_trans}</inc_trans><inc_net/><pc_income/><prev_pc_income/><pc_note/>"
        f"<exp_med>{exp_med}</exp_med><exp_edu>0</exp_edu><loss_disaster>0</loss_disaster><exp_rigid/>"
        "<income_note>A &amp; B</income_note></inc_g>"
        f"<lsb_g><food_ok>{food_ok}</food_ok><cloth_ok>yes</cloth_ok><edu_gap_n/><uninsured_n/>"
        f"<house_status>{house_status}</house_status><water_supply>tap</water_supply>"
        f"<water_issue>{water_issue}</water_issue></lsb_g>"
        "<risk_g><risk_found>no</risk_found><risk_types/><proposed_cat>none</proposed_cat><needs/><consent/>"
        f"<consent_photo/><card_on_wall/><card_photo/><hh_photo>{photo}</hh_photo><sig_hh/><sig_surveyor/>"
        "<remarks/></risk_g>"
        f"<meta><instanceID>{instance_id}</instanceID><instanceName>{escape(head_name)} {survey_date}</instanceName>"
        "</meta></data>"
    ).encode("utf-8")


def _inspection(form_id: str, instance_id: str, surveyor: str, village: str, household: str, survey_date: str,
                body: str) -> bytes:
    """The parts the housing and water inspections share: metadata, visit, location, meta block."""
    return (
        f'<data id="{form_id}" version="{FORM_VERSION}">'
        f"<start/><end/><today>{survey_date}</today><deviceid>collect:demo</deviceid><username/>"
        f"<meta_g><surveyor_name>{surveyor}</surveyor_name><survey_date>{survey_date}</survey_date></meta_g>"
        f"<loc_g><county>{village[:6]}000000</county><township>{village[:9]}000</township><village>{village}</village>"
        f"<hh_pick>{household}</hh_pick></loc_g>{body}"
        f"<meta><instanceID>{instance_id}</instanceID><instanceName>{household} {survey_date}</instanceName></meta>"
        "</data>").encode("utf-8")


def housing_xml(instance_id: str, *, village: str, household: str, gps: str, grade: str,
                survey_date: str = "2026-11-20", key_group: str = "dibao", photo: str = "",
                seismic7: str = "0") -> bytes:
    return _inspection("fpf_housing", instance_id, "住建站 刘工", village, household, survey_date,
        f"<eligibility_g><key_group>{key_group}</key_group><only_house>yes</only_house>"
        "<other_safe_house>no</other_safe_house><servant_family>no</servant_family></eligibility_g>"
        f"<house_g><house_gps>{gps}</house_gps><build_year>1988</build_year><floors>1</floors><floors_note/>"
        "<structure>earth_wood</structure><area>86</area><occupied>yes</occupied></house_g>"
        "<safety_g><site_hazard>none</site_hazard><foundation>slight</foundation><walls>cracks_tilt</walls>"
        "<frame>slight</frame><roof>leaking</roof></safety_g>"
        # seismic7 as Collect's pulldata writes it from the village's row of admin_units.csv
        f"<seismic_g><seismic7>{seismic7}</seismic7><ring_beam/><tie_col/><wall_link/></seismic_g>"
        f"<grade_g><grade>{grade}</grade><grade_by>technical</grade_by><inspector>县住建局</inspector>"
        "<disaster>no</disaster><disaster_type/><prior_reno>no</prior_reno><prior_reno_year/>"
        "<prior_rebuild>no</prior_rebuild><current_arr>own</current_arr><action>repair</action>"
        "<progress>not_started</progress></grade_g>"
        f"<photo_g><photo_front>{photo}</photo_front><photo_side/><photo_inside/><photo_done/><sig_owner/>"
        "<sig_inspector/></photo_g>")


def water_xml(instance_id: str, *, village: str, household: str, gps: str, qty_lpcd: str, outage_days: str,
              piped: str = "yes", sensory: str = "none", survey_date: str = "2026-11-20") -> bytes:
    return _inspection("fpf_water", instance_id, "水利站 陈工", village, household, survey_date,
        f"<water_gps>{gps}</water_gps>"
        f"<supply_g><supply_type>large_central</supply_type><works>城乡一体化水厂</works><piped>{piped}</piped>"
        "<scarce_area>0</scarce_area></supply_g>"
        f"<quantity_g><qty_method>meter</qty_method><qty_lpcd>{qty_lpcd}</qty_lpcd><fetch_min/><fetch_h_m/>"
        "<fetch_v_m/></quantity_g>"
        f"<reliability_g><outage_days>{outage_days}</outage_days><seasonal>no</seasonal><drought_ok/></reliability_g>"
        f"<quality_g><sensory>{sensory}</sensory><report>yes</report><report_date>2026-06-01</report_date>"
        "<report_org>县疾控中心</report_org><report_pass>pass</report_pass><disinfect>running</disinfect></quality_g>"
        "<q_ok/><c_ok/><g_ok/><w_ok/><water_safe/><water_note/>"
        "<photo_g><photo_source/><photo_tap/><photo_sample/></photo_g>"
        "<issue_g><issue_desc/><resp_unit/><deadline/></issue_g>")


def random_screening(rng: random.Random, county: DemoCounty, h: DemoHousehold, surveyed: date,
                     photo: bytes | None = None) -> tuple[bytes, dict[str, bytes]]:
    """A campaign visit to a registered household; some 15% of households show a risk."""
    lon, lat = county.point_in(h.village, rng)
    risky = rng.random() < 0.15
    members = []
    for m in h.members:
        school_age = 6 <= m.age <= 15
        members.append(member_xml(
            m.name, m.relation, m.idno, str(m.age),
            med_ins="none" if risky and rng.random() < 0.3 else "resident",
            labor="normal" if 18 <= m.age <= 60 else "none",
            school=("dropout" if risky and rng.random() < 0.3 else "primary") if school_age else
                   ("college" if m.age <= 25 else ""),
            work="county" if 18 <= m.age <= 60 else "", months="12" if 18 <= m.age <= 60 else ""))
    per_capita = h.last_pc_income * (rng.uniform(0.5, 0.8) if risky else rng.uniform(0.95, 1.25))
    name = f"{1_700_000_000_000 + rng.randrange(10 ** 12)}.jpg" if photo else ""   # Collect's millis.jpg
    xml = screening_xml(
        f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}", village=h.village, household=h.code,
        gps=f"{lat:.6f} {lon:.6f} {rng.uniform(20, 80):.1f} {rng.uniform(3, 12):.1f}", members=members,
        head_name=h.head.name, head_idno=h.head.idno, poverty_status=h.poverty_status,
        inc_wage=f"{per_capita * len(h.members) - 1500:.0f}", inc_prop="300", inc_trans="1200",
        exp_med=f"{rng.uniform(0, 20000) if risky else rng.uniform(0, 2000):.0f}",
        survey_date=surveyed.isoformat(), photo=name,
        house_status=rng.choice(("grade_c", "grade_d", "suspect")) if risky and rng.random() < 0.2 else "safe",
        water_issue="quantity" if risky and rng.random() < 0.2 else "none",
        food_ok="no" if risky and rng.random() < 0.05 else "yes")
    return xml, ({name: photo} if photo else {})


def random_housing(rng: random.Random, county: DemoCounty, h: DemoHousehold, surveyed: date) -> bytes:
    lon, lat = county.point_in(h.village, rng)
    return housing_xml(f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}", village=h.village,
                       household=h.code, gps=f"{lat:.6f} {lon:.6f} 40 6", grade=rng.choice("ABBCD"),
                       survey_date=surveyed.isoformat())


def random_water(rng: random.Random, county: DemoCounty, h: DemoHousehold, surveyed: date) -> bytes:
    lon, lat = county.point_in(h.village, rng)
    return water_xml(f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}", village=h.village,
                     household=h.code, gps=f"{lat:.6f} {lon:.6f} 40 6",
                     qty_lpcd=f"{rng.choice((25, 40, 60, 80))}", outage_days=str(rng.choice((0, 5, 20, 50))),
                     survey_date=surveyed.isoformat())


def collect_multipart(xml: bytes, files: dict[str, bytes]) -> tuple[bytes, str]:
    """A submission POST body as Collect builds it: xml_submission_file, then one part per file.

    Returns the body and its Content-Type (with the boundary).
    """
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
             'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n'.encode() + xml + b"\r\n"]
    for name, data in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                     'Content-Type: image/jpeg\r\n\r\n'.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
