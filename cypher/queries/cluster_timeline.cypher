// cluster_timeline: a cluster's life day by day, from what the graph holds.
// Answers: when did this hydra's heads sign up, start and stop sending requests, when did it
// bring in new IPs, templates and payment methods, and how many heads were active each day?
// The graph holds no per-request rows: an account's activity is the span between the first
// and the last request it sent from any IP (USED_IP first_seen/last_seen), and it counts as
// active on every day of that span. Days on which nothing happened are left out.
// @param cluster_id string  the cluster's id, as in clusters.csv (HC-...)
MATCH (c:Cluster {cluster_id: $cluster_id})<-[:MEMBER_OF]-(a:Account)
CALL (a) {
  OPTIONAL MATCH (a)-[u:USED_IP]->(:IP)
  RETURN date(min(u.first_seen)) AS first_day, date(max(u.last_seen)) AS last_day
}
WITH c, collect({signup: date(a.created_at), first: first_day, last: last_day}) AS heads
CALL (c) {
  OPTIONAL MATCH (c)<-[:MEMBER_OF]-(:Account)-[r:USED_IP|SENT_TEMPLATE|PAID_WITH]->(x)
  WITH type(r) AS kind, x, date(min(r.first_seen)) AS day
  WHERE day IS NOT NULL
  RETURN collect({kind: kind, day: day}) AS firsts
}
WITH heads, firsts,
     [h IN heads | h.signup] + [h IN heads | h.first] + [h IN heads | h.last] + [f IN firsts | f.day] AS all_days
UNWIND all_days AS day
WITH heads, firsts, day
WHERE day IS NOT NULL
WITH DISTINCT heads, firsts, day
WITH heads, firsts, min(day) AS start, max(day) AS stop
UNWIND range(0, duration.inDays(start, stop).days) AS offset
WITH heads, firsts, start + duration({days: offset}) AS day
WITH day,
     size([h IN heads WHERE h.signup = day]) AS signups,
     size([h IN heads WHERE h.first = day]) AS started,
     size([h IN heads WHERE h.first <= day AND day <= h.last]) AS active,
     size([h IN heads WHERE h.last = day]) AS stopped,
     size([f IN firsts WHERE f.kind = 'USED_IP' AND f.day = day]) AS new_ips,
     size([f IN firsts WHERE f.kind = 'SENT_TEMPLATE' AND f.day = day]) AS new_templates,
     size([f IN firsts WHERE f.kind = 'PAID_WITH' AND f.day = day]) AS new_payment_methods
WHERE signups + active + stopped + new_ips + new_templates + new_payment_methods > 0
RETURN day, signups, started, active, stopped, new_ips, new_templates, new_payment_methods
ORDER BY day
