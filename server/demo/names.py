"""The fixed names of the demo county: places, estates, companies and agencies.

Plausible for a Shanxi county seat, but invented: no name here claims to be a real estate,
company or agency of 夏县. The seed varies the buildings, never these names.
"""
from dataclasses import dataclass

COUNTY_CODE = "140828"
COUNTY_NAME = "夏县"
TOWN_CODE = "140828100"
TOWN_NAME = "瑶峰镇"
TOWN_KIND = "镇"
ADDRESS_PREFIX = "夏县瑶峰镇"

# Estate kinds drive the era, structure and size of their buildings (see county.py).
DANWEI = "danwei"          # 单位家属院: built by a work unit, usually no property company
OLD_ESTATE = "old_estate"  # 新村、老旧小区 of the 1980s–1990s
COMMERCIAL = "commercial"  # 商品房 of 1998–2012, multi-storey with some high-rise
NEW = "new"                # 2011 onwards, mostly high-rise with elevators


@dataclass(frozen=True)
class CommunityName:
    name: str
    slug: str                       # for usernames: shequ-<slug>
    centre: tuple[float, float]     # (latitude, longitude)
    estates: tuple[tuple[str, str, str], ...]  # (estate name, kind, street)
    has_scattered_buildings: bool   # gets a temporary estate of 零星楼栋


COMMUNITIES = (
    CommunityName("城东社区", "chengdong", (35.1405, 111.2345), (
        ("达明新村", OLD_ESTATE, "建设路"),
        ("建设路小区", OLD_ESTATE, "建设路"),
        ("供销社家属院", DANWEI, "东大街"),
        ("粮食局家属楼", DANWEI, "东大街"),
        ("电力公司家属院", DANWEI, "东环路"),
        ("东城花苑", COMMERCIAL, "东环路"),
        ("禹都花园", NEW, "禹王大道"),
    ), False),
    CommunityName("城西社区", "chengxi", (35.1398, 111.2052), (
        ("中条山小区", OLD_ESTATE, "中条街"),
        ("西关新村", OLD_ESTATE, "西环路"),
        ("水利局家属院", DANWEI, "西大街"),
        ("卫生局家属楼", DANWEI, "西大街"),
        ("教育局家属院", DANWEI, "中条街"),
        ("西城嘉园", COMMERCIAL, "西环路"),
        ("瑶峰苑", NEW, "中条街"),
    ), False),
    CommunityName("南关社区", "nanguan", (35.1282, 111.2201), (
        ("南关新村", OLD_ESTATE, "南大街"),
        ("棉纺厂生活区", OLD_ESTATE, "南大街"),
        ("农机厂家属院", DANWEI, "南大街"),
        ("交通局家属楼", DANWEI, "南环路"),
        ("南湖佳苑", COMMERCIAL, "南环路"),
        ("温公苑", NEW, "南环路"),
    ), True),
    CommunityName("北关社区", "beiguan", (35.1531, 111.2187), (
        ("北关新村", OLD_ESTATE, "北大街"),
        ("县医院家属院", DANWEI, "北大街"),
        ("邮电局家属楼", DANWEI, "北环路"),
        ("化肥厂家属院", DANWEI, "北环路"),
        ("中条苑", COMMERCIAL, "禹王大道"),
        ("北城华府", NEW, "北环路"),
    ), True),
    CommunityName("禹王社区", "yuwang", (35.1468, 111.2318), (
        ("禹王新村", OLD_ESTATE, "禹王大道"),
        ("安邑小区", OLD_ESTATE, "禹王大道"),
        ("建筑公司家属院", DANWEI, "文化路"),
        ("税务局家属楼", DANWEI, "文化路"),
        ("文苑小区", COMMERCIAL, "文化路"),
        ("夏都新城", NEW, "禹王大道"),
    ), False),
    CommunityName("新华社区", "xinhua", (35.1372, 111.2196), (
        ("新华小区", OLD_ESTATE, "新华街"),
        ("文化路小区", OLD_ESTATE, "文化路"),
        ("银行家属院", DANWEI, "新华街"),
        ("百货公司家属楼", DANWEI, "新华街"),
        ("县委家属院", DANWEI, "新华街"),
        ("新华苑", COMMERCIAL, "新华街"),
        ("锦绣华庭", NEW, "中条街"),
    ), True),
)

SCATTERED_STREETS = ("建设路", "中条街", "禹王大道", "东大街", "西大街", "南大街", "北大街",
                     "新华街", "文化路")


@dataclass(frozen=True)
class OrganisationName:
    name: str
    slug: str  # for usernames: wuye-<slug>


PROPERTY_COMPANIES = (
    OrganisationName("夏县禹都物业服务有限公司", "yudu"),
    OrganisationName("运城中条物业管理有限公司", "zhongtiao"),
    OrganisationName("夏县安居物业服务有限公司", "anju"),
)

AGENCIES = ("晋南房屋安全鉴定有限公司", "河东燃气安全检测有限公司")
