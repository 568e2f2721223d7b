"""The synthetic distributor: sites, carriers, customers (some trading by EDI), items and lots.

Everything here is small (it grows slowly with the number of orders, capped) and built once
from the seed, so each chunk of orders can be generated independently against the same world.
Randomness comes from `random.Random` seeded with text, whose `random()` stream is stable across
Python versions; only `random()` is used so the bytes do not depend on the version's helpers.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

COMPANY = "Meridian Supply Co."
OUR_ISA_ID = "MERIDIANSUP"
COMPANY_ZONE = "America/Chicago"
CURRENCY = "USD"
FIRST_CUSTOMER = 100_001
FIRST_ITEM = 100_001


@dataclass(frozen=True)
class Site:
    index: int
    plant: str  # ERP plant code: the canonical site
    facility: str  # WMS facility code, mapped to the plant by a lookup in recon.yaml
    zone: str
    city: str


@dataclass(frozen=True)
class Carrier:
    index: int
    scac: str  # what the WMS writes (and the canonical carrier)
    name: str  # what the TMS writes, mapped to the SCAC by a lookup
    parcel: bool


@dataclass(frozen=True)
class Partner:
    """An EDI trading partner: how it names itself in X12 and how its PO numbers look."""

    index: int
    isa_id: str
    edi_name: str  # N1*BY name: deliberately not the ERP spelling
    po_prefix: str
    po_digits: int
    store_prefix: str


@dataclass(frozen=True)
class Customer:
    index: int
    number: int  # canonical customer id (ERP KUNNR without the zero padding)
    name: str  # ERP spelling
    site: int  # home distribution centre
    partner: Partner | None


@dataclass(frozen=True)
class Item:
    index: int
    number: int  # canonical item id (ERP MATNR without the zero padding, WMS sku, X12 VP)
    uom: str
    price: int  # list price in 1/10000 of the currency unit
    lots: bool  # lot-controlled
    max_qty: int
    description: str


SITES = (
    Site(0, "P100", "DC-EAST", "America/New_York", "Allentown PA"),
    Site(1, "P200", "DC-CENTRAL", "America/Chicago", "Joliet IL"),
    Site(2, "P300", "DC-WEST", "America/Los_Angeles", "Ontario CA"),
)

CARRIERS = (
    Carrier(0, "UPSN", "UPS Ground", True),
    Carrier(1, "FDEG", "FedEx Ground", True),
    Carrier(2, "ODFL", "Old Dominion Freight Line", False),
    Carrier(3, "SAIA", "Saia LTL Freight", False),
    Carrier(4, "RLCA", "R+L Carriers", False),
)

# EDI partners and the ERP spelling of their names: the 850 says "ACME CORP.", the ERP
# "Acme Corporation". Rules must not compare names across the two (a look-alike).
PARTNERS = (
    (Partner(0, "ACMECORP", "ACME CORP.", "4500", 8, "A"), "Acme Corporation"),
    (Partner(1, "BLUEBIRDHW", "BLUEBIRD HARDWARE", "BB-", 0, "BB"), "Bluebird Hardware Inc."),
    (Partner(2, "CORNERSTONE", "Cornerstone Supply Co", "CS", 9, "CS"), "Cornerstone Supply Company"),
    (Partner(3, "DELTAHOME", "DELTA HOME CTRS LLC", "DHC", 0, "D"), "Delta Home Centers, LLC"),
)
EDI_SHARE = 0.30  # of all orders, spread over the partners

_ADJ = ("Granite", "Harbor", "Summit", "Prairie", "Riverside", "Keystone", "Lakeshore", "Pioneer", "Redwood",
        "Northgate", "Silver", "Evergreen", "Bayview", "Cedar", "Ironwood", "Maple", "Orchard", "Sterling")
_NOUN = ("Valley", "Point", "Ridge", "County", "Coast", "Creek", "Hill", "Park", "Falls", "Crossing")
_TRADE = ("Plumbing Supply", "Building Materials", "Hardware", "Electrical", "Facility Services",
          "Home & Garden", "Contractors Supply", "Industrial", "Janitorial", "HVAC Supply")
_SUFFIX = ("Inc.", "LLC", "Co.", "Corp.", "Ltd.", "")
_PRODUCT = ("HEX BOLT", "WOOD SCREW", "PIPE ELBOW", "BALL VALVE", "WIRE NUT", "DUCT TAPE", "SHOP TOWEL",
            "PVC COUPLING", "DRYWALL ANCHOR", "CABLE TIE", "HOSE CLAMP", "SAFETY GLOVE", "LED LAMP",
            "FILTER", "GASKET", "SEALANT", "BRACKET", "HINGE", "FLOOR CLEANER", "TRASH LINER")
_SIZE = ("1/4 IN", "3/8 IN", "1/2 IN", "3/4 IN", "1 IN", "2 IN", "SMALL", "MEDIUM", "LARGE", "XL")


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[int(rng.random() * len(options))]


@dataclass
class World:
    """The static part of the sample: who trades, what is sold, where it ships from."""

    customers: list[Customer]
    items: list[Item]
    lots: dict[tuple[int, int], list[str]]  # (item index, site index) -> lot codes
    customer_cum: list[float] = field(default_factory=list)
    item_cum: list[float] = field(default_factory=list)

    def pick_customer(self, u: float) -> Customer:
        return self.customers[min(bisect.bisect_right(self.customer_cum, u), len(self.customers) - 1)]

    def pick_item(self, u: float) -> Item:
        return self.items[min(bisect.bisect_right(self.item_cum, u), len(self.items) - 1)]

    @property
    def partners(self) -> list[Partner]:
        return [p for p, _ in PARTNERS]


def counts_for(orders: int) -> tuple[int, int]:
    """Customers and items grow slowly with the order count, so big samples stay plausible."""
    customers = min(36 + orders // 2500, 600)
    items = min(60 + orders // 400, 3000)
    return customers, items


def build_world(seed: int, orders: int) -> World:
    rng = random.Random(f"recon-sample:world:{seed}")
    n_customers, n_items = counts_for(orders)
    customers: list[Customer] = []
    weights: list[float] = []
    for partner, erp_name in PARTNERS:
        customers.append(Customer(len(customers), FIRST_CUSTOMER + len(customers), erp_name,
                                  int(rng.random() * len(SITES)), partner))
        weights.append(EDI_SHARE / len(PARTNERS))
    names: set[str] = {c.name for c in customers}
    others = n_customers - len(customers)
    zipf = [1.0 / (k + 4) ** 0.9 for k in range(others)]
    scale = (1.0 - EDI_SHARE) / sum(zipf)
    for k in range(others):
        while True:
            suffix = _pick(rng, _SUFFIX)
            name = f"{_pick(rng, _ADJ)} {_pick(rng, _NOUN)} {_pick(rng, _TRADE)}{' ' + suffix if suffix else ''}"
            if name not in names:
                break
        names.add(name)
        customers.append(Customer(len(customers), FIRST_CUSTOMER + len(customers), name,
                                  int(rng.random() * len(SITES)), None))
        weights.append(zipf[k] * scale)

    items: list[Item] = []
    item_weights: list[float] = []
    for k in range(n_items):
        r = rng.random()
        uom, max_qty = ("EA", 60) if r < 0.7 else ("CS", 12) if r < 0.9 else ("BX", 20)
        dollars = 1.5 + (rng.random() ** 2) * 240
        # Four-decimal prices make invoice amounts round (qty x 1.2345 = 8.6415 billed as 8.64):
        # the within-tolerance look-alike arises naturally.
        four_decimals = rng.random() < 0.2
        price = max(1, round(dollars * 10_000)) if four_decimals else max(100, round(dollars * 100) * 100)
        description = f"{_pick(rng, _PRODUCT)} {_pick(rng, _SIZE)}"
        items.append(Item(k, FIRST_ITEM + k, uom, price, rng.random() < 0.3, max_qty, description))
        item_weights.append(1.0 / (k + 10) ** 0.7)

    lots: dict[tuple[int, int], list[str]] = {}
    for item in items:
        if not item.lots:
            continue
        for site in SITES:
            n = 1 + int(rng.random() * 3)
            codes = []
            for _ in range(n):
                week = 30 + int(rng.random() * 16)
                codes.append(f"L26{week:02d}{'ABCDEFGH'[int(rng.random() * 8)]}{item.number % 97:02d}")
            lots[(item.index, site.index)] = sorted(set(codes))

    return World(customers, items, lots, _cumulative(weights), _cumulative(item_weights))


def _cumulative(weights: list[float]) -> list[float]:
    total = sum(weights)
    out, acc = [], 0.0
    for w in weights:
        acc += w / total
        out.append(acc)
    out[-1] = 1.0
    return out
