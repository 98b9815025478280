#!/usr/bin/env python3
"""Generate a realistic, seeded postmortem repository for benchmarking `pm check`.

The output is a complete `pm` repository: `pm.toml` (teams, services, trackers, deadlines) and
N postmortems under `postmortems/<year>/<id>-<slug>.md`, each ~8 KB, using every front matter
field of the contract (`schema/postmortem.schema.json`) and a Google-template body with varied
prose, timeline lists, tables, code blocks and links.

A fixed share of the files carries exactly one planted defect each (see DEFECTS below), so the
benchmark can check that `pm check` reports what it should and nothing else: every other file
is written to pass every rule. The expected diagnostic count per rule is printed and saved to
`bench-manifest.json` at the repository root (not a `*.md` file, so `pm` ignores it).

Same --count, --seed and --today: byte-identical output, on any Python >= 3.8 (only the
`random.Random` methods whose sequences Python keeps stable are used, and no set is iterated).

Usage: python3 bench/generate.py --count 10000 --seed 42 --out /tmp/pm-bench-10k
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys

# --------------------------------------------------------------------------------------------
# Planted defects: (kind, share of files, rule slug that must report it, diagnostics per file).
# Each defective file carries exactly one defect, and every other file is clean, so the
# expected count of each rule's diagnostics is exact.
DEFECTS = [
    ("schema", 0.020, "schema", 1),
    ("timestamp-order", 0.020, "timestamp-order", 1),
    ("blameless-language", 0.030, "blameless-language", 1),
    # The duplicate reuses the id of the file generated just before it: both files are
    # reported, so 2 diagnostics per planted duplicate.
    ("duplicate-id", 0.010, "duplicate-id", 2),
    ("unknown-related", 0.020, "unknown-related", 1),
    ("postmortem-overdue", 0.010, "postmortem-overdue", 1),
    ("action-item-overdue", 0.020, "action-item-overdue", 1),
    ("invalid-front-matter", 0.005, "invalid-front-matter", 1),
    ("missing-section", 0.010, "missing-section", 1),
    ("placeholder-text", 0.010, "placeholder-text", 1),
    ("unknown-owner", 0.010, "unknown-owner", 1),
    ("action-item-no-ticket", 0.010, "action-item-no-ticket", 1),
]

# Clean files with input quirks that must not change any result.
QUIRKS = [("crlf", 0.010), ("bom", 0.005)]

SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]
SEVERITY_WEIGHTS = [5, 20, 45, 30]
# Business days from resolution to the postmortem's due date.
DEADLINES = {"SEV1": 5, "SEV2": 7, "SEV3": 10, "SEV4": 15}
# pm.toml's timezone. It is ahead of UTC, which the generator relies on: a date computed from a
# UTC instant is never later than the same instant's date in this zone (see `due`).
TIMEZONE = "Europe/Berlin"
START = dt.datetime(2019, 1, 7, tzinfo=dt.timezone.utc)

OFFSETS = [0, 60, 120, -300, -420, 330, 540, -180]

FIRST = ["alex", "bea", "chen", "dana", "eli", "farah", "gus", "hana", "ivan", "jo", "kemal",
         "lena", "mateo", "nia", "omar", "priya", "quinn", "rafa", "sora", "tariq", "uma",
         "viktor", "wen", "ximena", "yusuf", "zoe"]
LAST = ["abara", "brandt", "castell", "dubois", "eriksen", "fontaine", "gallo", "haddad",
        "iwata", "jovanic", "kowal", "lindqvist", "moreau", "nakamura", "okafor", "petrov",
        "quesada", "rossi", "sandoval", "takeda", "ulloa", "varga", "wexler", "yilmaz", "zeller"]

TEAMS = {
    "payments": ("Payments", "PAY", ["checkout-api", "payments-gateway", "ledger", "refunds-worker", "fraud-scoring"]),
    "identity": ("Identity", "IAM", ["auth-service", "session-store", "sso-bridge", "mfa-service"]),
    "search": ("Search", "SRCH", ["search-api", "indexer", "query-cache", "ranking-service"]),
    "storefront": ("Storefront", "WEB", ["web-frontend", "product-api", "cart-service", "image-resizer"]),
    "platform": ("Platform", "PLAT", ["k8s-control-plane", "service-mesh", "ci-runners", "artifact-registry", "secrets-manager"]),
    "data": ("Data Infrastructure", "DATA", ["events-pipeline", "warehouse-loader", "kafka-cluster", "feature-store"]),
    "messaging": ("Messaging", "MSG", ["notification-service", "email-sender", "push-gateway", "sms-relay"]),
    "logistics": ("Logistics", "LOG", ["shipping-api", "warehouse-sync", "tracking-service", "label-printer"]),
    "mobile": ("Mobile", "MOB", ["mobile-bff", "app-config", "release-channel"]),
    "networking": ("Networking", "NET", ["edge-proxy", "dns-authoritative", "cdn-config", "load-balancer"]),
    "database": ("Database Reliability", "DBRE", ["orders-db", "users-db", "redis-cluster", "db-proxy"]),
    "observability": ("Observability", "OBS", ["metrics-store", "log-pipeline", "alertmanager", "tracing-collector"]),
}

REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1", "ap-northeast-1"]
ROLES = ["the on-call engineer", "the incident commander", "the secondary on-call",
         "the database on-call", "the release captain", "the communications lead",
         "the SRE on duty", "the team lead", "a responder from the platform team",
         "the support duty manager"]
METRICS = ["p99 latency", "HTTP 5xx rate", "error rate", "queue depth", "CPU saturation",
           "connection count", "replication lag", "GC pause time", "consumer lag",
           "disk utilisation", "request rate", "cache hit ratio", "open file descriptors"]
COMPONENTS = ["connection pool", "load balancer health check", "sidecar proxy", "retry loop",
              "autoscaler", "rate limiter", "circuit breaker", "cron job", "schema migration",
              "feature flag evaluation", "TLS handshake", "DNS resolver cache", "leader election",
              "write-ahead log", "batch consumer", "config reloader", "certificate rotation job",
              "readiness probe", "thread pool", "token refresher"]
TOOLS = ["Grafana", "the status page", "PagerDuty", "Kibana", "the deploy dashboard",
         "the tracing UI", "the error tracker", "the capacity dashboard", "the SLO report"]

# An incident scenario: title patterns, what triggered it, what it looked like, what fixed
# it, its contributing-factor slugs, detection mode and typical action items.
SCENARIOS = [
    {
        "name": "config push",
        "titles": ["{svc} returned 5xx after a config push", "Bad configuration rollout broke {svc}",
                   "{svc} errors after a {comp} config change"],
        "trigger": ["a configuration change to the {comp} was rolled out to all regions at once",
                    "a config push lowered the {comp} limit from {n} to {n2}",
                    "a templated config file rendered an empty value for the {comp} endpoint"],
        "symptom": ["requests to {svc} began failing with HTTP 503",
                    "{svc} rejected about {pct}% of requests",
                    "the {metric} of {svc} rose sharply within two minutes"],
        "fix": ["rolled the configuration back to the previous revision",
                "reverted the change through the config service and restarted the affected pods",
                "pinned the previous config version and drained the bad canary"],
        "factors": ["config-change", "missing-validation", "deploy-process"],
        "actions": ["Validate {comp} settings in the config pipeline", "Roll config changes out region by region",
                    "Add a canary stage for config pushes to {svc}", "Alert on config reload failures"],
    },
    {
        "name": "certificate expiry",
        "titles": ["Expired TLS certificate took down {svc}", "{svc} unreachable after certificate expiry",
                   "Certificate rotation gap broke {svc} clients"],
        "trigger": ["the TLS certificate for {svc} expired at {hhmm} UTC",
                    "the certificate rotation job had not run for {n} days",
                    "an intermediate certificate was removed from the trust bundle"],
        "symptom": ["clients saw TLS handshake failures against {svc}",
                    "mobile clients could not reach {svc}",
                    "{pct}% of calls to {svc} failed with certificate errors"],
        "fix": ["issued and deployed a new certificate by hand",
                "re-ran the rotation job and reloaded the edge proxies",
                "restored the intermediate certificate and re-deployed the bundle"],
        "factors": ["expired-certificate", "monitoring-gap", "automation-gap"],
        "actions": ["Alert 21 days before any certificate expires", "Monitor the certificate rotation job for {svc}",
                    "Inventory every certificate that {svc} serves", "Add certificate expiry to the readiness checklist"],
    },
    {
        "name": "database failover",
        "titles": ["{svc} writes failed during a database failover", "Primary failover of {dep} stalled {svc}",
                   "Slow failover of {dep} caused {svc} timeouts"],
        "trigger": ["the primary of {dep} was replaced after a hardware fault on its host",
                    "an automated failover of {dep} promoted a replica that was {n} seconds behind",
                    "a maintenance failover of {dep} took {mins} minutes instead of the usual one"],
        "symptom": ["writes to {svc} timed out", "{svc} served stale reads for {mins} minutes",
                    "the {metric} of {svc} went past its alert threshold"],
        "fix": ["pointed the {comp} at the new primary and recycled idle connections",
                "completed the failover by hand and re-synced the lagging replica",
                "restarted the database proxy so it picked up the new topology"],
        "factors": ["dependency-failure", "capacity", "failover"],
        "actions": ["Make the {comp} refresh topology on failover", "Rehearse {dep} failover every quarter",
                    "Alert when replication lag on {dep} exceeds 10 seconds", "Document the manual failover steps in the runbook"],
    },
    {
        "name": "capacity",
        "titles": ["{svc} saturated during peak traffic", "Capacity exhaustion in {svc}",
                   "{svc} slowed down under a traffic spike"],
        "trigger": ["traffic rose to {n}% of the planned peak during a marketing campaign",
                    "a batch job started at {hhmm} UTC and competed with live traffic",
                    "the autoscaler reached its maximum of {n} instances"],
        "symptom": ["the {metric} of {svc} tripled", "{svc} queued requests for up to {mins} seconds",
                    "about {pct}% of requests to {svc} timed out"],
        "fix": ["raised the autoscaler ceiling and added {n2} instances",
                "paused the batch job and shed low-priority traffic",
                "enabled the degraded mode that serves cached responses"],
        "factors": ["capacity", "traffic-spike", "missing-load-test"],
        "actions": ["Load test {svc} at twice the expected peak", "Raise the autoscaler ceiling of {svc}",
                    "Move batch jobs off the serving cluster", "Add a capacity review to the campaign checklist"],
    },
    {
        "name": "bad deploy",
        "titles": ["Release {ver} of {svc} broke {feature}", "{svc} regression shipped in {ver}",
                   "Deploy of {svc} {ver} caused elevated errors"],
        "trigger": ["release {ver} of {svc} changed how the {comp} handles empty responses",
                    "a dependency upgrade in {ver} changed a default timeout from {n}s to {n2}s",
                    "a code path behind a feature flag was enabled by the {ver} deploy"],
        "symptom": ["{feature} failed for about {pct}% of users", "{svc} threw null reference errors on every retry",
                    "the {metric} of {svc} doubled right after the deploy"],
        "fix": ["rolled back to the previous release", "disabled the feature flag and redeployed {svc}",
                "shipped a hotfix that restored the old timeout"],
        "factors": ["software-bug", "deploy-process", "test-gap"],
        "actions": ["Add an integration test for {feature}", "Gate {svc} deploys on canary error rate",
                    "Make rollback of {svc} a single command", "Pin dependency versions in {svc}"],
    },
    {
        "name": "dependency outage",
        "titles": ["Third-party outage degraded {feature}", "{svc} failed while {vendor} was unavailable",
                   "{vendor} incident cascaded into {svc}"],
        "trigger": ["{vendor} had a regional outage", "{vendor} started returning HTTP 429 to every call",
                    "a network path to {vendor} dropped packets for {mins} minutes"],
        "symptom": ["{feature} was unavailable", "requests to {svc} piled up behind slow calls to {vendor}",
                    "the {comp} in {svc} retried so aggressively that it exhausted its threads"],
        "fix": ["switched {svc} to the secondary provider", "reduced retries and enabled the fallback path",
                "waited for {vendor} to recover and drained the backlog"],
        "factors": ["third-party", "dependency-failure", "retry-storm"],
        "actions": ["Add a circuit breaker around calls to {vendor}", "Set a timeout budget for {svc} outbound calls",
                    "Automate the switch to the secondary provider", "Subscribe the on-call channel to {vendor} status updates"],
    },
    {
        "name": "dns",
        "titles": ["DNS change made {svc} unreachable", "Resolution failures for {svc} after a DNS update",
                   "{svc} lost traffic after a zone change"],
        "trigger": ["a record for {svc} was removed during a zone clean-up", "the TTL of the {svc} record was raised to a day before a migration",
                    "a resolver fleet cached a negative answer for {svc}"],
        "symptom": ["clients could not resolve {svc}", "about {pct}% of traffic to {svc} went to the old load balancer",
                    "{svc} health checks failed in {region}"],
        "fix": ["restored the record from the zone history", "lowered the TTL and flushed the resolver caches",
                "pointed the record at the new load balancer"],
        "factors": ["dns", "config-change", "change-review"],
        "actions": ["Require review for changes to production DNS zones", "Keep TTLs low ahead of migrations",
                    "Add synthetic resolution checks for {svc}", "Export zone history to the audit log"],
    },
    {
        "name": "queue backlog",
        "titles": ["{svc} backlog delayed {feature}", "Consumer lag in {svc} delayed processing",
                   "Stuck consumers in {svc}"],
        "trigger": ["a poison message made the {comp} crash and restart in a loop", "a partition rebalance stalled the consumers of {svc}",
                    "a schema change produced messages the consumers could not decode"],
        "symptom": ["{feature} was delayed by up to {mins} minutes", "consumer lag on {svc} grew to {n} thousand messages",
                    "the {metric} of {svc} grew steadily for an hour"],
        "fix": ["moved the poison message to the dead-letter queue and restarted the consumers", "paused the producer and replayed the backlog",
                "deployed a decoder that accepts both schema versions"],
        "factors": ["software-bug", "schema-change", "monitoring-gap"],
        "actions": ["Route undecodable messages to a dead-letter queue", "Alert on consumer lag of {svc}",
                    "Check schema compatibility in CI", "Document how to replay the {svc} backlog"],
    },
    {
        "name": "disk full",
        "titles": ["Disk full on {svc} hosts", "{svc} stopped writing when its volume filled up",
                   "Log volume growth filled {svc} disks"],
        "trigger": ["debug logging was left enabled on {svc} after an investigation", "a compaction job fell behind and old segments were never deleted",
                    "a core dump of {n} GB was written to the data volume"],
        "symptom": ["{svc} returned write errors", "the {metric} of {svc} reached 100% on {n2} hosts",
                    "{svc} restarted repeatedly because it could not write its state file"],
        "fix": ["deleted old segments and resized the volumes", "disabled debug logging and rotated the logs",
                "moved the core dumps off the data volume"],
        "factors": ["capacity", "monitoring-gap", "config-change"],
        "actions": ["Alert at 80% disk usage on {svc} hosts", "Cap log volume per pod",
                    "Write core dumps to a separate volume", "Expire debug logging flags automatically"],
    },
    {
        "name": "memory leak",
        "titles": ["Memory leak restarted {svc} pods", "{svc} pods were OOM-killed repeatedly",
                   "Gradual memory growth in {svc}"],
        "trigger": ["a cache in {svc} kept a reference to every request context", "a library upgrade in {ver} leaked buffers on cancelled requests",
                    "the {comp} allocated a new client per call"],
        "symptom": ["pods of {svc} were OOM-killed every {mins} minutes", "the {metric} of {svc} rose with each restart",
                    "{pct}% of requests failed during the restarts"],
        "fix": ["rolled back the library upgrade", "raised memory limits as a stopgap and shipped a fix for the cache",
                "reused one client per process"],
        "factors": ["software-bug", "resource-limits", "test-gap"],
        "actions": ["Add a soak test for {svc}", "Alert on memory growth rate of {svc}",
                    "Profile {svc} allocations in staging", "Bound the size of the request cache"],
    },
]

FEATURES = ["checkout", "login", "search", "order tracking", "password reset", "product pages",
            "push notifications", "invoice emails", "image uploads", "refunds", "shipping labels",
            "the mobile home screen", "account sign-up", "saved carts"]
VENDORS = ["the payment processor", "the SMS provider", "the email delivery provider",
           "the CDN provider", "the maps API", "the fraud-scoring vendor", "the identity provider",
           "the object storage service"]
TAGS = ["customer-facing", "internal", "latency", "availability", "data-loss-risk", "security",
        "revenue", "mobile", "api", "batch", "network", "database", "third-party", "holiday-peak",
        "rollback", "on-call", "config", "tls", "kubernetes", "cache"]

# Prose pools. Clean prose avoids every blame pattern on purpose, but keeps the words a
# precise rule must NOT flag: "default", "fault tolerance", "page fault", "git blame", and
# "failed to" with a system (not a person) as its subject.
SUMMARY_OPENERS = [
    "On {date}, between {t0} and {t1} UTC, {symptom}.",
    "For {dur} on {date}, {symptom}.",
    "Starting at {t0} UTC on {date}, {symptom}; the incident was resolved at {t1} UTC.",
    "{Symptom} for {dur} on {date} after {trigger}.",
]
SUMMARY_MORE = [
    "The trigger was that {trigger}.",
    "Impact was limited to {region} because traffic in the other regions goes through a separate {comp}.",
    "The incident was declared at {sev} because {feature} was affected for paying customers.",
    "Responders mitigated the impact when they {fix}.",
    "No data was lost, but {n} requests had to be retried by clients.",
    "The {comp} failed to recover on its own, which turned a short blip into a longer outage.",
    "The default retry policy of the {comp} amplified the load on {svc}.",
    "This is the {nth} incident this year that involved the {comp}.",
]
IMPACT = [
    "About {users} users saw errors while using {feature}.",
    "{Pct}% of requests to {svc} failed during the worst {mins} minutes.",
    "The {slo} SLO consumed {budget}% of its monthly error budget.",
    "Support received {n} tickets that mention the incident.",
    "Revenue impact is estimated at {money} in failed or abandoned orders.",
    "Internal users in {region} could not reach {tool} for part of the incident.",
    "Partners that call {svc} directly saw HTTP 503 responses and retried with backoff.",
    "No customer data was exposed or corrupted; this was confirmed by comparing row counts before and after.",
    "Batch jobs scheduled during the window ran {mins} minutes late but completed.",
]
# Timeline entries: fixed events at the incident's own timestamps, and a few from MIDDLE
# between acknowledgement and mitigation.
TIMELINE_START = ["the {metric} of {svc} starts to rise in {region}", "{symptom} (impact begins)",
                  "{trigger_short}"]
TIMELINE_DETECT = ["alert `{alert}` fires and pages {role}", "first customer report reaches support",
                   "a synthetic check in {region} starts failing", "an engineer notices errors in {tool}"]
TIMELINE_ACK = ["{role} acknowledges the page and opens the incident channel",
                "{role} joins the incident call and starts the investigation"]
TIMELINE_MIDDLE = [
    "incident declared at {sev}; {role2} takes the incident commander role",
    "first status page update posted",
    "responders correlate the errors with {trigger_short}",
    "{fix_short} started",
    "traffic shifted away from {region}",
    "customer support notified with a holding statement",
    "{role2} pulls in the owners of {dep}",
    "a first mitigation attempt does not change the error rate",
]
TIMELINE_MITIGATED = ["impact mitigated: the {metric} is back to baseline, monitoring continues",
                      "error rate back to normal after the mitigation"]
TIMELINE_AFTER = ["{role} confirms recovery in {tool}", "status page moved to monitoring",
                  "backlog fully drained"]
TIMELINE_RESOLVED = ["incident resolved; follow-up review scheduled", "incident closed by {role}"]
FACTORS = [
    "{Trigger}, and nothing in the pipeline compared the new value with the running one.",
    "The {comp} has no fault tolerance for this case: when {dep} is slow it keeps every connection open.",
    "Alerting on {svc} watched the {metric} but not the {metric2}, so the first signal came {mins} minutes late.",
    "The runbook for {svc} described a manual step that the current tooling no longer supports.",
    "A {comp} change made months earlier had removed the safety margin that would have absorbed the spike.",
    "Load tests of {svc} run against a dataset ten times smaller than production.",
    "The {comp} failed to release its locks when the process received SIGTERM.",
    "The default timeout of {n} seconds was longer than the client deadline, so retries overlapped.",
    "Staging does not exercise the {comp}, so the change looked healthy before it reached production.",
    "Host metrics showed a page fault storm on the {svc} nodes, a sign of memory pressure that no alert covered.",
    "Ownership of the {comp} moved between teams last quarter and its alerts were not migrated.",
]
RESOLUTION = [
    "Responders {fix}.",
    "Once the change was reverted, the {metric} of {svc} returned to its baseline within {mins2} minutes.",
    "{Role} verified recovery in {tool} and kept the incident open for another hour of monitoring.",
    "The backlog drained by {t1} UTC, and the status page was updated to resolved.",
    "A follow-up deploy on the next business day made the mitigation permanent.",
]
DETECTION = [
    "The `{alert}` alert fired {mins} minutes after impact began.",
    "Customers reported the problem to support before any alert fired.",
    "A synthetic check in {region} caught the failure within two minutes.",
    "An engineer noticed the errors in {tool} while working on an unrelated change.",
]
WENT_WELL = [
    "The rollback procedure worked as documented and took under {mins2} minutes.",
    "The incident channel stayed focused, with one person posting status updates.",
    "Dashboards for {svc} made the failing dependency obvious within minutes.",
    "The circuit breaker in front of {dep} kept the failure from spreading to other services.",
    "Support had a holding statement ready within fifteen minutes.",
]
WENT_WRONG = [
    "The alert that paged was about a downstream symptom, not the failing {comp}.",
    "It took {mins} minutes to find the change because the deploy log and the config history live in different tools.",
    "Two responders worked on the same hypothesis without knowing it.",
    "The runbook link in the alert pointed to an archived page.",
    "The {comp} failed to report its own errors, so the first logs pointed at {svc} instead.",
    "Running git blame on the config repository was the fastest way to see when the value changed, which says the change history is hard to search.",
]
LUCKY = [
    "The incident happened outside the {region} business peak.",
    "An engineer who had built the {comp} was online and joined the call.",
    "A scheduled maintenance window had already reduced traffic to {svc}.",
]
SUPPORTING = [
    "The graphs below were taken from {tool} during the incident.",
    "Request traces from {svc} show that most of the latency was spent waiting for the {comp}.",
    "The {comp} logs show repeated reconnect attempts, roughly every {n2} seconds.",
    "We compared the behaviour with the previous incident in the same service; the symptoms differ, but the recovery steps were similar.",
    "During the incident the {metric} and the {metric2} moved together, which pointed at a shared dependency.",
    "A replay of the traffic in staging reproduced the failure after {mins} minutes.",
    "Capacity headroom in {region} was {pct}% at the start of the incident, below the 30% target.",
    "The change history shows {n2} changes to {svc} in the week before the incident.",
    "Alert history shows that `{alert}` had fired {n2} times in the previous month and was auto-resolved each time.",
    "The dependency map for {svc} lists {dep} as critical, which matches what we saw.",
    "Error budget reports for the quarter are in the SLO review linked below.",
    "Client libraries retried with jittered exponential backoff, which kept the load from doubling.",
]
# Free narrative for the longer postmortems, built from parts so that no two files read alike.
NARRATIVE_OPEN = [
    "During the review", "In the first hour", "Looking at the dashboards afterwards",
    "When we replayed the traffic in staging", "As the backlog grew", "Before the change",
    "Right after the rollback", "Across the whole incident", "In the following days",
    "While the status page still showed degraded performance", "Once the pager quietened down",
    "In hindsight", "According to the traces", "At the peak of the incident",
    "For most of the affected customers", "In the week before the incident",
]
NARRATIVE_SUBJECT = [
    "the {comp}", "{svc}", "the {comp} in {svc}", "traffic in {region}", "the alerting pipeline",
    "the deploy tooling", "the {svc} runbook", "the review group", "the {metric} of {svc}",
    "the dependency on {dep}", "the canary stage", "the autoscaling policy of {svc}",
    "the client retry budget", "the shared {dep} cluster", "the change calendar",
]
NARRATIVE_VERB = [
    "showed", "exposed", "hid", "delayed", "amplified", "masked", "explained", "confirmed",
    "made visible", "shortened", "complicated", "left out",
]
NARRATIVE_OBJECT = [
    "how close {svc} had been to its limits", "a gap between the alert and the actual impact",
    "the effect of the {comp} on {svc}", "the interaction between retries and the {comp}",
    "a slow rise in the {metric}", "the second failure mode", "how long the recovery took",
    "the dependency on {dep}", "the difference between {region} and the other regions",
    "why the first mitigation did not hold", "the load that the backlog put on {dep}",
    "the cost of the manual steps", "the share of traffic that bypassed the cache",
]
NARRATIVE_TAIL = [
    "", " for about {mins} minutes", ", which matched what the traces showed",
    " until the change was reverted", ", and the team wrote it down for the review",
    ", a pattern we had also seen in an earlier incident", " in {tool}",
    " by roughly {pct}%", ", although nobody on the call saw it at the time",
    " once the {comp} was restarted", ", which the load tests never covered",
]

LINKS = [
    "[{svc} dashboard](https://grafana.example.com/d/{h}/{svc})",
    "[incident channel log](https://chat.example.com/archives/{h})",
    "[runbook: {svc}](https://runbooks.example.com/{svc})",
    "[deploy history](https://deploy.example.com/services/{svc}/history)",
    "[trace of a failing request](https://tracing.example.com/trace/{h})",
    "[SLO review](https://slo.example.com/reports/{year}-Q{q})",
]
ALERTS = ["HighErrorRate", "LatencySLOBurn", "ConsumerLagHigh", "DiskAlmostFull", "CertExpiringSoon",
          "PodCrashLooping", "ReplicationLagHigh", "Probe5xx", "QueueDepthHigh", "MemoryGrowth"]

# One sentence per planted blameless-language defect, each with exactly one phrase that the
# rule must flag (the defects the check benchmark plants). `{who}` is a registry handle (a person's name in prose).
BLAME = [
    ("human-error", "The change went out without a second review, and the first report put the outage down to human error."),
    ("operator-error", "The first status update described the misrouted traffic as an operator error."),
    ("should-have", "The on-call engineer should have checked the replica lag before promoting it."),
    ("could-have", "The release captain could have paused the rollout at the first alert."),
    ("forgot-to", "The deploy engineer forgot to drain the node before the restart."),
    ("neglected-to", "The database on-call neglected to announce the maintenance window."),
    ("person-failed-to", "The on-call engineer failed to escalate to the database team."),
    ("careless", "The rollout was careless: the canary results were never opened."),
    ("negligent", "Running the migration at peak time was negligent."),
    ("whose-fault", "The first review spent an hour arguing about whose fault the expired certificate was."),
    ("culprit", "The culprit was a hand-edited value in the load balancer settings."),
    ("registry-name", "By the time {who} restarted the primary, the backlog had reached its peak."),
]

SCHEMA_DEFECTS = ["severity-unknown", "detection-enum", "users-affected-type", "priority-enum",
                  "unknown-key", "bad-date"]
INVALID_FM_DEFECTS = ["unterminated", "yaml-syntax", "duplicate-key"]


# --------------------------------------------------------------------------------------------
class SafeDict(dict):
    def __missing__(self, key):  # a template slot nobody filled is a generator bug: show it
        raise KeyError(f"template slot {{{key}}} not filled")


def add_business_days(day: dt.date, days: int) -> dt.date:
    """Mirror of pm's calendar::add_business_days (weekends skipped, no holidays)."""
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def fmt_instant(t: dt.datetime, offset_min: int) -> str:
    local = t.astimezone(dt.timezone(dt.timedelta(minutes=offset_min)))
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if offset_min == 0:
        return text + "Z"
    sign = "+" if offset_min > 0 else "-"
    return f"{text}{sign}{abs(offset_min) // 60:02d}:{abs(offset_min) % 60:02d}"


PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ._/()-]*[A-Za-z0-9.)]$")
RESERVED = {"yes", "no", "true", "false", "null", "on", "off", "y", "n"}


def yq(value: str) -> str:
    """A YAML scalar for `value`: plain when unambiguous, else double-quoted."""
    if PLAIN.match(value) and value.lower() not in RESERVED and ": " not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def slugify(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    stop = {"the", "a", "an", "of", "to", "in", "on", "after", "during", "for", "and", "while", "by"}
    words = [w for w in words if w not in stop][:5]
    return "-".join(words) or "incident"


# --------------------------------------------------------------------------------------------
class Generator:
    def __init__(self, count: int, seed: int, today: dt.date, clean: bool):
        self.count = count
        self.seed = seed
        self.today = today
        self.clean = clean
        self.rng = random.Random(seed)
        self.build_registry()

    # ---- pm.toml ---------------------------------------------------------------------------
    def build_registry(self):
        rng = self.rng
        self.people = []
        self.teams = {}
        used = []
        for slug, (name, project, services) in TEAMS.items():
            members = []
            for _ in range(rng.randint(6, 10)):
                while True:
                    handle = rng.choice(FIRST)[0] + rng.choice(LAST)
                    if handle not in used:
                        used.append(handle)
                        break
                members.append(handle)
            self.teams[slug] = {"name": name, "project": project, "services": services,
                                "members": members, "owner": members[0]}
            self.people.extend(members)

    def pm_toml(self) -> str:
        out = [
            '# Generated by bench/generate.py: a synthetic company for benchmarking `pm check`.',
            'title = "Acme Corp Postmortems"',
            'postmortems = "postmortems"',
            f'timezone = "{TIMEZONE}"',
            'severities = ["SEV1", "SEV2", "SEV3", "SEV4"]',
            'id_prefix = "INC"',
            "",
            "[deadlines]",
        ]
        out += [f"{k} = {v}" for k, v in DEADLINES.items()]
        out += ["", "[trackers.jira]", 'pattern = "^[A-Z][A-Z0-9]+-[0-9]+$"',
                'url = "https://jira.example.com/browse/{key}"', "",
                "[trackers.github]", 'pattern = "^[a-z0-9-]+/[a-z0-9-]+#[0-9]+$"',
                'url = "https://github.com/{key}"', ""]
        for slug, team in self.teams.items():
            out.append(f"[teams.{slug}]")
            out.append(f'name = "{team["name"]}"')
            out.append("members = [" + ", ".join(f'"{m}"' for m in team["members"]) + "]")
            out.append(f'owner = "{team["owner"]}"')
            out.append("")
        for slug, team in self.teams.items():
            for service in team["services"]:
                out.append(f"[services.{service}]")
                out.append(f'team = "{slug}"')
                out.append(f'description = "The {service.replace("-", " ")} of the {team["name"]} team."')
                out.append("")
        return "\n".join(out)

    # ---- pass 1: incidents and their timelines ----------------------------------------------
    def plan(self):
        rng = self.rng
        span = (dt.datetime.combine(self.today, dt.time(), dt.timezone.utc) - dt.timedelta(days=2)) - START
        # The company grows: incidents get more frequent over time (density rises linearly).
        seconds = span.total_seconds()
        starts = sorted(START + dt.timedelta(seconds=int(seconds * rng.random() ** 0.5))
                        for _ in range(self.count))
        per_year = {}
        self.incidents = []
        for index, started in enumerate(starts):
            per_year[started.year] = per_year.get(started.year, 0) + 1
            inc = {"index": index, "started": started,
                   "id": f"INC-{started.year}-{per_year[started.year]:04d}",
                   "year": started.year}
            inc["severity"] = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
            inc["detected"] = started + dt.timedelta(minutes=rng.randint(1, 35))
            inc["acknowledged"] = inc["detected"] + dt.timedelta(minutes=rng.randint(1, 12))
            inc["mitigated"] = inc["acknowledged"] + dt.timedelta(minutes=rng.randint(8, 180))
            inc["resolved"] = inc["mitigated"] + dt.timedelta(minutes=rng.randint(0, 600))
            # `due` from the UTC date of resolution: never later than pm's deadline, which counts
            # from the (same or later) date in pm.toml's timezone.
            resolved_day = inc["resolved"].date()
            inc["due"] = add_business_days(resolved_day, DEADLINES[inc["severity"]])
            if inc["due"] < self.today:
                inc["status"] = "published"
            else:
                inc["status"] = rng.choice(["in-review", "in-review", "draft"])
            self.incidents.append(inc)

    def assign_defects(self):
        rng = self.rng
        n = self.count
        self.defect = [None] * n
        self.quirk = [None] * n
        if self.clean:
            return
        # Old, published incidents only: their natural state is clean and past due, which the
        # overdue defects need, and it keeps the recent in-review/draft ones clean.
        eligible = [i for i in range(1, n) if self.incidents[i]["status"] == "published"]
        rng.shuffle(eligible)
        taken = [False] * n
        counts = {kind: round(share * n) for kind, share, _, _ in DEFECTS}
        # Duplicates first: i reuses the id of i-1, which must stay clean (and parseable).
        want = counts["duplicate-id"]
        for i in eligible:
            if want == 0:
                break
            if taken[i] or taken[i - 1] or (i + 1 < n and taken[i + 1]):
                continue
            if self.incidents[i - 1]["status"] != "published":
                continue
            self.defect[i] = "duplicate-id"
            taken[i] = taken[i - 1] = True
            want -= 1
        pool = [i for i in eligible if not taken[i]]
        pos = 0
        for kind, _, _, _ in DEFECTS:
            if kind == "duplicate-id":
                continue
            for _ in range(counts[kind]):
                if pos >= len(pool):
                    break
                self.defect[pool[pos]] = kind
                taken[pool[pos]] = True
                pos += 1
        rest = [i for i in range(n) if not taken[i]]
        rng.shuffle(rest)
        pos = 0
        for kind, share in QUIRKS:
            for _ in range(round(share * n)):
                if pos < len(rest):
                    self.quirk[rest[pos]] = kind
                    pos += 1

    # ---- pass 2: one postmortem ------------------------------------------------------------
    def fill(self, template: str, slots: dict) -> str:
        text = template.format_map(slots)
        return text[0].upper() + text[1:] if text else text

    def slots(self, inc) -> SafeDict:
        rng = self.rng
        sc = inc["scenario"]
        s = SafeDict()
        s.update(svc=inc["services"][0], svc2=inc["services"][-1],
                 dep=rng.choice(["orders-db", "users-db", "redis-cluster", "kafka-cluster", "db-proxy", "session-store"]),
                 comp=inc["component"], metric=rng.choice(METRICS), metric2=rng.choice(METRICS),
                 region=inc["region"], role=rng.choice(ROLES), role2=rng.choice(ROLES),
                 Role=rng.choice(ROLES)[0].upper(), tool=rng.choice(TOOLS), feature=inc["feature"],
                 vendor=inc["vendor"], ver=inc["version"], sev=inc["severity"],
                 n=rng.randint(3, 900), n2=rng.randint(2, 60), pct=rng.randint(2, 95),
                 mins=rng.randint(3, 90), mins2=rng.randint(2, 20),
                 users=f"{rng.randint(2, 900) * 100:,}", money=f"${rng.randint(2, 400) * 250:,}",
                 slo=rng.choice(["availability", "latency", "freshness", "checkout success"]),
                 budget=rng.randint(3, 80), alert=inc["alert"], hhmm=inc["started"].strftime("%H:%M"),
                 date=inc["started"].strftime("%A %d %B %Y"), t0=inc["started"].strftime("%H:%M"),
                 t1=inc["resolved"].strftime("%H:%M"), dur=inc["duration"],
                 nth=rng.choice(["second", "third", "fourth"]), h=f"{rng.getrandbits(40):010x}",
                 year=inc["year"], q=rng.randint(1, 4))
        s["Role"] = s["role"][0].upper() + s["role"][1:]
        s["trigger"] = rng.choice(sc["trigger"]).format_map(s)
        s["Trigger"] = s["trigger"][0].upper() + s["trigger"][1:]
        s["symptom"] = rng.choice(sc["symptom"]).format_map(s)
        s["Symptom"] = s["symptom"][0].upper() + s["symptom"][1:]
        s["fix"] = rng.choice(sc["fix"]).format_map(s)
        s["Pct"] = str(s["pct"])
        s["trigger_short"] = s["trigger"].split(",")[0]
        s["fix_short"] = s["fix"].split(" and ")[0][0].upper() + s["fix"].split(" and ")[0][1:]
        return s

    def sentences(self, pool, k, inc):
        picks = self.rng.sample(pool, min(k, len(pool)))
        return [self.fill(p, self.slots(inc)) for p in picks]

    def paragraph(self, pool, lo, hi, inc) -> str:
        return " ".join(self.sentences(pool, self.rng.randint(lo, hi), inc))

    def narrative(self, inc, sentences: int) -> str:
        rng = self.rng
        out = []
        for _ in range(sentences):
            s = self.slots(inc)
            text = (f"{rng.choice(NARRATIVE_OPEN)}, {rng.choice(NARRATIVE_SUBJECT)} "
                    f"{rng.choice(NARRATIVE_VERB)} {rng.choice(NARRATIVE_OBJECT)}"
                    f"{rng.choice(NARRATIVE_TAIL)}.").format_map(s)
            out.append(text)
        return " ".join(out)

    def write_incident(self, inc) -> tuple[str, str]:
        rng = self.rng
        team_slug = rng.choice(list(self.teams))
        team = self.teams[team_slug]
        services = rng.sample(team["services"], rng.randint(1, min(3, len(team["services"]))))
        sc = rng.choice(SCENARIOS)
        inc.update(team=team_slug, services=services, scenario=sc,
                   component=rng.choice(COMPONENTS), region=rng.choice(REGIONS),
                   feature=rng.choice(FEATURES), vendor=rng.choice(VENDORS),
                   version=f"v{rng.randint(1, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}",
                   alert=rng.choice(ALERTS))
        minutes = int((inc["resolved"] - inc["started"]).total_seconds() // 60)
        inc["duration"] = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} minutes"
        slots = self.slots(inc)
        title = self.fill(rng.choice(sc["titles"]), slots)
        defect = self.defect[inc["index"]]
        # A planted duplicate reuses the id of the previous incident, and is named after it.
        if defect == "duplicate-id":
            inc["id"] = self.incidents[inc["index"] - 1]["id"]
            inc["year"] = self.incidents[inc["index"] - 1]["year"]
        path = f"postmortems/{inc['year']}/{inc['id']}-{slugify(title)}.md"
        fm = self.front_matter(inc, team, title, defect)
        body = self.body(inc, title, defect)
        text = fm + body
        if defect == "invalid-front-matter":
            text = self.break_front_matter(inc, fm, body)
        return path, text

    def pick_offsets(self):
        rng = self.rng
        home = rng.choice(OFFSETS)
        if rng.random() < 0.2:  # responders in several zones wrote their own local times
            return [rng.choice(OFFSETS) for _ in range(5)]
        return [home] * 5

    def front_matter(self, inc, team, title, defect) -> str:
        rng = self.rng
        status = inc["status"]
        if defect == "postmortem-overdue":
            status = inc["status"] = "in-review"
        members = team["members"]
        owner = rng.choice(members)
        offsets = self.pick_offsets()
        times = dict(started=inc["started"], detected=inc["detected"], acknowledged=inc["acknowledged"],
                     mitigated=inc["mitigated"], resolved=inc["resolved"])
        if defect == "timestamp-order":
            # One pair out of order in absolute time, written with offsets that hide it.
            if rng.random() < 0.5:
                times["detected"] = inc["started"] - dt.timedelta(minutes=rng.randint(5, 50))
                times["acknowledged"] = inc["started"] + dt.timedelta(minutes=1)
                offsets[0], offsets[1] = 0, 120
                inc["planted"] = "detected-before-started"
            else:
                times["mitigated"] = inc["resolved"] + dt.timedelta(minutes=rng.randint(5, 50))
                offsets[3], offsets[4] = -300, 60
                inc["planted"] = "mitigated-after-resolved"
        # Drafts of an ongoing investigation have not all the timestamps yet.
        draft_partial = status == "draft" and rng.random() < 0.5
        lines = ["---", f"id: {inc['id']}", f"title: {yq(title)}"]
        lines.append(f"status: {status}")
        severity = inc["severity"]
        lines.append(f"severity: {severity}")
        lines.append(f"owner: {owner}")
        lines.append(f"team: {inc['team']}")
        if len(inc["services"]) == 1 and rng.random() < 0.5:
            lines.append(f"services: [{inc['services'][0]}]")
        else:
            lines.append("services:")
            lines += [f"  - {s}" for s in inc["services"]]
        names = ["started", "detected", "acknowledged", "mitigated", "resolved"]
        for k, name in enumerate(names):
            if draft_partial and name in ("mitigated", "resolved"):
                continue
            lines.append(f"{name}_at: {fmt_instant(times[name], offsets[k])}")
        due = inc["due"]
        lines.append(f"due: {due.isoformat()}")
        if status == "published":
            # Not before the resolution day in pm's zone (at most one day after the UTC date),
            # and not after `due` (at least 5 business days after the UTC date).
            first = inc["resolved"].date() + dt.timedelta(days=1)
            published = first + dt.timedelta(days=rng.randint(0, max(0, (due - first).days)))
            inc["published_on"] = published
            lines.append(f"published_on: {published.isoformat()}")
        others = [m for m in members if m != owner]
        authors = [owner] + rng.sample(others, rng.randint(0, 2))
        reviewers = rng.sample(others, rng.randint(1, 3))
        lines.append("authors: [" + ", ".join(authors) + "]")
        lines.append("reviewers:")
        lines += [f"  - {r}" for r in reviewers]
        lines.append(f"detection: {rng.choice(['alert', 'alert', 'alert', 'customer', 'employee', 'automation', 'other'])}")
        factors = rng.sample(inc["scenario"]["factors"], rng.randint(1, len(inc["scenario"]["factors"])))
        lines.append("contributing_factors: [" + ", ".join(factors) + "]")
        tags = rng.sample(TAGS, rng.randint(1, 4))
        lines.append("tags: [" + ", ".join(tags) + "]")
        related = self.related_for(inc)
        if defect == "unknown-related":
            # Ids from before the generated range: no file can have them.
            related = related[:1] + [f"INC-2017-{rng.randint(1, 9999):04d}"]
        if related:
            lines.append("related: [" + ", ".join(related) + "]")
        project = team["project"]
        lines.append(f"ticket: {project}-{rng.randint(100, 9999)}")
        lines.append(f"chat: {yq('#' + inc['id'].lower())}")
        lines.append("impact:")
        slots = self.slots(inc)
        lines.append(f"  summary: {yq(self.fill(rng.choice(inc['scenario']['symptom']), slots))}")
        lines.append(f"  users_affected: {rng.randint(0, 250) * 100}")
        lines.append(f"  revenue_loss: {rng.randint(0, 40000) / 4}")
        lines.append("  slos:")
        for name in rng.sample(["availability", "latency-p99", "checkout-success", "freshness"], rng.randint(1, 2)):
            lines.append(f"    - name: {name}")
            lines.append(f"      error_budget_consumed: {rng.randint(1, 90) / 100}")
        if rng.random() < 0.05:
            lines.append(f"x-cost-center: {yq('CC-' + str(rng.randint(1000, 9999)))}")
        lines += self.action_items(inc, team, status, defect)
        if defect == "schema":
            lines = self.break_schema(inc, lines)
        lines.append("---")
        return "\n".join(lines) + "\n"

    def related_for(self, inc):
        rng = self.rng
        i = inc["index"]
        if i < 5 or rng.random() < 0.6:
            return []
        out = []
        for _ in range(rng.randint(1, 2)):
            j = rng.randint(max(0, i - 400), i - 1)
            if self.defect[j] in ("invalid-front-matter",):
                continue
            rid = self.incidents[j]["id"]
            if rid not in out and rid != inc["id"]:
                out.append(rid)
        return out

    def action_items(self, inc, team, status, defect):
        rng = self.rng
        if status == "draft":
            count = rng.randint(0, 2)
        else:
            count = rng.randint(2, 6)
        if count == 0:
            return []
        lines = ["action_items:"]
        started_day = inc["started"].date() + dt.timedelta(days=1)
        base = inc["resolved"].date()
        templates = rng.sample(inc["scenario"]["actions"], min(count, len(inc["scenario"]["actions"])))
        while len(templates) < count:
            templates.append(rng.choice(["Update the {svc} runbook with the recovery steps",
                                         "Review alert thresholds for {svc}",
                                         "Share the incident in the weekly operations review",
                                         "Add the failure mode to the game day plan"]))
        slots = self.slots(inc)
        inc["item_titles"] = []
        for k, template in enumerate(templates):
            title = self.fill(template, slots)
            inc["item_titles"].append(title)
            due = base + dt.timedelta(days=rng.randint(5, 120))
            if defect == "action-item-overdue" and k == 0:
                due = min(due, self.today - dt.timedelta(days=rng.randint(1, 60)))
                item_status = "open"
            elif due < self.today:
                item_status = rng.choice(["done", "done", "done", "wont-do"])
            elif status == "draft":
                item_status = "open"
            else:
                item_status = rng.choice(["open", "in-progress", "done"])
            owner = rng.choice(team["members"])
            if defect == "unknown-owner" and k == 0:
                owner = "contractor-" + rng.choice(FIRST)
            lines.append(f"  - id: {inc['id']}-A{k + 1}")
            lines.append(f"    title: {yq(title)}")
            lines.append(f"    owner: {owner}")
            lines.append(f"    due: {due.isoformat()}")
            lines.append(f"    status: {item_status}")
            if item_status in ("done", "wont-do"):
                latest = min(due, self.today)
                first = min(started_day, latest)
                closed = first + dt.timedelta(days=rng.randint(0, (latest - first).days))
                lines.append(f"    closed_on: {closed.isoformat()}")
            ticket = self.ticket(team)
            if defect == "action-item-no-ticket" and k == 0:
                ticket = "see the incident channel"
            if not (status == "draft" and rng.random() < 0.5):
                lines.append(f"    ticket: {yq(ticket)}")
            lines.append(f"    priority: P{rng.randint(0, 3)}")
            lines.append(f"    type: {rng.choice(['prevent', 'mitigate', 'detect', 'process', 'other'])}")
        return lines

    def ticket(self, team):
        rng = self.rng
        r = rng.random()
        if r < 0.7:
            return f"{team['project']}-{rng.randint(100, 9999)}"
        if r < 0.85:
            return f"acme/{rng.choice(team['services'])}#{rng.randint(1, 3000)}"
        return f"https://github.com/acme/{rng.choice(team['services'])}/issues/{rng.randint(1, 3000)}"

    def break_schema(self, inc, lines):
        rng = self.rng
        kind = rng.choice(SCHEMA_DEFECTS)
        inc["planted"] = kind
        out = []
        for line in lines:
            if kind == "severity-unknown" and line.startswith("severity: "):
                line = "severity: SEV5"
            elif kind == "detection-enum" and line.startswith("detection: "):
                line = "detection: pager"
            elif kind == "users-affected-type" and line.startswith("  users_affected: "):
                line = '  users_affected: "about 4000"'
            elif kind == "priority-enum" and line.startswith("    priority: "):
                line = "    priority: P5"
                kind = "done"  # only the first action item
            elif kind == "bad-date" and line.startswith("published_on: "):
                line = f"published_on: {line.split(': ')[1][:8]}31"
                if line.endswith(("-01-31", "-03-31", "-05-31", "-07-31", "-08-31", "-10-31", "-12-31")):
                    line = line[:-2] + "32"
            out.append(line)
        if kind == "unknown-key":
            out.append(f"escalation_policy: {rng.choice(['tier-2', 'follow-the-sun', 'business-hours'])}")
        return out

    def break_front_matter(self, inc, fm, body):
        rng = self.rng
        kind = rng.choice(INVALID_FM_DEFECTS)
        inc["planted"] = kind
        lines = fm.rstrip("\n").split("\n")
        if kind == "unterminated":
            lines = lines[:-1]  # the closing `---` is gone: the whole file is front matter
            return "\n".join(lines) + "\n\n" + body
        if kind == "yaml-syntax":
            lines = [("title: \"" + line[7:].strip('"') if line.startswith("title: ") else line) for line in lines]
            return "\n".join(lines) + "\n" + body
        # duplicate key: `team` written twice
        at = next(k for k, line in enumerate(lines) if line.startswith("team: "))
        lines.insert(at + 1, lines[at])
        return "\n".join(lines) + "\n" + body

    def body(self, inc, title, defect) -> str:
        rng = self.rng
        sections = []

        def section(name, paragraphs):
            sections.append([name, paragraphs])

        para = lambda pool, lo, hi: self.paragraph(pool, lo, hi, inc)  # noqa: E731
        slots = self.slots(inc)
        summary = [self.fill(rng.choice(SUMMARY_OPENERS), slots) + " " + para(SUMMARY_MORE, 2, 4)]
        section("Summary", summary)
        impact = [para(IMPACT, 3, 5)]
        if defect == "placeholder-text":
            impact.append("Revenue impact: TBD once finance has the numbers.")
            inc["planted"] = "TBD"
        section("Impact", impact)

        # Timeline: the incident's own timestamps (UTC), with events in between.
        ack, mitigated = inc["acknowledged"], inc["mitigated"]
        gap = max(2, int((mitigated - ack).total_seconds() // 60))
        middle = sorted((rng.randint(1, gap - 1) if gap > 2 else 1, e)
                        for e in rng.sample(TIMELINE_MIDDLE, rng.randint(2, 5)))
        events = [(inc["started"], rng.choice(TIMELINE_START)),
                  (inc["detected"], rng.choice(TIMELINE_DETECT)),
                  (ack, rng.choice(TIMELINE_ACK))]
        events += [(ack + dt.timedelta(minutes=m), e) for m, e in middle]
        events.append((mitigated, rng.choice(TIMELINE_MITIGATED)))
        if inc["resolved"] > mitigated + dt.timedelta(minutes=5):
            events.append((mitigated + dt.timedelta(minutes=rng.randint(2, 5)), rng.choice(TIMELINE_AFTER)))
        events.append((inc["resolved"], rng.choice(TIMELINE_RESOLVED)))
        items = []
        for t, ev in events:
            stamp = t.strftime("%H:%M") if t.date() == inc["started"].date() else t.strftime("%b %d %H:%M")
            items.append(f"- **{stamp}** — " + self.fill(ev, self.slots(inc)))
        section("Timeline", ["All times UTC.", "\n".join(items)])

        section("Contributing Factors", [para(FACTORS, 2, 3), para(FACTORS, 2, 3)])
        section("Resolution", [para(RESOLUTION, 2, 4)])
        section("Detection", [self.paragraph(DETECTION, 1, 2, inc)])
        lessons = ["The review found three themes: what went well, what did not, and where we got lucky.",
                   "### What went well\n\n" + "\n".join("- " + x for x in self.sentences(WENT_WELL, rng.randint(2, 3), inc)),
                   "### What went wrong\n\n" + "\n".join("- " + x for x in self.sentences(WENT_WRONG, rng.randint(2, 3), inc)),
                   "### Where we got lucky\n\n" + "\n".join("- " + x for x in self.sentences(LUCKY, 1, inc))]
        section("Lessons Learned", lessons)

        # Action items: a table that mirrors the front matter (no owners: names stay out of prose).
        rows = ["| # | Action item | Type | Priority | Ticket |", "|---|---|---|---|---|"]
        for k, t in enumerate(inc.get("item_titles", [])):
            rows.append(f"| {k + 1} | {t} | {rng.choice(['prevent', 'mitigate', 'detect', 'process'])} | P{rng.randint(0, 3)} | see front matter |")
        if len(rows) == 2:
            section("Action Items", ["Action items will be agreed in the review meeting."])
        else:
            section("Action Items", ["The items below are tracked in the front matter and in the linked tickets.", "\n".join(rows)])

        support = [para(SUPPORTING, 3, 5)]
        support.append(self.code_block(inc))
        support.append("Links:\n\n" + "\n".join("- " + link.format_map(self.slots(inc)) for link in rng.sample(LINKS, 3)))
        section("Supporting Information", support)

        if defect == "blameless-language":
            kind, sentence = rng.choice(BLAME)
            sentence = sentence.replace("{who}", rng.choice(self.people))
            inc["planted"] = kind
            target = rng.choice([0, 3, 4])  # Summary, Contributing Factors or Resolution
            sections[target][1][0] = sections[target][1][0] + " " + sentence
        if defect == "missing-section":
            inc["planted"] = "no Lessons Learned"
            sections = [s for s in sections if s[0] != "Lessons Learned"]

        # Pad the prose to this file's target size, as real postmortems vary in length.
        target = max(4200, min(15000, int(rng.gauss(7750, 1400))))
        current = sum(len(p) for s in sections for p in s[1]) + 2500
        extra_pools = [("Contributing Factors", FACTORS), ("Summary", SUMMARY_MORE),
                       ("Supporting Information", SUPPORTING), ("Impact", IMPACT),
                       ("Contributing Factors", None), ("Lessons Learned", None)]
        guard = 0
        while current < target and guard < 40:
            name, pool = rng.choice(extra_pools)
            paragraphs = next((s[1] for s in sections if s[0] == name), sections[0][1])
            # Mix pool sentences with free narrative, so padding does not repeat itself.
            if pool is None:
                p = self.narrative(inc, rng.randint(3, 5))
            else:
                p = self.paragraph(pool, 1, 2, inc) + " " + self.narrative(inc, rng.randint(2, 3))
            # Supporting Information keeps its code block and links last, Lessons Learned its lists.
            paragraphs.insert(1 if name in ("Supporting Information", "Lessons Learned") else len(paragraphs), p)
            current += len(p) + 2
            guard += 1

        out = [f"# {title}", ""]
        for name, paragraphs in sections:
            out.append(f"## {name}")
            out.append("")
            for p in paragraphs:
                out.append(p)
                out.append("")
        return "\n".join(out)

    def code_block(self, inc) -> str:
        rng = self.rng
        svc = inc["services"][0]
        kind = rng.randint(0, 3)
        if kind == 0:
            lines = []
            t = inc["started"]
            for _ in range(rng.randint(5, 9)):
                t += dt.timedelta(seconds=rng.randint(1, 40))
                lines.append(f"{t.strftime('%Y-%m-%dT%H:%M:%SZ')} ERROR {svc} {rng.choice(['upstream timed out', 'connection reset by peer', 'pool exhausted', 'x509: certificate has expired', 'context deadline exceeded'])} request_id={rng.getrandbits(48):012x} latency_ms={rng.randint(900, 30000)}")
            return "Log excerpt from the first minutes:\n\n```text\n" + "\n".join(lines) + "\n```"
        if kind == 1:
            a, b = rng.randint(50, 400), rng.randint(2, 40)
            return (f"The change that was rolled back:\n\n```diff\n {svc}:\n   {inc['component'].replace(' ', '_')}:\n"
                    f"-    max_connections: {a}\n+    max_connections: {b}\n     timeout_seconds: {rng.randint(1, 30)}\n```")
        if kind == 2:
            return (f"Commands used during mitigation:\n\n```console\n$ kubectl -n {svc} rollout undo deployment/{svc}\n"
                    f"$ kubectl -n {svc} rollout status deployment/{svc} --timeout=300s\n"
                    f"deployment \"{svc}\" successfully rolled out\n```")
        return (f"Query used to size the impact:\n\n```sql\nSELECT date_trunc('minute', created_at) AS minute,\n"
                f"       count(*) FILTER (WHERE status >= 500) AS errors,\n       count(*) AS total\n"
                f"FROM requests\nWHERE service = '{svc}'\n  AND created_at BETWEEN '{inc['started'].strftime('%Y-%m-%d %H:%M')}' AND '{inc['resolved'].strftime('%Y-%m-%d %H:%M')}'\n"
                f"GROUP BY 1 ORDER BY 1;\n```")

    # ---- driver ---------------------------------------------------------------------------
    def run(self, out_dir: str) -> dict:
        self.plan()
        self.assign_defects()
        if os.path.exists(out_dir):
            # Replace only what this generator made (its pm.toml is written first, so an
            # interrupted run is recognised too): never wipe an arbitrary folder by mistake.
            if os.listdir(out_dir) and not made_here(out_dir):
                sys.exit(f"error: {out_dir} exists and was not made by this generator; pick another --out")
            shutil.rmtree(out_dir)
        os.makedirs(out_dir)
        with open(os.path.join(out_dir, "pm.toml"), "w", encoding="utf-8", newline="\n") as f:
            f.write(self.pm_toml())
        sizes = []
        planted = {}
        by_status = {}
        by_year = {}
        for inc in self.incidents:
            path, text = self.write_incident(inc)
            quirk = self.quirk[inc["index"]]
            if quirk == "crlf":
                text = text.replace("\n", "\r\n")
            data = text.encode("utf-8")
            if quirk == "bom":
                data = b"\xef\xbb\xbf" + data
            full = os.path.join(out_dir, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
            sizes.append(len(data))
            by_status[inc["status"]] = by_status.get(inc["status"], 0) + 1
            by_year[inc["year"]] = by_year.get(inc["year"], 0) + 1
            defect = self.defect[inc["index"]]
            if defect:
                planted.setdefault(defect, []).append({"path": path, "variant": inc.get("planted", "")})
        expected = {}
        for kind, share, rule, per_file in DEFECTS:
            expected[rule] = expected.get(rule, 0) + per_file * len(planted.get(kind, []))
        total = sum(sizes)
        return {
            "generator": "bench/generate.py",
            "count": self.count, "seed": self.seed, "today": self.today.isoformat(), "clean": self.clean,
            "total_bytes": total, "average_bytes": round(total / max(1, len(sizes))),
            "min_bytes": min(sizes, default=0), "max_bytes": max(sizes, default=0),
            "by_status": dict(sorted(by_status.items())), "by_year": dict(sorted(by_year.items())),
            "quirks": {k: sum(1 for q in self.quirk if q == k) for k, _ in QUIRKS},
            "planted_files": {k: len(v) for k, v in planted.items()},
            "planted_variants": {k: count_variants(v) for k, v in planted.items()},
            "expected_diagnostics": expected,
            "expected_total": sum(expected.values()),
            "defects": planted,
        }


def made_here(out_dir: str) -> bool:
    try:
        with open(os.path.join(out_dir, "pm.toml"), encoding="utf-8") as f:
            return f.readline().startswith("# Generated by bench/generate.py")
    except OSError:
        return False


def count_variants(entries):
    out = {}
    for e in entries:
        out[e["variant"] or "-"] = out.get(e["variant"] or "-", 0) + 1
    return dict(sorted(out.items()))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=1000, help="number of postmortems (default 1000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", required=True,
                   help="output folder (replaced if this generator made it; else it must be empty)")
    p.add_argument("--today", default="2026-06-30",
                   help="the date `pm check --today` will be run with (default 2026-06-30)")
    p.add_argument("--clean", action="store_true", help="plant no defects: every file must pass")
    p.add_argument("--quiet", action="store_true", help="print only the manifest path")
    args = p.parse_args(argv)
    if args.count < 1:
        p.error("--count must be at least 1")
    today = dt.date.fromisoformat(args.today)
    manifest = Generator(args.count, args.seed, today, args.clean).run(args.out)
    with open(os.path.join(args.out, "bench-manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    if args.quiet:
        print(os.path.join(args.out, "bench-manifest.json"))
    else:
        print_summary(manifest, args.out)
    return 0


def print_summary(m, out):
    print(f"generated {m['count']} postmortems in {out} (seed {m['seed']}, today {m['today']})")
    print(f"  size: {m['total_bytes'] / 1e6:.1f} MB total, average {m['average_bytes']} B "
          f"({m['average_bytes'] / 1024:.2f} KiB), min {m['min_bytes']} B, max {m['max_bytes']} B")
    print("  status: " + ", ".join(f"{k} {v}" for k, v in m["by_status"].items()))
    print("  quirks (clean files): " + ", ".join(f"{k} {v}" for k, v in m["quirks"].items()))
    print("  planted defects (one per file):")
    for kind, share, rule, per in DEFECTS:
        n = m["planted_files"].get(kind, 0)
        variants = ", ".join(f"{k} {v}" for k, v in m["planted_variants"].get(kind, {}).items())
        print(f"    {kind:<22} {n:>5} files ({share * 100:.1f}%) -> {rule} x{per} = {n * per:>5}   [{variants}]")
    print(f"  expected diagnostics: {m['expected_total']} (every other rule: 0)")


if __name__ == "__main__":
    sys.exit(main())
