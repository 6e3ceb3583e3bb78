"""Word lists for generated follow-ups, visits, tasks and coordination requests: what reps really write.

Placeholders: {contact} (title and name of the person met), {product}, {competitor}, {pct}, {budget}.
The seller sells industrial software and services; competitors are invented names.
"""

from __future__ import annotations

PRODUCTS = ("MES系统", "设备物联网平台", "能耗管理系统", "数据中台", "智能仓储WMS", "质量追溯系统", "年度运维服务")
COMPETITORS = ("启衡科技", "北辰云擎", "澜舟信达", "泓岳智能", "中拓数联")

# How a rep's day is spread over the kinds of contact (visits are generated as visits, with a follow-up).
KIND_WEIGHTS = {"call": 32, "wechat": 30, "email": 9, "meeting": 8, "sms": 3, "event": 3}
KIND_LABELS = {
    "call": "电话",
    "wechat": "微信",
    "sms": "短信",
    "email": "邮件",
    "visit": "拜访",
    "meeting": "会议",
    "event": "活动",
}

CONTENT = {
    "call": (
        "电话联系{contact}，确认{product}项目的预算审批进度，对方表示月底前会有结论。",
        "给{contact}打电话，沟通试用环境的部署时间，约定下周一上门安装。",
        "电话回访{contact}，了解上期交付的使用情况，整体运行稳定。",
        "与{contact}电话沟通报价细节，解释了实施费用的构成。",
        "电话确认{contact}已收到技术方案，对方会在内部评审后回复。",
        "致电{contact}，询问招标文件的发布时间，预计两周内挂网。",
        "电话沟通{contact}，了解明年的信息化预算安排。",
        "和{contact}通电话，对齐下次方案汇报需要准备的内容。",
    ),
    "wechat": (
        "微信发送{product}的同行业案例给{contact}，对方表示会转给技术部评估。",
        "微信与{contact}沟通合同条款中的付款节点。",
        "通过微信和{contact}确认下周的拜访时间。",
        "微信回复{contact}关于接口对接的问题，已拉技术同事进群。",
        "把更新后的报价单微信发给{contact}，请其转采购部。",
        "微信问候{contact}，顺便了解项目立项的最新情况。",
        "微信发了{product}的演示视频给{contact}。",
    ),
    "sms": (
        "短信提醒{contact}明天上午的方案汇报会。",
        "短信发送会议纪要要点给{contact}。",
    ),
    "email": (
        "邮件发送{product}技术方案V2给{contact}，抄送项目组。",
        "邮件回复{contact}的澄清问题清单，共12条。",
        "发送正式报价邮件给{contact}，报价有效期30天。",
        "邮件发送项目实施计划和人员安排给{contact}。",
    ),
    "visit": (
        "上门拜访{contact}，介绍{product}整体方案，参观了生产车间。",
        "拜访{contact}，现场调研现有系统和产线情况，收集需求清单。",
        "到客户现场与{contact}面谈，讨论明年的合作规划。",
        "陪同售前工程师拜访{contact}，现场演示{product}。",
        "拜访{contact}，当面递交报价方案并解释商务条款。",
        "上门回访{contact}，了解{product}上线后的使用情况。",
    ),
    "meeting": (
        "参加客户组织的{product}方案评审会，{contact}及技术部、采购部参会。",
        "与{contact}召开项目启动会，确认实施范围和里程碑。",
        "线上会议：向{contact}团队演示{product}，共8人参会。",
        "与{contact}开商务谈判会，讨论价格和付款方式。",
    ),
    "event": (
        "邀请{contact}参加我司举办的智能制造技术沙龙。",
        "在行业展会上接待{contact}，现场演示{product}。",
        "组织{contact}一行参观我司样板客户工厂。",
    ),
}

# 客户反馈, by what the briefing should surface: price pressure, changing needs, competitors, delivery.
FEEDBACK = {
    "price": (
        "客户认为报价偏高，希望在现有基础上再降{pct}%。",
        "采购部要求给出三年总价，并承诺后续维保费用不涨价。",
        "今年预算只有{budget}万，超出部分希望分两期付款。",
        "对实施费有异议，认为应包含在软件价格里。",
    ),
    "requirement": (
        "需求有变化：新增与现有ERP的接口对接，要求一期上线。",
        "客户希望把试点范围从一个车间扩大到两个车间。",
        "技术部提出必须支持私有化部署，不接受SaaS。",
        "新任IT总监要求重新梳理需求，项目节奏放缓。",
    ),
    "competitor": (
        "{competitor}也在接触客户，报价比我们低约{pct}%。",
        "客户提到{competitor}承诺两个月上线，问我们能否做到。",
        "客户之前用过{competitor}的产品，对售后响应不满意，这是我们的机会。",
        "{competitor}邀请客户参观了他们的样板工厂。",
    ),
    "delivery": (
        "客户关心交付周期，希望春节前完成一期上线。",
        "询问实施人员能否驻场，以及培训怎么安排。",
        "担心数据迁移影响生产，希望安排在周末切换。",
        "问到备件供货周期和售后响应时间，要求4小时到场。",
    ),
    "positive": (
        "对方案整体认可，准备进入内部立项流程。",
        "对上次演示评价不错，愿意推荐给集团其他工厂。",
    ),
}
FEEDBACK_WEIGHTS = {"price": 30, "requirement": 22, "competitor": 22, "delivery": 16, "positive": 10}

NEXT_STEPS = (
    "发送修订后的报价",
    "安排售前做技术交流",
    "约对方面谈商务条款",
    "准备投标文件",
    "安排样板客户参观",
    "跟进内部立项进度",
    "确认试用环境需求",
    "整理需求清单发客户确认",
    "申请特价审批",
    "请交付经理评估工期",
    "发送合同草稿",
    "约技术负责人做方案汇报",
)

VISIT_PURPOSES = (
    "方案汇报",
    "需求调研",
    "商务谈判",
    "产品演示",
    "季度回访",
    "合同沟通",
    "拜访新任采购经理",
    "项目验收沟通",
)

TASKS = (
    "给{customer}发送修订版报价单",
    "准备{customer}的方案汇报PPT",
    "跟进{customer}合同盖章进度",
    "提交{customer}的投标保证金申请",
    "整理{customer}拜访纪要",
    "确认{customer}试用账号开通",
    "回复{customer}的技术澄清问题",
    "约{customer}采购经理下周面谈",
    "更新{customer}的联系人组织架构",
    "核对{customer}的开票信息",
)
TASK_NOTES = ("", "", "客户要求周五前给到。", "需要先和售前对一下方案。", "注意带上盖章版资料。")

# (kind, role asked, subject, detail, result, reason for rejecting)
REQUESTS = (
    (
        "solution",
        "presales",
        "{customer}技术方案编写",
        "客户要求出一份与ERP集成的技术方案，需要售前支持。",
        "方案初稿已完成并发给销售，集成部分按客户现有接口设计。",
        "信息不足，请先补充客户现有系统清单。",
    ),
    (
        "demo",
        "presales",
        "{customer}现场演示支持",
        "客户技术部希望看现场演示，需要一位售前工程师同去。",
        "演示已完成，客户对报表功能很感兴趣。",
        "本周演示已排满，请改到下周再申请。",
    ),
    (
        "price",
        "finance",
        "{customer}特价审批",
        "客户要求在标准价基础上再降8%，请财务评估毛利。",
        "评估后可以给到92折，需总监签字确认。",
        "该价格低于成本线，无法支持。",
    ),
    (
        "contract",
        "finance",
        "{customer}合同付款条款审核",
        "客户要求3-6-1付款，请审核回款风险。",
        "可接受3-6-1，验收款需明确验收标准和时间。",
        "付款周期过长，请先与客户争取预付款。",
    ),
    (
        "delivery",
        "service",
        "{customer}交付排期评估",
        "客户希望春节前上线，请评估实施人员和工期。",
        "可以安排两名实施顾问，预计六周完成一期。",
        "近期实施资源已满，最早下月中旬开始。",
    ),
)
REQUEST_COMMENTS = (
    "收到，今天下午开始看。",
    "客户的现有系统版本是多少？",
    "已补充，见详情。",
    "好的，有问题随时沟通。",
    "客户那边催得比较紧，辛苦尽快。",
)
