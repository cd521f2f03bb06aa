"""Which open order gets each lead: plain Python over what the distributor read
(models/crm_lead_distribute.py), no database here.

Fairness: among the orders a lead matches that still have room, the one furthest below its
pace (the share of its period gone by, less the share of its leads delivered) gets it; an
order with no end date has no pace and counts as the share of its leads still missing.
"""

from bisect import bisect_left


class OrderSlot:
    """An open order's room and filters during one distribution."""

    __slots__ = (
        "buyer_id", "capacity", "computed_at", "countries", "elapsed", "id", "net", "start",
        "states", "tags", "target", "zips",
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
        self.computed_at = filters.get("computed_at")

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


class FairnessQueue:
    """Slots with room, the one furthest below its pace first, then the lowest id: the first
    slot that takes a lead is the fairest one for it, so a lead is not checked against
    every order of its country."""

    def __init__(self):
        self.keys, self.slots = [], []

    def add(self, slot, key):
        index = bisect_left(self.keys, key)
        self.keys.insert(index, key)
        self.slots.insert(index, slot)

    def remove(self, key):
        index = bisect_left(self.keys, key)
        del self.keys[index]
        del self.slots[index]

    def first_taker(self, excluded, country_id, state_id, zip_code, created, tag_ids):
        for slot in self.slots:
            if slot.buyer_id not in excluded and slot.takes(
                country_id, state_id, zip_code, created, tag_ids
            ):
                return slot
        return None


def allocate(slots, leads, had_lead):
    """Give each lead to one order slot, updating the slots' room.

    ``leads``: (lead id, country id, state id, zip, create date, tag ids) tuples;
    ``had_lead``: {lead id: buyer ids that had it before}. Returns [(lead id, slot)].
    """
    # Slots with room by country (None: the orders for anywhere), in fairness order: key
    # (-behind, id); a slot is taken out and put back with its new key when it gets a lead.
    queues, keys = {}, {}
    for slot in slots:
        if slot.capacity > 0:
            keys[slot.id] = (-slot.behind(), slot.id)
            for country_id in slot.countries or (None,):
                queues.setdefault(country_id, FairnessQueue()).add(slot, keys[slot.id])
    anywhere = queues.get(None)
    assigned = []
    for lead_id, country_id, state_id, zip_code, created, tag_ids in leads:
        excluded = had_lead.get(lead_id, ())
        best = None
        for queue in (queues.get(country_id) if country_id else None, anywhere):
            if queue is None:
                continue
            slot = queue.first_taker(excluded, country_id, state_id, zip_code, created, tag_ids)
            if slot is not None and (best is None or keys[slot.id] < keys[best.id]):
                best = slot
        if best is not None:
            best_queues = [queues[country_id] for country_id in best.countries or (None,)]
            for queue in best_queues:
                queue.remove(keys[best.id])
            best.capacity -= 1
            best.net += 1
            if best.capacity > 0:
                keys[best.id] = (-best.behind(), best.id)
                for queue in best_queues:
                    queue.add(best, keys[best.id])
            assigned.append((lead_id, best))
    return assigned
