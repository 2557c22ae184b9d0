"""Demo key tasks: the plan's seven sectors' tasks (section 4 of the plan), each led by the
sector's lead department with streets and other departments beside it, due across the demo
campaign; some done, some under way with their updates and evidence, three overdue, two due
within the week. Set out by the creation office and reported by the units through the services,
as people would, at dates in the past: each story is played in order and its rows are dated
when it happened."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from campaign.lib.deadlines import DEADLINE_TZ
from campaign.models import Campaign
from campaign.models.tasks import KeyTask, Milestone
from campaign.services.tasks import (
    TASK_REPORTER_ROLES,
    key_task_create,
    key_task_report_progress,
    milestone_add,
    milestone_done,
)
from districts.demo import demo_staff
from districts.models import OrgUnit, Role, Sector, User

ZJJ, YJJ, XFJY, JJDD, SJJ, CGJ, SWJ = (
    "330103-ZJJ",
    "330103-YJJ",
    "330103-XFJY",
    "330103-JJDD",
    "330103-SJJ",
    "330103-CGJ",
    "330103-SWJ",
)
CHANGQING, WULIN, TIANSHUI, CHAOMING, CHAOHUI, WENHUI, DONGXIN, SHIQIAO = (
    f"330103{n:03d}" for n in (1, 2, 3, 5, 6, 7, 8, 9)
)


@dataclass(frozen=True)
class Story:
    """A task and what happens to it: updates (days from today, percent, note), milestones
    (title, due in days from today, reached in days from today or None)."""

    code: str
    sector: str
    lead: str
    co_units: tuple[str, ...]
    title: str
    description: str
    due_in: int
    updates: tuple[tuple[int, int, str], ...] = ()
    milestones: tuple[tuple[str, int, int | None], ...] = ()
    evidence: str = ""  # the name of a text file of evidence with the last update


STORIES = [
    Story(
        "1.1",
        "construction",
        ZJJ,
        (CGJ,),
        "厘清建设施工领域安全监管职责",
        "厘清房屋建筑、市政基础设施、城中村改造、危旧房改善、人防和城市道路修缮、临时挖掘等工程领域相关部门安全监管职责，"
        "加强对房屋等各类建筑物使用的安全监管。",
        -240,
        ((-300, 40, "梳理各类工程领域监管职责，形成职责清单初稿。"), (-250, 100, "职责清单经区安委会审议通过并印发。")),
        evidence="建设施工领域安全监管职责清单.txt",
    ),
    Story(
        "1.2",
        "construction",
        ZJJ,
        (DONGXIN, SHIQIAO),
        "深基坑、模板支撑和起重机械风险排查",
        "围绕深基坑工程、模板支撑系统、起重机械、管线施工等重点部位和重点环节，全面摸清建设施工领域安全风险底数和重大事故隐患。",
        60,
        (
            (-120, 20, "完成在建工地清单梳理，共38个项目。"),
            (-45, 55, "完成深基坑和起重机械专项检查，发现隐患27处，已整改21处。"),
        ),
        (("完成在建工地风险底数摸排", -60, -58), ("完成隐患整改复查", 45, None)),
    ),
    Story(
        "1.3",
        "construction",
        ZJJ,
        (YJJ, CGJ),
        "建立重点风险联合管控和难点隐患联合治理机制",
        "对地下空间开发、地下综合管廊等重点项目，建立重点风险联合管控和难点隐患联合治理机制，实施重大风险源跟踪监控。",
        300,
        ((-30, 10, "起草联合管控工作机制，征求相关部门意见。"),),
    ),
    Story(
        "2.1",
        "hazardous_chemicals",
        YJJ,
        (SWJ,),
        "建立危化品安全风险数据库",
        "全面摸排危化品生产、储存、使用、经营、运输全链条安全风险，建立危化品安全风险数据库。",
        -200,
        (
            (-280, 30, "完成危化品企业名录核对。"),
            (-230, 70, "完成全链条风险信息采集。"),
            (-205, 100, "风险数据库建成并投入使用。"),
        ),
        (("完成企业名录核对", -270, -280), ("完成风险信息采集", -220, -230)),
        evidence="危化品安全风险数据库建设情况.txt",
    ),
    Story(
        "2.2",
        "hazardous_chemicals",
        YJJ,
        (SWJ, CHAOHUI, WENHUI),
        "推进加油站双层罐改造",
        "强化加油站双层罐改造等危化品企业环境工程安全风险预判和变更过程安全管理。",
        -21,
        ((-150, 20, "制定改造计划，辖区9座加油站纳入改造。"), (-60, 50, "已完成4座加油站双层罐改造。")),
        (("完成改造方案审查", -100, -98), ("全部加油站完成改造", -25, None)),
    ),
    Story(
        "2.3",
        "hazardous_chemicals",
        YJJ,
        (CHANGQING, TIANSHUI),
        "加强动火、有限空间等特殊作业安全监管",
        "加强动火、有限空间等特殊作业安全监管，对照重大生产安全事故隐患判定标准强化隐患排查治理。",
        120,
        ((-90, 25, "开展有限空间作业专项检查，检查企业46家。"), (-20, 40, "组织特殊作业安全培训2期，培训320人次。")),
    ),
    Story(
        "3.1",
        "fire_safety",
        XFJY,
        (WULIN, TIANSHUI, CHANGQING),
        "人员密集场所消防安全隐患排查治理",
        "以学校、社会福利机构、公众聚集场所等人员密集场所为重点，突出防火隔离、装饰材料、电气线路、安全疏散、"
        "消防设施器材等重点内容，开展消防安全隐患排查治理。",
        3,
        ((-100, 30, "完成学校、养老机构消防安全检查。"), (-30, 70, "完成公众聚集场所检查，督促整改隐患112处。")),
        (("完成学校和养老机构检查", -90, -100), ("完成公众聚集场所检查", -20, -30)),
    ),
    Story(
        "3.2",
        "fire_safety",
        XFJY,
        (WULIN, DONGXIN, SHIQIAO),
        "“三合一”场所和出租房屋消防整治",
        "对沿街商铺、“三合一”场所、城乡结合部居住出租房开展消防安全整治，建立火灾隐患常态化排查整治和重大隐患分级治理机制。",
        45,
        (
            (-80, 15, "完成辖区“三合一”场所底数摸排，共计612处。"),
            (-35, 40, "武林街道完成出租房屋逐户检查，清理违规住人23处。"),
            (-8, 60, "东新、石桥街道完成第一轮整治。"),
        ),
        (("完成底数摸排", -70, -80), ("完成第一轮整治", -5, -8), ("完成整治复查", 40, None)),
        evidence="三合一场所整治台账.txt",
    ),
    Story(
        "3.3",
        "fire_safety",
        XFJY,
        (CHAOMING, CHAOHUI),
        "推广独立式感烟火灾探测报警器和智慧用电系统",
        "着力提升技防措施，推广安全用电工程、智慧用电系统和独立式感烟火灾探测报警器等消防设施和技术应用。",
        -150,
        (
            (-220, 35, "完成老旧小区安装需求摸排。"),
            (-160, 100, "累计安装独立式感烟火灾探测报警器4800个，智慧用电系统覆盖62处场所。"),
        ),
        evidence="智慧用电系统安装清单.txt",
    ),
    Story(
        "4.1",
        "road_traffic",
        JJDD,
        (CGJ, ZJJ),
        "危险路段和交通安全设施风险排查治理",
        "深入开展事故易发多发的危险路段，桥梁、隧道、涵洞等结构物，护栏、标志、标线等交通安全设施的风险排查治理。",
        90,
        ((-70, 30, "排查危险路段14处，已制定整治方案。"), (-15, 50, "完成7处危险路段护栏、标志标线整治。")),
    ),
    Story(
        "4.2",
        "road_traffic",
        JJDD,
        (SWJ,),
        "落实运输企业安全生产主体责任",
        "强化道路交通安全源头治理，严格落实运输企业主体责任，加强重点车辆动态监控。",
        -9,
        ((-120, 30, "约谈辖区运输企业负责人，签订安全责任书。"), (-40, 60, "完成重点车辆动态监控平台接入。")),
    ),
    Story(
        "4.3",
        "road_traffic",
        JJDD,
        (CHANGQING, WULIN, TIANSHUI),
        "深化道路交通安全宣传教育",
        "深化道路交通安全宣传教育，提升全民交通安全意识。",
        -90,
        ((-160, 50, "开展交通安全进社区、进学校活动36场。"), (-85, 100, "全年宣传活动完成，覆盖群众2.1万人次。")),
        evidence="交通安全宣传活动汇总.txt",
    ),
    Story(
        "5.1",
        "special_equipment",
        SJJ,
        (CHAOHUI, WENHUI),
        "加快电梯物联网建设",
        "加快电梯物联网建设步伐，全面强化对电梯维保单位的现场安全监察工作。",
        200,
        ((-60, 20, "完成住宅电梯物联网设备安装招标。"), (-12, 35, "已安装物联网监测设备420台。")),
    ),
    Story(
        "5.2",
        "special_equipment",
        SJJ,
        (),
        "建立电梯故障率、处置及时率通报与约谈机制",
        "推行电梯安全状况定期通报和故障（事故）信息公开制度，建立电梯故障率、处置及时率通报与约谈机制。",
        -60,
        ((-140, 40, "起草通报与约谈办法。"), (-62, 100, "通报与约谈办法印发实施，首期通报已发布。")),
        evidence="电梯安全状况通报（第一期）.txt",
    ),
    Story(
        "5.3",
        "special_equipment",
        SJJ,
        (YJJ,),
        "开展中小锅炉集中治理和起重机械安全专项治理",
        "开展中小锅炉集中治理、起重机械安全专项治理和危化品领域特种设备安全综合治理。",
        420,
    ),
    Story(
        "6.1",
        "city_operation",
        CGJ,
        (YJJ, CHAOMING, SHIQIAO),
        "开展城市安全风险源普查和安全风险评估",
        "开展城市安全风险源普查和安全风险评估，建立覆盖城市生产、生活、运营各方面的运行安全预防控制网络。",
        150,
        ((-100, 25, "制定普查方案，完成培训。"), (-25, 45, "完成5个街道的风险源普查。")),
        (("完成普查方案", -95, -100), ("完成全部街道普查", 120, None)),
    ),
    Story(
        "6.2",
        "city_operation",
        CGJ,
        (ZJJ,),
        "燃气管线与地下公用基础设施规划衔接",
        "加强城市地下公用基础设施规划特别是城镇燃气管线等规划的衔接，完善燃气管网建设、运行和管理标准。",
        -40,
        ((-130, 30, "完成燃气管线现状图核对。"), (-70, 55, "形成规划衔接意见，报区规划部门。")),
    ),
    Story(
        "6.3",
        "city_operation",
        CGJ,
        (CHAOMING, DONGXIN),
        "完善排水防涝设施运行管理标准",
        "完善城市排水防涝等基础设施建设、运行和管理标准，汛前完成易涝点整治。",
        480,
    ),
    Story(
        "7.1",
        "commerce_tourism",
        SWJ,
        (XFJY, WULIN, CHANGQING),
        "节假日和旅游旺季人员密集场所安全检查",
        "在节假日、旅游旺季、旅游节庆活动等重要时段，加强对人群集中、人流量大和风险系数高的企业及场所的安全提示、检查。",
        -30,
        (
            (-120, 30, "春节期间检查商场、景点23处。"),
            (-60, 70, "“五一”“十一”期间开展联合检查。"),
            (-32, 100, "全年重要时段安全检查完成。"),
        ),
        evidence="节假日安全检查汇总.txt",
    ),
    Story(
        "7.2",
        "commerce_tourism",
        SWJ,
        (SJJ, XFJY),
        "大型商场超市和批发集贸市场隐患排查整治",
        "以大型商场超市、大型批发集贸市场、餐饮住宿企业为重点，全面排查整治消防、疏散通道、安全出口、电梯等设施设备隐患。",
        6,
        ((-75, 30, "完成大型商场超市检查18家。"), (-20, 75, "完成批发集贸市场检查，隐患整改率92%。")),
        (("完成商场超市检查", -70, -75),),
    ),
    Story(
        "7.3",
        "commerce_tourism",
        SWJ,
        (JJDD,),
        "严管旅游包车等游览交通工具安全",
        "严管旅游包车等游览交通工具的安全漏洞，落实旅游包车安全管理制度。",
        560,
    ),
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=DEADLINE_TZ)


def _reporter(unit: OrgUnit) -> User:
    """The unit's demo reporter: a demo login where there is one, else a named account that
    cannot sign in (the same one the demo reports are filed by)."""
    return demo_staff(unit, TASK_REPORTER_ROLES)


def _evidence(name: str, story: Story) -> SimpleUploadedFile:
    text = f"{story.code} {story.title}\n\n{story.updates[-1][2]}\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


@transaction.atomic
def load_key_tasks(*, campaign: Campaign, today: datetime.date, stretch: float = 1) -> int:
    """The stories as they stand on `today` (a finished campaign's: its last day), their days
    from today multiplied by `stretch` (a campaign longer than the stories' year). Idempotent: a
    campaign that already has key tasks is left as it is. Returns the tasks made."""
    if KeyTask.objects.filter(campaign=campaign).exists():
        return 0
    office = User.objects.filter(memberships__role=Role.REVIEWER, memberships__unit__code="330103-CJB").first()
    if office is None:
        return 0
    sectors = {s.code: s for s in Sector.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="330103")}

    def day(offset: int) -> datetime.date:
        # Within the campaign and never after today: a story set in the past stays in the past.
        return min(max(today + datetime.timedelta(days=round(offset * stretch)), campaign.starts_on), campaign.ends_on)

    made = 0
    for story in STORIES:
        due = day(story.due_in)
        steps = [(day(o), 9, "update", (o, p, n)) for o, p, n in story.updates]
        # Planned ten days before it was reached, or before it falls due (at the latest yesterday).
        steps += [(day(min(d - 10, -1) if r is None else r - 10), 8, "plan", (t, d)) for t, d, r in story.milestones]
        steps += [(day(r), 11, "reach", (t,)) for t, _d, r in story.milestones if r is not None]
        start = min([s[0] for s in steps] + [day(story.due_in - 60), today])
        set_out = _at(max(campaign.starts_on, start - datetime.timedelta(days=7)), 9)
        task = key_task_create(
            by=office,
            campaign=campaign,
            sector=sectors[story.sector],
            code=story.code,
            title=story.title,
            description=story.description,
            lead_unit=units[story.lead],
            due_on=due,
            co_units=[units[c] for c in story.co_units],
            at=set_out,
        )
        lead = _reporter(units[story.lead])
        milestones: dict[str, Milestone] = {}
        for step_day, hour, kind, args in sorted(steps, key=lambda s: (s[0], s[1])):
            at = max(_at(step_day, hour), set_out + datetime.timedelta(hours=1))
            if kind == "plan":
                title, due_in = args
                milestones[title] = milestone_add(
                    task=task, by=office, title=title, due_on=min(day(due_in), due), at=at
                )
            elif kind == "reach":
                milestone_done(milestone=milestones[args[0]], by=lead, at=at)
            else:
                _offset, percent, note = args
                last = (_offset, percent, note) == story.updates[-1]
                files = [_evidence(story.evidence, story)] if last and story.evidence else []
                key_task_report_progress(task=task, by=lead, percent=percent, note=note, files=files, at=at)
        made += 1
    return made
