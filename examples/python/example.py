# SPDX-License-Identifier: MIT
"""libb2b2c from Python: one B2B2C flow on an in-memory store that
outlives the context. A new account is segmented, its lead is scored as
it engages (a band-change alert fires when it turns hot), the segmenter
says where a hot lead of its segment goes, and the dealer engine offers
it to the dealer covering its region, who accepts. Failures surface as
b2b2c.Error with the context's message."""
import b2b2c

DAY = 86400
t = 1767225600  # 2026-01-01, Unix seconds (the library never reads a clock)

print("libb2b2c", b2b2c.version())
store = b2b2c.MemStore()
with b2b2c.Context(store) as ctx:
    seg = b2b2c.Segmenter(ctx)
    leads = b2b2c.LeadModel(ctx)
    dealers = b2b2c.DealerEngine(ctx)
    dealers.put("moscow-heat", territories=["RU-MOW"],
                product_lines=["boilers"], capacity=20, deadline_hours=24)
    dealers.put("neva-heat", territories=["RU-SPE"],
                product_lines=["boilers"], capacity=20)

    # 1. segment the account: a private person
    c = seg.classify({"party_type": "person"})
    seg.assign("anna", {"party_type": "person"}, t)
    print("segment: %s (group %s, confidence %.2f, rule %s)"
          % (c.name, c.group, c.confidence, c.rule))

    # 2. score its lead as it engages; the alert reports band changes
    leads.set_alert(lambda ch: print(
        "alert: %s %s -> %s" % (ch.lead_id, b2b2c.band_name(ch.old_band),
                                b2b2c.band_name(ch.new_band))))
    with ctx.transaction():  # one storage transaction for both calls
        leads.add("anna", t, c.segment, "search", "RU-MOW-01", "boilers")
        leads.event("anna", "guide_download", t + DAY)
    leads.event("anna", "quote_request", t + 2 * DAY)
    score, band = leads.score("anna", t + 2 * DAY)
    print("lead: score %.1f, band %s" % (score, b2b2c.band_name(band)))

    # 3. where should it go? then route it to a dealer, who accepts
    dest, kind = seg.route(c.segment, band)
    print("route: %s via %s" % (b2b2c.seg_dest_name(dest),
                                b2b2c.seg_channel_name(kind)))
    if dest != b2b2c.SEG_DEST_DEALER:
        raise SystemExit("example: a hot consumer lead should go to a dealer")
    now = t + 2 * DAY
    leads.set_stage("anna", "qualified", now)
    dealer, reason = dealers.route("anna", "RU-MOW-01", "boilers", c.segment,
                                   band, now)
    leads.set_stage("anna", "passed_to_dealer", now)
    dealers.accept("anna", dealer, now + 3600)
    leads.set_stage("anna", "accepted_by_dealer", now + 3600)
    state, _ = dealers.lead_state("anna")
    if state != b2b2c.DEALER_LEAD_ACCEPTED:
        raise SystemExit("example: the dealer should hold the lead")
    audit = dealers.audit_lead("anna")[0].fields
    print("dealer: %s (%s; %d of %d candidates eligible), state %d"
          % (dealer, b2b2c.dealer_reason_name(reason),
             audit["eligible"], audit["candidates"], state))

    try:
        dealers.route("boris", "FR-75", "boilers", c.segment, band, t)
    except b2b2c.Error as e:  # no dealer covers Paris
        print("expected failure:", e.name, "-", e.message)
store.close()
