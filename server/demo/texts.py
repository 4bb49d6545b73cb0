"""The words of the demo's survey data: where on a building a defect was seen, what the surveyor
wrote about it, and what the bureau answered. Invented, but in the register of real ledgers."""

# a form's topic (its id less the system) -> places on a building where its defects are seen
PLACES = {
    "structural-safety": ("楼梯间承重墙", "北侧外纵墙", "一层窗间墙", "顶层楼板", "阳台根部"),
    "gas-safety": ("厨房灶台", "厨房燃气表处", "楼道燃气立管", "阳台热水器处", "户内燃气管道"),
    "stairwell-safety": ("楼梯间", "单元门厅", "二至三层楼梯平台", "楼道管道井旁", "单元出入口"),
    "envelope-safety": ("东山墙", "南立面", "屋面", "北立面窗台下", "单元门雨棚"),
    "incomplete-dwellings": ("公共厨房", "走廊尽头公共卫生间", "筒子楼走廊", "北向居室"),
    "pipeline-damage": ("地下管沟", "楼道给水立管", "一层排水检查井", "配电箱", "楼道弱电桥架"),
    "aging-friendly": ("单元出入口台阶", "门厅", "户内卫生间", "楼前空地"),
    "water-quality-pressure": ("户内水龙头", "屋顶水箱", "地下泵房"),
    "energy-retrofit": ("外墙", "单层钢窗", "屋面保温层", "户内暖气片"),
    "digital-home": ("单元门口", "楼道", "户内"),
}

# defect question -> what the surveyor adds after naming the check item; others get a NEUTRAL one
REMARKS = {
    "through_cracks": "裂缝宽约2毫米，自窗角斜向延伸，住户反映近两年明显发展",
    "masonry_crumbling": "墙根处砖块酥碱，抹灰空鼓脱落",
    "precast_slab_damage": "板底沿板缝开裂，局部露筋锈蚀",
    "deformation_tilt": "单元门口地面下沉约3厘米，门框变形",
    "window_wall_removed": "一层临街住户拆除窗间墙改为门面",
    "unauthorized_additions": "顶层住户在屋面搭建彩钢板房",
    "rubber_hose": "入户抽查中多户仍使用橡胶软管，已当场告知更换",
    "no_leak_alarm": "抽查住户均未安装报警器，已联系燃气公司上门",
    "riser_corroded": "立管表面锈蚀，局部被住户橱柜包封",
    "hose_faulty": "软管老化发硬，穿墙敷设",
    "handrail_damaged": "扶手立杆松动约1.5米",
    "lighting_broken": "声控灯多处不亮，夜间照明不足",
    "stairs_cluttered": "堆放纸箱、旧家具，影响疏散",
    "ebike_in_corridor": "一层楼道停放电动车3辆，有飞线充电",
    "stairwells_lacking_extinguishers": "灭火器箱空置",
    "exit_signs_broken": "疏散指示灯不亮",
    "insulation_damaged": "脱落面积约3平方米，下方为人行通道，已拉警戒线",
    "cladding_damaged": "瓷砖空鼓脱落，下方为单元出入口",
    "hanging_fixtures_unsafe": "空调外机支架锈蚀严重",
    "roof_leaking": "雨后顶层住户室内墙面返潮",
    "wall_leaking": "山墙渗水，住户室内墙皮脱落",
    "water_pipes_leaking": "管道锈蚀渗水，地面长期潮湿",
    "drain_blocked": "检查井反水，住户反映异味",
    "power_lines_aged": "电线私拉乱接，绝缘层老化",
    "telecom_lines_aged": "楼道线缆杂乱，多处悬垂",
    "entrance_no_handrail": "台阶三级无扶手，老人上下不便",
    "elevator_feasible": "楼前空地充足，住户加装意愿较强",
    "retrofit_worthwhile": "外墙无保温，仍为单层钢窗，冬季室温偏低",
    "security_lacking": "单元门禁损坏，未设置监控",
    # the 2025 forms' own questions
    "concrete_cracks": "承重墙体斜裂缝宽约1毫米，自窗角延伸至楼板",
    "masonry_decay": "墙根处砖块缺棱掉角，砂浆粉化",
    "sill_wall_removed": "二层住户拆除窗下墙体改建阳台",
    "riser_assessment": "立管自建成起使用至今，表面锈蚀起皮，局部被住户橱柜包封",
    "handrail_loose": "扶手立杆松动约1.5米",
    "corridor_vehicles": "一层楼道停放电动车3辆，有飞线充电",
    "no_kitchen_households": "筒子楼走廊两侧住户共用公共厨房",
    "no_toilet_households": "每层仅走廊尽头一处公共卫生间",
    "lasts_20_years": "外墙无保温，仍为单层钢窗，改造后可继续使用20年以上",
    "hardship_not_retrofitted": "独居高龄老人家中未安装扶手和防滑地面",
}
NEUTRAL = ("住户反映已有一段时间", "已拍照留存并告知住户", "已告知楼长，待统一处理")

RETURN_REASONS = (
    "照片未能反映问题部位，请补拍近景照片",
    "位置填写不完整，请补充单元和楼层",
    "照片与问题描述不符，请核实后重新上报",
)
RESURVEY_REASONS = (
    "与物业公司上报情况不一致，请现场复查",
    "裂缝是否贯通需复查确认，必要时请专业机构鉴定",
    "涉及户数与楼栋户数不符，请复查",
)
RECTIFY_MEASURES = (
    "请责任单位按整治建议限期整改，整改后上传整改前后对比照片",
    "纳入本年度老旧小区改造计划，先行采取临时防护措施",
    "请社区督促物业公司落实整改，住建局适时抽查",
)
RECTIFICATION_NOTES = (
    "已更换损坏部件，现场清理完毕",
    "已完成维修并经社区验收",
    "物业公司已组织维修，住户确认无问题",
)
VERIFY_NOTES = ("现场抽查整改到位，予以销项", "整改照片清晰，符合要求，同意销项")

# Professional appraisals: (grade, conclusion, summary)
APPRAISAL_NO_HAZARD = ("B", "no_hazard",
                       ("经现场检测，承重墙体裂缝为温度收缩裂缝，未贯通，地基基础无明显不均匀沉降，"
                       "结构整体安全，评定为B级，建议对裂缝进行封闭处理并定期观察。"))
APPRAISAL_HAZARD = ("C", "hazard",
                    ("部分承重墙体砖块酥碱、砂浆粉化，预制板板缝开裂，局部构件承载力不满足要求，"
                    "评定为C级（局部危房），建议尽快加固处理。"))
