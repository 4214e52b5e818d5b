# SPDX-License-Identifier: MIT
# libb2b2c from Ruby: one B2B2C flow on an in-memory store. A new account is
# segmented, its lead is scored as it engages (a band-change alert fires
# when it turns hot), the segmenter says where a hot lead of its segment
# goes, and the dealer engine offers it to the dealer covering its region,
# who accepts. Failures surface as B2B2C::Error with the context's message.
require_relative "b2b2c"

DAY = 86_400
t = 1_767_225_600 # 2026-01-01, Unix seconds (the library never reads a clock)

puts "libb2b2c #{B2B2C.version}"
store = B2B2C::MemStore.new
B2B2C::Context.open(store) do |ctx|
  seg = B2B2C::Segmenter.new(ctx)
  leads = B2B2C::LeadModel.new(ctx)
  dealers = B2B2C::DealerEngine.new(ctx)
  dealers.put("moscow-heat", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 20,
                             deadline_hours: 24)
  dealers.put("neva-heat", territories: ["RU-SPE"], product_lines: ["boilers"], capacity: 20)

  # 1. segment the account: a private person
  c = seg.classify(party_type: "person")
  seg.assign("anna", { party_type: "person" }, t)
  puts format("segment: %s (group %s, confidence %.2f, rule %s)", c.name, c.group, c.confidence, c.rule)

  # 2. score its lead as it engages; the alert block reports band changes
  leads.set_alert do |ch|
    puts "alert: #{ch.lead_id} #{B2B2C.band_name(ch.old_band)} -> #{B2B2C.band_name(ch.new_band)}"
  end
  ctx.transaction do # one storage transaction for both calls
    leads.add("anna", t, segment: c.segment, channel: "search", region: "RU-MOW-01", product_line: "boilers")
    leads.event("anna", "guide_download", t + DAY)
  end
  leads.event("anna", "quote_request", t + (2 * DAY))
  score, band = leads.score("anna", t + (2 * DAY))
  puts format("lead: score %.1f, band %s", score, B2B2C.band_name(band))

  # 3. where should it go? then route it to a dealer, who accepts
  dest, kind = seg.route(c.segment, band)
  puts "route: #{B2B2C.seg_dest_name(dest)} via #{B2B2C.seg_channel_name(kind)}"
  abort "example: a hot consumer lead should go to a dealer" unless dest == B2B2C::SEG_DEST_DEALER
  now = t + (2 * DAY)
  leads.set_stage("anna", "qualified", now)
  dealer, reason = dealers.route("anna", "RU-MOW-01", product_line: "boilers", segment: c.segment,
                                                      band: band, now: now)
  leads.set_stage("anna", "passed_to_dealer", now)
  dealers.accept("anna", dealer, now + 3600)
  leads.set_stage("anna", "accepted_by_dealer", now + 3600)
  state, = dealers.lead_state("anna")
  abort "example: the dealer should hold the lead" unless state == B2B2C::DEALER_LEAD_ACCEPTED
  audit = dealers.audit_lead("anna")[0].fields
  puts format("dealer: %s (%s; %d of %d candidates eligible), state %d", dealer,
              B2B2C.dealer_reason_name(reason), audit["eligible"], audit["candidates"], state)

  begin
    dealers.route("boris", "FR-75", product_line: "boilers", segment: c.segment, band: band, now: t)
  rescue B2B2C::Error => e # no dealer covers Paris
    puts "expected failure: #{e.message}"
  end
end
store.close
