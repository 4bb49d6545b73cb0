"""The place hierarchy: county → street/town → community → estate → building."""
from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint,
                        false)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db_types import UTCDateTime, utcnow
from server.extensions import db

STRUCTURE_TYPES = ("masonry", "concrete", "steel", "timber", "other")
GAS_SUPPLIES = ("pipeline", "bottled", "none")
APPRAISAL_GRADES = ("A", "B", "C", "D")
TOWN_KINDS = ("街道", "镇")
# 小区类型, as the 2025 national manual groups housing (专栏4): 商品房、房改房、单位宿舍、安置房 are
# surveyed as 住宅小区类 (all nine indicators); 自建房、里弄 as 自建房类 (no stairwell or aging-friendly
# indicator, no public-space part of the digital one); 其他 for the rest (平房区, 棚户区, a
# temporary estate of mixed scattered buildings).
ESTATE_KINDS = ("商品房", "房改房", "单位宿舍", "安置房", "自建房", "里弄", "其他")
BASICS_YEARS = (1900, 2100)  # the years a 建成年代 may name, as the database checks them


class County(db.Model):
    __tablename__ = "counties"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    towns: Mapped[list["Town"]] = relationship(back_populates="county", order_by="Town.code")


class Town(db.Model):
    """A street (街道) or town (镇)."""

    __tablename__ = "towns"
    __table_args__ = (UniqueConstraint("county_id", "name"),
                      CheckConstraint(f"kind IN {TOWN_KINDS}", name="kind"))
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    code: Mapped[str | None] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(4), default="镇")
    county: Mapped[County] = relationship(back_populates="towns")
    communities: Mapped[list["Community"]] = relationship(back_populates="town",
                                                          order_by="Community.name")


def _not_negative(*columns: str) -> tuple:
    return tuple(CheckConstraint(f"{column} >= 0", name=f"{column}_not_negative")
                 for column in columns)


def _positive(*columns: str) -> tuple:
    return tuple(CheckConstraint(f"{column} > 0", name=f"{column}_positive") for column in columns)


class Community(db.Model):
    """社区: the statistical unit of the housing check.

    Its basics (基本情况, pre-loaded from the street's list: manual 专栏3 第一步) are optional; None
    means not known. `basics_version` counts their changes (a desk edit made on an older one is
    refused rather than applied blind).
    """

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("town_id", "name"),
                      *_not_negative("households", "population"), *_positive("area"))
    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)
    code: Mapped[str | None] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(60))
    households: Mapped[int | None] = mapped_column(Integer)  # 户数
    population: Mapped[int | None] = mapped_column(Integer)  # 常住人口（人）
    area: Mapped[float | None] = mapped_column(Float)  # 辖区面积, m²
    contact_name: Mapped[str | None] = mapped_column(String(30))  # 社区联系人
    contact_phone: Mapped[str | None] = mapped_column(String(30))  # 联系电话
    basics_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    town: Mapped[Town] = relationship(back_populates="communities")
    estates: Mapped[list["Estate"]] = relationship(back_populates="community",
                                                   order_by="Estate.name")


class PropertyCompany(db.Model):
    __tablename__ = "property_companies"
    __table_args__ = (UniqueConstraint("county_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    county: Mapped[County] = relationship()
    estates: Mapped[list["Estate"]] = relationship(back_populates="property_company")


class Estate(db.Model):
    """小区. Scattered buildings with no property company live in a temporary estate.

    Its basics, the estate's row of the 1表 (小区指标调查表), are optional; None means not known:
    kind (小区类型, one of ESTATE_KINDS); built_from / built_to (建成年代, the years its first and
    last buildings were completed: "1985—1992" is 1985 / 1992, a single year is both, "1990年以前"
    leaves built_from None); land_area (占地面积) and floor_area (总建筑面积), in m²; households (户数);
    population (常住人口); and the property company (物业服务企业). The number of buildings is not
    kept: it is the count of the estate's buildings. `basics_version` counts changes to the basics
    (property company included), so a desk edit made on an older version is refused.
    """

    __tablename__ = "estates"
    __table_args__ = (
        UniqueConstraint("community_id", "name"),
        CheckConstraint(f"kind IN {ESTATE_KINDS}", name="kind"),
        CheckConstraint(f"built_from BETWEEN {BASICS_YEARS[0]} AND {BASICS_YEARS[1]}",
                        name="built_from"),
        CheckConstraint(f"built_to BETWEEN {BASICS_YEARS[0]} AND {BASICS_YEARS[1]}",
                        name="built_to"),
        CheckConstraint("built_from <= built_to", name="built_in_order"),
        *_not_negative("households", "population"),
        *_positive("land_area", "floor_area"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    is_temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    property_company_id: Mapped[int | None] = mapped_column(
        ForeignKey("property_companies.id"), index=True)
    kind: Mapped[str | None] = mapped_column(String(8))  # 小区类型
    built_from: Mapped[int | None] = mapped_column(Integer)  # 建成年代：起
    built_to: Mapped[int | None] = mapped_column(Integer)  # 建成年代：止
    land_area: Mapped[float | None] = mapped_column(Float)  # 占地面积, m²
    floor_area: Mapped[float | None] = mapped_column(Float)  # 总建筑面积, m²
    households: Mapped[int | None] = mapped_column(Integer)  # 户数
    population: Mapped[int | None] = mapped_column(Integer)  # 常住人口（人）
    basics_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    community: Mapped[Community] = relationship(back_populates="estates")
    property_company: Mapped[PropertyCompany | None] = relationship(back_populates="estates")
    buildings: Mapped[list["Building"]] = relationship(back_populates="estate",
                                                       order_by="Building.number")


class Building(db.Model):
    """楼栋, with the facts the indicator forms and the pre-screen read."""

    __tablename__ = "buildings"
    __table_args__ = (
        UniqueConstraint("estate_id", "number"),
        CheckConstraint(f"structure_type IN {STRUCTURE_TYPES}", name="structure_type"),
        CheckConstraint(f"gas_supply IN {GAS_SUPPLIES}", name="gas_supply"),
        CheckConstraint(f"appraisal_grade IN {APPRAISAL_GRADES}", name="appraisal_grade"),
        CheckConstraint("build_era BETWEEN 1 AND 6", name="build_era"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    number: Mapped[str] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    year_built: Mapped[int | None] = mapped_column(Integer)
    build_era: Mapped[int | None] = mapped_column(Integer)
    structure_type: Mapped[str | None] = mapped_column(String(10))
    structure_subtype: Mapped[str | None] = mapped_column(String(30))
    precast_slabs: Mapped[bool | None] = mapped_column(Boolean)
    seismic_reinforced: Mapped[bool | None] = mapped_column(Boolean)
    reinforced_year: Mapped[int | None] = mapped_column(Integer)
    appraisal_grade: Mapped[str | None] = mapped_column(String(1))
    appraisal_year: Mapped[int | None] = mapped_column(Integer)
    appraised: Mapped[bool | None] = mapped_column(Boolean)  # census: 是否经过安全鉴定
    floors_above: Mapped[int | None] = mapped_column(Integer)
    floors_below: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int | None] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    has_elevator: Mapped[bool | None] = mapped_column(Boolean)
    gas_supply: Mapped[str | None] = mapped_column(String(10))
    floor_area: Mapped[float | None] = mapped_column(Float)  # m²
    height: Mapped[float | None] = mapped_column(Float)  # m
    altered: Mapped[bool | None] = mapped_column(Boolean)  # census: 是否改造（拆改结构等）
    visible_damage: Mapped[bool | None] = mapped_column(Boolean)  # census: 明显裂缝、变形、倾斜
    prescreened: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Indicator 1's pre-screen cannot decide on the census facts (待核实): e.g. 1981–1990 masonry
    # whose precast slabs are unknown. Never true together with prescreened.
    prescreen_uncertain: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    estate: Mapped[Estate] = relationship(back_populates="buildings")

    @property
    def label(self) -> str:
        """How people name a building: estate + number, e.g. 达明新村3#."""
        return f"{self.estate.name}{self.number}"

    @property
    def community_id(self) -> int:
        return self.estate.community_id

    def facts(self) -> dict:
        """The building facts the form rules may read (see forms.facts)."""
        return {
            "year_built": self.year_built,
            "build_era": self.build_era,
            "structure_type": self.structure_type,
            "structure_subtype": self.structure_subtype,
            "precast_slabs": self.precast_slabs,
            "seismic_reinforced": self.seismic_reinforced,
            "reinforced_year": self.reinforced_year,
            "appraisal_grade": self.appraisal_grade,
            "floors_above": self.floors_above,
            "floors_below": self.floors_below,
            "units": self.units,
            "households": self.households,
            "has_elevator": self.has_elevator,
            "gas_supply": self.gas_supply,
            "has_property_management": self.estate.property_company_id is not None,
            "visible_damage": self.visible_damage,
        }
