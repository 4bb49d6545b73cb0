"""The basics of the demo's estates and communities (小区类型, 建成年代, areas, 户数, 常住人口, a
contact), as a street office would report them: plain data, drawn from a generator of their own
so that adding them changed none of the buildings, findings or photos a seed makes.

An estate's years, households and floor area agree with its buildings; its kind follows what it
is (a work unit's compound is 单位宿舍, scattered buildings are 自建房 or 其他); its land area
follows the plot ratio of its kind; a community adds up its estates and a little more.
"""
import random
from dataclasses import asdict, dataclass, replace

from server.demo.names import COMMERCIAL, DANWEI, NEW, OLD_ESTATE

# Estate plan kind -> (小区类型 with weights), plot ratio (容积率) range.
KINDS = {
    DANWEI: ((("单位宿舍",), (1,)), (0.9, 1.4)),
    OLD_ESTATE: ((("房改房", "安置房", "单位宿舍"), (70, 20, 10)), (1.1, 1.6)),
    COMMERCIAL: ((("商品房",), (1,)), (1.5, 2.2)),
    NEW: ((("商品房", "安置房"), (85, 15)), (2.2, 3.2)),
}
TEMPORARY = ((("自建房", "其他"), (70, 30)), (0.6, 1.0))
SURNAMES = "王李张刘陈杨赵黄周吴薛卫郭"
GIVEN_NAMES = ("建华", "丽娟", "晓燕", "志刚", "海霞", "红梅", "国强", "秀英", "卫东", "雪莲")


@dataclass(frozen=True)
class EstateBasics:
    kind: str
    built_from: int
    built_to: int
    land_area: float
    floor_area: float
    households: int
    population: int

    def columns(self) -> dict:
        """The Estate columns, by name."""
        return asdict(self)


@dataclass(frozen=True)
class CommunityBasics:
    households: int
    population: int
    area: float
    contact_name: str
    contact_phone: str

    def columns(self) -> dict:
        """The Community columns, by name."""
        return asdict(self)


def with_basics(communities: tuple, seed: int) -> tuple:
    """The community plans again, each community and estate with its basics."""
    rng = random.Random(f"{seed}-basics")
    contacts = [surname + name for surname, name in zip(
        rng.sample(SURNAMES, len(communities)), rng.sample(GIVEN_NAMES, len(communities)))]
    planned = []
    for community, contact in zip(communities, contacts):
        estates = tuple(replace(estate, basics=estate_basics(rng, estate))
                        for estate in community.estates)
        planned.append(replace(community, estates=estates, basics=community_basics(
            rng, [e.basics for e in estates], contact)))
    return tuple(planned)


def estate_basics(rng: random.Random, estate) -> EstateBasics:
    (kinds, weights), (low, high) = TEMPORARY if estate.is_temporary else KINDS[estate.kind]
    years = [b.year_built for b in estate.buildings]
    households = sum(b.households for b in estate.buildings)
    floor_area = round(sum(b.floor_area for b in estate.buildings))
    return EstateBasics(
        kind=rng.choices(kinds, weights)[0], built_from=min(years), built_to=max(years),
        land_area=float(round(floor_area / rng.uniform(low, high), -1)),
        floor_area=float(floor_area), households=households,
        population=round(households * rng.uniform(2.3, 3.0)))


def community_basics(rng: random.Random, estates: list[EstateBasics],
                     contact: str) -> CommunityBasics:
    """Households and people of its estates and some beyond them (shops, 平房 outside any)."""
    households = round(sum(e.households for e in estates) * rng.uniform(1.0, 1.06))
    return CommunityBasics(
        households=households,
        population=round(sum(e.population for e in estates) * rng.uniform(1.0, 1.06)),
        area=float(rng.randrange(400, 1500) * 1000),
        contact_name=contact,
        contact_phone=f"0359-85{rng.randrange(10000, 100000)}")
