"""The Chinese names of outreach's codes, as a station worker says them."""

from __future__ import annotations

from vet_contracts import outreach

METHOD_NAMES = {
    "home_visit": "上门走访",
    "phone": "电话",
    "video": "视频",
    "wechat": "微信",
    "sms": "短信",
    "meeting": "座谈会",
    "group_activity": "集中活动",
    "medical_round": "医疗巡诊",
}
REQUEST_CATEGORY_NAMES = outreach.REQUEST_CATEGORY_NAMES
GRADE_NAMES = {"ordinary": "一般", "urgent": "紧急", "major": "重大"}
REQUEST_STATUS_NAMES = {
    "registered": "已登记",
    "accepted": "已受理",
    "in_progress": "办理中",
    "resolved": "已化解待回访",
    "closed": "已办结",
    "open": "未办结",
}
SATISFACTION_NAMES = outreach.SATISFACTION_NAMES
# The steps of a request's history, by the name outreach records them under.
STEP_NAMES = {
    "registered": "登记",
    "accepted": "受理",
    "assigned": "指定责任人",
    "started": "开始办理",
    "progress": "办理进展",
    "resolved": "化解",
    "followed_up": "回访",
    "reopened": "重新办理",
    "closed": "办结",
    "escalated": "督办",
    "moved": "随人员迁移",
    "person_deceased": "人员去世",
}
END_REASON_NAMES = {
    "reassigned": "改派",
    "transferred": "迁出本辖区",
    "deceased": "去世",
    "staff_left": "工作人员调离",
    "no_longer_key_contact": "不再是重点联系对象",
    "other": "其他",
}
REACH_NAMES = {
    "in_person": "已上门",
    "remote": "仅电话等远程联系",
    "not_reached": "未联系",
    "deceased": "已故",
    "moved_away": "已迁出本活动地区",
}
SUMMARY_STATUS_NAMES = {"missing": "未上报", "submitted": "待审核", "approved": "已通过", "returned": "已退回"}
CAMPAIGN_STATUS_NAMES = {"planned": "筹备中", "launched": "进行中"}
