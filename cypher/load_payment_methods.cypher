// Payment methods (graph/payments.parquet): billing country, and the billing names on
// each instrument. $rows: fingerprint, billing_country, billing_name (normalised, or null).
UNWIND $rows AS row
MERGE (p:PaymentMethod {fingerprint: row.fingerprint})
SET p.billing_country = coalesce(row.billing_country, p.billing_country)
WITH p, row
WHERE row.billing_name IS NOT NULL
MERGE (b:BillingName {name: row.billing_name})
MERGE (p)-[:BILLED_TO]->(b)
