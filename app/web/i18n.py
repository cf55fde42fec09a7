"""The console's words, Chinese (zh-CN) first and English second.

The language is the `lang` cookie, set by ?lang=en or ?lang=zh on any page; zh-CN without it. Pages
call `t(key)`; a key missing in English falls back to the Chinese, so a page never shows a key.
"""
from flask import g, request

from ..core.household_standing import TERMS

LANGUAGES = ("zh", "en")
COOKIE = "lang"

WORDS = {
    "product": {"zh": "底线 · 防止返贫动态监测", "en": "Dixian · Monitoring to prevent relapse into poverty"},
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_out": {"zh": "退出", "en": "Sign out"},
    "email": {"zh": "电子邮箱", "en": "Email"},
    "password": {"zh": "密码", "en": "Password"},
    "wrong_password": {"zh": "邮箱或密码错误。", "en": "The email or password is wrong."},
    "locked_out": {"zh": "密码错误次数过多,请 {seconds} 秒后再试。",
                   "en": "Too many wrong passwords; try again in {seconds} seconds."},
    "hashing_busy": {"zh": "服务器繁忙,请稍后再试。", "en": "The server is busy; try again shortly."},
    "form_expired": {"zh": "页面已过期,请重新提交。", "en": "This form has expired; please submit it again."},
    "projects": {"zh": "项目", "en": "Projects"},
    "no_projects": {"zh": "您还没有任何项目的权限,请联系管理员。",
                    "en": "You have no role in any project yet; ask an administrator."},
    "coverage_map": {"zh": "排查覆盖地图", "en": "Coverage map"},
    "submissions": {"zh": "提交记录", "en": "Submissions"},
    "review_received": {"zh": "待审核", "en": "Received"},
    "review_hasIssues": {"zh": "有问题", "en": "Has issues"},
    "review_edited": {"zh": "已修改", "en": "Edited"},
    "review_approved": {"zh": "已通过", "en": "Approved"},
    "review_rejected": {"zh": "已驳回", "en": "Rejected"},
    "review_state": {"zh": "审核状态", "en": "Review state"},
    "sort_by": {"zh": "排序", "en": "Sort by"},
    "sort_received": {"zh": "接收时间（最新在前）", "en": "Received (newest first)"},
    "sort_surveyed": {"zh": "调查日期（最新在前）", "en": "Survey date (latest first)"},
    "received_from": {"zh": "接收日期自", "en": "Received from"},
    "received_to": {"zh": "至", "en": "to"},
    "place_code": {"zh": "地区代码", "en": "Place code"},
    "all": {"zh": "全部", "en": "All"},
    "submission_count": {"zh": "共 {total} 条", "en": "{total} in all"},
    "no_submissions": {"zh": "没有符合条件的提交记录。", "en": "No submission matches."},
    "next_page": {"zh": "下一页", "en": "Next page"},
    "bulk_review": {"zh": "将以上筛选出的全部 {total} 条设为", "en": "Set all {total} submissions above to"},
    "bulk_reviewed": {"zh": "已将 {n} 条提交记录设为新的审核状态。",
                      "en": "{n} submissions have their new review state."},
    "apply": {"zh": "确定", "en": "Apply"},
    "submission": {"zh": "提交记录", "en": "Submission"},
    "answers": {"zh": "填报内容", "en": "Answers"},
    "photos": {"zh": "照片和附件", "en": "Photos and files"},
    "file_missing": {"zh": "(尚未上传)", "en": "(not yet received)"},
    "versions": {"zh": "修改记录", "en": "Versions"},
    "first_version": {"zh": "首次提交", "en": "First sent"},
    "no_changes": {"zh": "内容无变化", "en": "No answer changed"},
    "review_history": {"zh": "审核记录", "en": "Review history"},
    "comments": {"zh": "审核意见", "en": "Comments"},
    "set_review": {"zh": "审核", "en": "Review"},
    "comment": {"zh": "意见(可选)", "en": "Comment (optional)"},
    "save": {"zh": "保存", "en": "Save"},
    "back_to_submissions": {"zh": "返回提交记录", "en": "Back to the submissions"},
    "bulk": {"zh": "批量", "en": "in bulk"},
    "export": {"zh": "导出", "en": "Export"},
    "export_csv": {"zh": "CSV", "en": "CSV"},
    "export_zip": {"zh": "CSV(含家庭成员等子表,zip)", "en": "CSV with repeats (zip)"},
    "export_zip_media": {"zh": "CSV及照片(zip)", "en": "CSV with repeats and photos (zip)"},
    "export_xlsx": {"zh": "Excel", "en": "Excel"},
    "export_gb18030": {"zh": "CSV(GB18030,旧版Excel)", "en": "CSV (GB18030, older Excel)"},
    "export_geojson": {"zh": "GeoJSON(位置)", "en": "GeoJSON (locations)"},
    "export_pick_form": {"zh": "选择一个表单后即可导出。", "en": "Choose a form to export it."},
    "export_rows": {"zh": "正在导出:已写出 {n} / {total} 条", "en": "Exporting: {n} of {total} rows written"},
    "export_bytes": {"zh": "正在导出:已接收 {mb} MB(共 {total} 条)",
                     "en": "Exporting: {mb} MB received ({total} submissions)"},
    "export_done": {"zh": "导出完成:共 {total} 条。", "en": "Export done: {total} submissions."},
    "export_failed": {"zh": "导出失败", "en": "Export failed"},
    "exports": {"zh": "导出", "en": "Exports"},
    "workflow": {"zh": "识别认定(即将推出)", "en": "Identification (coming)"},
    "signed_in_as": {"zh": "当前用户", "en": "Signed in as"},
    "landing": {"zh": "本服务器通过 OpenRosa 协议向 ODK Collect 提供调查表单并接收数据。乡镇和县级审核人员请登录。",
                "en": "Dixian serves survey forms to ODK Collect over OpenRosa and takes in submissions. "
                      "Township and county reviewers, please sign in."},
    "other_language": {"zh": "English", "en": "中文"},
    "campaign": {"zh": "排查批次", "en": "Campaign"},
    "colour_by": {"zh": "着色", "en": "Colour by"},
    "by_coverage": {"zh": "排查覆盖率", "en": "Coverage"},
    "by_at_risk": {"zh": "风险户占比", "en": "Share at risk"},
    "no_campaign": {"zh": "还没有排查批次。", "en": "There is no campaign yet."},
    "all_places": {"zh": "全部", "en": "All"},
    "place": {"zh": "地区", "en": "Place"},
    "registered": {"zh": "登记户数", "en": "Registered"},
    "screened": {"zh": "已排查", "en": "Screened"},
    "coverage": {"zh": "覆盖率", "en": "Coverage"},
    "at_risk": {"zh": "风险户", "en": "At risk"},
    "at_risk_share": {"zh": "风险户占比", "en": "Share at risk"},
    "cluster_risk": {"zh": "聚集性风险(收入/刚性支出/住房/饮水)", "en": "Cluster risk (income, costs, housing, water)"},
    "cluster_alert": {"zh": "区域预警", "en": "area alert"},
    "cluster_alert_title": {"zh": "收入、刚性支出、住房或饮水风险户占已排查户的比例超过规则阈值,防止整村整乡返贫",
                            "en": "The share of screened households with income, cost, housing or water risk "
                                  "exceeds the ruleset's threshold"},
    "education": {"zh": "义务教育", "en": "Education"},
    "medical": {"zh": "基本医疗", "en": "Medical"},
    "housing": {"zh": "住房安全", "en": "Housing"},
    "water": {"zh": "饮水安全", "en": "Water"},
    "download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "unscreened": {"zh": "未排查", "en": "Not screened"},
    "screened_ok": {"zh": "已排查无风险", "en": "Screened"},
    "flagged_high": {"zh": "高风险", "en": "High risk"},
    "flagged_medium": {"zh": "中风险", "en": "Medium risk"},
    "flagged_low": {"zh": "低风险", "en": "Low risk"},
    "no_data": {"zh": "无数据", "en": "No data"},
    "open_household": {"zh": "查看农户", "en": "Open household"},
    "simple_map": {"zh": "此浏览器不支持 WebGL2,显示简化地图。", "en": "This browser lacks WebGL2: a simpler map."},
    "household": {"zh": "农户", "en": "Household"},
    "colon": {"zh": ":", "en": ": "},
    "flag_times": {"zh": "共 {n} 户", "en": "{n} households"},
    "head": {"zh": "户主", "en": "Head"},
    "idno": {"zh": "身份证号", "en": "ID number"},
    "village": {"zh": "村", "en": "Village"},
    "poverty_status": {"zh": "脱贫状态", "en": "Poverty status"},
    "monitoring": {"zh": "监测类别/状态", "en": "Monitoring"},
    "last_income": {"zh": "上年人均纯收入(元)", "en": "Last year's income per person (yuan)"},
    "members": {"zh": "家庭成员", "en": "Members"},
    "members_from_registry": {"zh": "来自登记簿", "en": "from the registry"},
    "members_from_screening": {"zh": "来自最近一次排查", "en": "from the latest screening"},
    "name": {"zh": "姓名", "en": "Name"},
    "relation": {"zh": "与户主关系", "en": "Relation"},
    "public_links": {"zh": "自主申报链接", "en": "Self-report links"},
    "refused": {"zh": "拒收", "en": "Refused"},
    "refused_address_minute": {"zh": "同一地址每分钟超限", "en": "Address, per minute"},
    "refused_address_day": {"zh": "同一地址每天超限", "en": "Address, per day"},
    "refused_link_minute": {"zh": "本链接每分钟超限", "en": "Link, per minute"},
    "refused_link_day": {"zh": "本链接每天超限", "en": "Link, per day"},
    "refused_honeypot": {"zh": "程序自动填写", "en": "Filled in by a program"},
    "refused_no_stamp": {"zh": "页面失效或伪造", "en": "Page stale or forged"},
    "refused_too_fast": {"zh": "提交过快", "en": "Sent too fast"},
    "refused_challenge": {"zh": "未通过安全验证", "en": "Proof of work missing"},
    "refused_attachment_size": {"zh": "照片过大", "en": "Photos too large"},
    "refused_attachment_type": {"zh": "附件不是照片", "en": "Not a photo"},
    "refused_attachment_pixels": {"zh": "照片像素过多", "en": "Photo of too many pixels"},
    "refused_attachment_count": {"zh": "照片太多", "en": "Too many photos"},
    "refused_stamp_used": {"zh": "同一页面重复提交", "en": "Page sent twice"},
    "refused_cross_site": {"zh": "从其他网站提交", "en": "Sent from another site"},
    "leads": {"zh": "风险线索", "en": "Risk leads"},
    "lead": {"zh": "风险线索", "en": "Risk lead"},
    "leads_intro": {"zh": "农户扫码自主申报形成的风险线索。新线索须在2个工作日内受理,逾期的以橙色标出并排在最前。",
                    "en": "Risk leads from residents' self-reports. A new lead is to be accepted within 2 working "
                          "days; overdue ones are orange and listed first."},
    "lead_new": {"zh": "待受理", "en": "New"},
    "lead_accepted": {"zh": "已受理", "en": "Accepted"},
    "lead_merged": {"zh": "已合并", "en": "Merged"},
    "lead_rejected": {"zh": "不予受理", "en": "Rejected"},
    "accept_by": {"zh": "受理期限", "en": "Accept by"},
    "overdue": {"zh": "已逾期", "en": "Overdue"},
    "phone": {"zh": "联系电话", "en": "Phone"},
    "no_leads": {"zh": "暂无风险线索。", "en": "No leads."},
    "back_to_leads": {"zh": "返回线索列表", "en": "Back to the leads"},
    "decided": {"zh": "处理", "en": "Decided"},
    "merged_into": {"zh": "已并入线索", "en": "Merged into"},
    "accept": {"zh": "受理", "en": "Accept"},
    "reject": {"zh": "不予受理", "en": "Reject"},
    "reason": {"zh": "理由", "en": "Reason"},
    "merge": {"zh": "合并", "en": "Merge"},
    "merge_into": {"zh": "并入线索", "en": "Into lead"},
    "matching_households": {"zh": "可能对应的登记农户", "en": "Registered households that may match"},
    "no_matching_households": {"zh": "本村登记农户中未找到身份证号或姓名相同的户。",
                               "en": "No household of the village has the same ID number or name."},
    "matched_by_idno": {"zh": "身份证号相同", "en": "same ID number"},
    "matched_by_name": {"zh": "姓名相同", "en": "same name"},
    "report": {"zh": "申报", "en": "Report"},
    "links_intro": {"zh": "每个村一个链接,农户扫描村里张贴的二维码即可自主申报。申报形成风险线索,由乡镇在线索页受理。",
                    "en": "One link per village: residents scan the village poster's QR code to self-report; each "
                          "report becomes a risk lead for the township to take up."},
    "link_expired": {"zh": "已过期", "en": "Expired"},
    "link_quota": {"zh": "已满额", "en": "Quota used up"},
    "township_code": {"zh": "乡镇代码", "en": "Township code"},
    "expires_on": {"zh": "截止日期", "en": "Last day"},
    "quota": {"zh": "申报上限", "en": "Report quota"},
    "create_links": {"zh": "为该乡镇各村创建链接", "en": "Create links for its villages"},
    "posters": {"zh": "下载海报(PDF)", "en": "Download posters (PDF)"},
    "reports": {"zh": "已申报", "en": "Reports"},
    "live": {"zh": "有效", "en": "Live"},
    "revoked": {"zh": "已撤销", "en": "Revoked"},
    "links_created": {"zh": "已创建 {new} 个链接,保留 {existing} 个已有链接。",
                      "en": "{new} links created, {existing} kept."},
    "user_created": {"zh": "已创建用户 {email}。请在下方为其分配角色和地区。",
                     "en": "User {email} created. Give them a role and places below."},
    "current_flags": {"zh": "当前风险", "en": "Current flags"},
    "no_flags": {"zh": "无", "en": "None"},
    "history": {"zh": "排查记录", "en": "Submissions"},
    "form": {"zh": "表单", "en": "Form"},
    "surveyed_on": {"zh": "调查日期", "en": "Surveyed on"},
    "received_at": {"zh": "接收时间", "en": "Received"},
    "state": {"zh": "状态", "en": "State"},
    "flag": {"zh": "风险项", "en": "Flag"},
    "filter": {"zh": "筛选", "en": "Filter"},
    "matching": {"zh": "共 {total} 户", "en": "{total} households"},
    "state_unscreened": {"zh": "未排查", "en": "Not screened"},
    "state_screened": {"zh": "已排查无风险", "en": "Screened, no risk"},
    "state_flagged": {"zh": "有风险", "en": "At risk"},
    "household_list": {"zh": "户列表", "en": "Households"},
    "back_to_village": {"zh": "返回本村户列表", "en": "Back to the village's households"},
    "back_to_map": {"zh": "返回地图", "en": "Back to the map"},
    "people": {"zh": "用户与权限", "en": "Users and roles"},
    "role": {"zh": "角色", "en": "Role"},
    "places": {"zh": "地区(行政区划代码)", "en": "Places (area codes)"},
    "whole_project": {"zh": "全部地区", "en": "Everywhere"},
    "revoke": {"zh": "撤销", "en": "Revoke"},
    "give_role": {"zh": "授予角色", "en": "Give a role"},
    "new_user": {"zh": "新建用户", "en": "New user"},
    "role_manager": {"zh": "管理员(项目)", "en": "Manager"},
    "role_viewer": {"zh": "查看人员", "en": "Viewer"},
    "role_data_collector": {"zh": "采集人员", "en": "Data collector"},
}


# Risk flags by code, as the console names them (app.core.rules.flags.SEVERITY_OF lists the codes).
FLAG_NAMES = {
    "income_below_line": {"zh": "收入低于监测线", "en": "Income below the line"},
    "basic_needs": {"zh": "两不愁未保障", "en": "Basic needs unmet"},
    "edu_dropout": {"zh": "义务教育辍学", "en": "Out of compulsory school"},
    "no_med_ins": {"zh": "未参加基本医保", "en": "No basic medical insurance"},
    "housing_unsafe": {"zh": "住房不安全", "en": "Unsafe housing"},
    "water_unsafe": {"zh": "饮水不安全", "en": "Unsafe drinking water"},
    "income_drop": {"zh": "收入大幅下降", "en": "Income fell sharply"},
    "medical_high": {"zh": "医疗支出过大", "en": "High medical costs"},
    "no_labor": {"zh": "无劳动能力", "en": "No one able to work"},
    "no_worker": {"zh": "无务工人员", "en": "No one in work"},
    "rigid_expense": {"zh": "刚性支出过大", "en": "High unavoidable costs"},
    "renovation_eligible": {"zh": "可纳入危房改造", "en": "Eligible for house repair"},
    "water_check_needed": {"zh": "饮水需核查", "en": "Water to be checked"},
    "income_watch_10k": {"zh": "收入低于1万元(关注)", "en": "Income under 10,000 (watch)"},
    "housing_grade_unknown": {"zh": "房屋等级待专业鉴定", "en": "House grade needs an appraisal"},
    "seismic_retrofit_candidate": {"zh": "可纳入抗震改造", "en": "Seismic retrofit candidate"},
    # Data quality: what the rules could not read, and records that disagree (issue 17).
    "input_missing": {"zh": "缺少研判所需答案", "en": "An answer a rule needs is blank"},
    "input_unreadable": {"zh": "答案不是表单允许的选项", "en": "An answer the form does not allow"},
    "answer_ambiguous": {"zh": "同一问题答了两次", "en": "A question answered twice"},
    "income_unreadable": {"zh": "收入数字无法读取", "en": "Income figure unreadable"},
    "water_unreadable": {"zh": "饮水数字无法读取", "en": "Water figure unreadable"},
    "age_unreadable": {"zh": "年龄无法读取", "en": "Age unreadable"},
    "work_months_unreadable": {"zh": "务工月数无法读取", "en": "Months of work unreadable"},
    "id_invalid": {"zh": "身份证号无效", "en": "Invalid ID number"},
    "person_in_two_households": {"zh": "同一人登记在两户", "en": "A person in two households"},
    "person_listed_twice": {"zh": "同一人在本户列了两次", "en": "A person listed twice"},
    "category_inconsistent": {"zh": "监测类别与登记不一致", "en": "Category disagrees with the registry"},
    "head_count": {"zh": "户主人数不对", "en": "Wrong number of heads"},
    "household_empty": {"zh": "家庭无成员", "en": "No members listed"},
    "outside_assigned_places": {"zh": "不在设备负责的村", "en": "Outside the device's villages"},
    "id_duplicate": {"zh": "户主身份证号已登记在另一户", "en": "Head's ID number registered in another household"},
    "gps_outside_village": {"zh": "定位不在本村范围内", "en": "Location outside the village"},
    "household_elsewhere": {"zh": "所选农户登记在其他村", "en": "Household registered in another village"},
    "village_unknown": {"zh": "村代码不存在", "en": "Unknown village code"},
    "survey_date_future": {"zh": "调查日期晚于今天", "en": "Survey date in the future"},
    "link_village_mismatch": {"zh": "所填村与二维码所属村不一致", "en": "Village differs from the QR code's"},
    "registry_value_too_long": {"zh": "答案超出登记簿长度,新户未登记", "en": "Too long to register"},
}


# The registry's codes as the console names them: in Chinese the first term core.household_standing
# accepts for each (what a registry file writes), in English these.
_STANDING_EN = {
    "poverty_status": {"lifted": "Lifted out of poverty", "ordinary": "Ordinary household"},
    "category": {"none": "Not monitored", "unstable": "Unstable, lifted out of poverty",
                 "edge": "On the edge of poverty", "hardship": "Sudden severe hardship"},
    "status": {"none": "Not monitored", "monitored": "Risk not eliminated", "eliminated": "Risk eliminated"},
}
# A member's relation to the head: the screening form's list `rel` (forms/fpf_hh_screening.md; a test
# holds the two together).
RELATIONS = {
    "head": {"zh": "户主", "en": "Head"}, "spouse": {"zh": "配偶", "en": "Spouse"}, "son": {"zh": "子", "en": "Son"},
    "daughter": {"zh": "女", "en": "Daughter"}, "child_in_law": {"zh": "儿媳/女婿", "en": "Child-in-law"},
    "grandchild": {"zh": "孙子女", "en": "Grandchild"}, "parent": {"zh": "父母", "en": "Parent"},
    "sibling": {"zh": "兄弟姐妹", "en": "Sibling"}, "other": {"zh": "其他", "en": "Other"},
}


def term(column: str, code) -> str:
    """A registry code of `column` (poverty_status, category, status or relation) in this request's
    language; '–' for none, and a value no list knows as it was written (a registry file may give any
    relation). A list (an answer given twice in a submission) reads as its terms joined."""
    if isinstance(code, list):
        return " / ".join(term(column, c) for c in code if c) or "–"
    if not code:
        return "–"
    if not isinstance(code, str):
        return str(code)
    lang = g.get("lang", "zh")
    if column == "relation":
        names = RELATIONS.get(code)
        return (names.get(lang) or names["zh"]) if names else code
    terms = TERMS[column].get(code)
    if terms is None:
        return code
    return _STANDING_EN[column][code] if lang == "en" else terms[0]


def flag_name(code: str) -> str:
    """A flag code's name in this request's language; the code itself for a data-quality flag."""
    names = FLAG_NAMES.get(code)
    return (names.get(g.get("lang", "zh")) or names["zh"]) if names else code


def language() -> str:
    """'zh' or 'en': ?lang= on this request, else the cookie, else zh."""
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else "zh"


def t(key: str, **values) -> str:
    """The word for `key` in this request's language, with {values} filled in."""
    words = WORDS[key]
    return (words.get(g.get("lang", "zh")) or words["zh"]).format(**values)


def remember_language(response):
    """after_request: keep a language chosen by ?lang= for the next pages."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure)
    return response
