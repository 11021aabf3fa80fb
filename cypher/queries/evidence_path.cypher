// evidence_path: the shortest chain of shared attributes between two accounts.
// Answers: why are these two accounts linked, or in one cluster? One row per step: an
// account, the attribute it shares with the next account on the chain (payment method,
// mailbox, billing name, API key, IP, /24 network, template, client string, email
// domain, prompt family), how many accounts hold that attribute and the evidence weight it carries.
// Attributes held by more than max_holders accounts (hubs such as carrier NAT addresses or
// a popular template) are not walked through. No rows: no such chain.
// @param account_a string  one account id
// @param account_b string  the other account id
// @param max_holders integer = 50  do not walk through attributes held by more accounts than this
MATCH (a:Account {account_id: $account_a}), (b:Account {account_id: $account_b})
MATCH p = shortestPath((a)-[:PAID_WITH|HAS_EMAIL|BILLED_AS|USED_KEY|USED_IP|USED_NETWORK|SENT_TEMPLATE|USED_CLIENT|HAS_EMAIL_DOMAIN|SENT_FAMILY*..16]-(b))
WHERE all(n IN nodes(p) WHERE n:Account OR coalesce(n.accounts, 0) <= $max_holders)
WITH nodes(p) AS ns, relationships(p) AS rs
UNWIND range(0, size(rs) - 2, 2) AS i
WITH i, ns[i] AS account, ns[i + 1] AS via, ns[i + 2] AS next, rs[i] AS r
RETURN i / 2 + 1 AS step,
       account.account_id AS account_id,
       type(r) AS shares,
       head(labels(via)) AS attribute,
       coalesce(via.fingerprint, via.address, via.cidr, via.template_id, via.family_id, via.key_id, via.name, via.domain, via.value) AS value,
       via.accounts AS holders,
       r.contribution AS weight,
       next.account_id AS with_account
ORDER BY step
