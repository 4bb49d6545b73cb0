"""The place hierarchy: county → street/town → community → estate → building."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db_types import UTCDateTime, utcnow
from server.extensions import db

STRUCTURE_TYPES = ("masonry", "concrete", "steel", "timber", "other")
GAS_SUPPLIES = ("pipeline", "bottled", "none")
APPRAISAL_GRADES = ("A", "B", "C", "D")
TOWN_KINDS = ("街道", "镇")


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


class Community(db.Model):
    """社区: the statistical unit of the housing check."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("town_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)
    code: Mapped[str | None] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(60))
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
    """小区. Scattered buildings with no property company live in a temporary estate."""

    __tablename__ = "estates"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    is_temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    property_company_id: Mapped[int | None] = mapped_column(
        ForeignKey("property_companies.id"), index=True)
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
        }
