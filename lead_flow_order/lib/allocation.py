"""Which open order gets each lead: plain Python over what the distributor read
(models/crm_lead_distribute.py), no database here.

Fairness: among the orders a lead matches that still have room, the one furthest below its
pace (the share of its period gone by, less the share of its leads delivered) gets it; an
order with no end date has no pace and counts as the share of its leads still missing.
"""

from collections import defaultdict


class OrderSlot:
    """An open order's room and filters during one distribution."""

    __slots__ = (
        "buyer_id", "capacity", "countries", "elapsed", "id", "net", "start", "states",
        "tags", "target", "zips",
    )  # fmt: skip

    def __init__(self, order_id, buyer_id, capacity, net, target, start, elapsed, **filters):
        self.id = order_id
        self.buyer_id = buyer_id
        self.capacity = capacity
        self.net = net
        self.target = target
        self.start = start
        self.elapsed = elapsed
        self.countries = frozenset(filters.get("countries") or ())
        self.states = frozenset(filters.get("states") or ())
        self.zips = tuple(filters.get("zips") or ())
        self.tags = frozenset(filters.get("tags") or ())

    def behind(self):
        """How far the order is below its pace (higher: served first)."""
        return self.elapsed - (self.net / self.target if self.target else 1.0)

    def takes(self, country_id, state_id, zip_code, created, tag_ids):
        if self.capacity <= 0 or created < self.start:
            return False
        if self.states and state_id not in self.states:
            return False
        if self.zips and not normalize_zip(zip_code).startswith(self.zips):
            return False
        return not self.tags or not self.tags.isdisjoint(tag_ids)


def normalize_zip(zip_code):
    return (zip_code or "").replace(" ", "").upper()


def parse_zip_prefixes(text):
    return tuple(sorted({normalize_zip(part) for part in (text or "").split(",")} - {""}))


def allocate(slots, leads, had_lead):
    """Give each lead to one order slot, updating the slots' room.

    ``leads``: (lead id, country id, state id, zip, create date, tag ids) tuples;
    ``had_lead``: {lead id: buyer ids that had it before}. Returns [(lead id, slot)].
    """
    by_country = defaultdict(list)
    for slot in slots:
        for country_id in slot.countries or (None,):
            by_country[country_id].append(slot)
    anywhere = by_country.get(None, [])
    assigned = []
    for lead_id, country_id, state_id, zip_code, created, tag_ids in leads:
        excluded = had_lead.get(lead_id, ())
        best, best_behind = None, None
        for pool in (by_country.get(country_id, ()) if country_id else (), anywhere):
            for slot in pool:
                if slot.buyer_id in excluded or not slot.takes(
                    country_id, state_id, zip_code, created, tag_ids
                ):
                    continue
                behind = slot.behind()
                if (
                    best is None
                    or behind > best_behind
                    or (behind == best_behind and slot.id < best.id)
                ):
                    best, best_behind = slot, behind
        if best is not None:
            best.capacity -= 1
            best.net += 1
            assigned.append((lead_id, best))
    return assigned
