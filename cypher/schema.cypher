// Schema of the account graph: one uniqueness constraint per node key (each also gives
// the index that MERGE and the queries look nodes up by), plus a few property indexes.
// Applied by GraphStore.apply_schema(); every statement is idempotent (IF NOT EXISTS).
// The graph model is described in linkage/graph_store.py.

// Accounts and what they hold.
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.account_id IS UNIQUE;
CREATE CONSTRAINT payment_method_fingerprint IF NOT EXISTS FOR (n:PaymentMethod) REQUIRE n.fingerprint IS UNIQUE;
CREATE CONSTRAINT email_address IF NOT EXISTS FOR (n:Email) REQUIRE n.address IS UNIQUE;
CREATE CONSTRAINT email_domain_domain IF NOT EXISTS FOR (n:EmailDomain) REQUIRE n.domain IS UNIQUE;
CREATE CONSTRAINT billing_name_name IF NOT EXISTS FOR (n:BillingName) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT api_key_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_id IS UNIQUE;
CREATE CONSTRAINT ip_address IF NOT EXISTS FOR (n:IP) REQUIRE n.address IS UNIQUE;
CREATE CONSTRAINT template_id IF NOT EXISTS FOR (n:Template) REQUIRE n.template_id IS UNIQUE;
CREATE CONSTRAINT user_agent_value IF NOT EXISTS FOR (n:UserAgent) REQUIRE n.value IS UNIQUE;
CREATE CONSTRAINT prompt_family_id IF NOT EXISTS FOR (n:PromptFamily) REQUIRE n.family_id IS UNIQUE;

// Where addresses live: /24 (or /64) subnets and ip_intel blocks share the Network label.
CREATE CONSTRAINT network_cidr IF NOT EXISTS FOR (n:Network) REQUIRE n.cidr IS UNIQUE;
CREATE CONSTRAINT asn_number IF NOT EXISTS FOR (n:ASN) REQUIRE n.number IS UNIQUE;

// Attribution.
CREATE CONSTRAINT organization_name IF NOT EXISTS FOR (n:Organization) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT indicator_type_value IF NOT EXISTS FOR (n:Indicator) REQUIRE (n.type, n.value) IS UNIQUE;

// Results of runs.
CREATE CONSTRAINT cluster_id IF NOT EXISTS FOR (n:Cluster) REQUIRE n.cluster_id IS UNIQUE;
CREATE CONSTRAINT run_id IF NOT EXISTS FOR (n:Run) REQUIRE n.run_id IS UNIQUE;

// Lookups the loader and the investigator queries make besides the keys above.
CREATE INDEX account_run IF NOT EXISTS FOR (n:Account) ON (n.run);
CREATE INDEX cluster_hydra_score IF NOT EXISTS FOR (n:Cluster) ON (n.hydra_score);
CREATE INDEX cluster_flagged IF NOT EXISTS FOR (n:Cluster) ON (n.flagged);
