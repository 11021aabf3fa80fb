// Accounts (graph/accounts.parquet), stamped with the run that loaded them last.
// $rows: account_id, created_at (ISO text), email, email_canonical, email_domain,
// display_name, org_id, signup_pathway, country.
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
SET a.created_at = datetime(row.created_at),
    a.email = row.email,
    a.email_canonical = row.email_canonical,
    a.email_domain = row.email_domain,
    a.display_name = row.display_name,
    a.org_id = row.org_id,
    a.signup_pathway = row.signup_pathway,
    a.country = row.country,
    a.run = $run_id
